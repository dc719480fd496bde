using System.CommandLine;
using System.Globalization;
using EdgeAgent.Analysis;
using EdgeAgent.Spc;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent spc analyze --chart imr|xbar-r|xbar-s|p|np|c|u|ewma|cusum [--subgroup N] [--lsl X] [--usl Y] [--target T]
/// [--rules we|nelson|we1,we4] [--phase1 N] [--ucl A --cl B --lcl C] [--lambda L --L K] [--k K --h H]
/// [--format json|text] [--plot out.svg|out.png] FILE.csv</c>: offline SPC on historic data (contract in issue 4 and
/// src/Spc/README.md). Exit 0 on success, 2 for bad arguments or bad CSV rows (every bad row as <c>FILE:LINE: message</c>).
/// </summary>
internal static class SpcCommand
{
    public static Command Build()
    {
        var spc = new Command("spc", "Statistical process control on historic data.");
        spc.Subcommands.Add(BuildAnalyze());
        return spc;
    }

    private static Command BuildAnalyze()
    {
        // Values are taken as strings and checked in the action so that every bad argument is exit 2 with a clear message.
        var chart = new Option<string>("--chart") { Description = "imr, xbar-r, xbar-s, p, np, c, u, ewma or cusum." };
        var subgroup = new Option<string>("--subgroup") { Description = "Values per row for xbar-r and xbar-s (2..25; default: the first row's count)." };
        var lsl = new Option<string>("--lsl") { Description = "Lower specification limit (capability)." };
        var usl = new Option<string>("--usl") { Description = "Upper specification limit (capability)." };
        var target = new Option<string>("--target") { Description = "Target, for Cpm." };
        var rules = new Option<string>("--rules") { Description = "we (default), nelson, or a list such as we1,we4 or [we1, nelson3]." };
        var phase1 = new Option<string>("--phase1") { Description = "Estimate limits from the first N subgroups only (points and rules still cover all)." };
        var ucl = new Option<string>("--ucl") { Description = "Fixed upper control limit (with --cl and --lcl). EWMA/CUSUM: μ0 = cl, σ = (ucl − lcl)/6." };
        var cl = new Option<string>("--cl") { Description = "Fixed center line." };
        var lcl = new Option<string>("--lcl") { Description = "Fixed lower control limit." };
        var lambda = new Option<string>("--lambda") { Description = "EWMA weight λ (0 < λ ≤ 1, default 0.2)." };
        var width = new Option<string>("--L") { Description = "EWMA limit width L in σ (default 3)." };
        var k = new Option<string>("--k") { Description = "CUSUM reference value k in σ (default 0.5)." };
        var h = new Option<string>("--h") { Description = "CUSUM decision interval h in σ (default 5)." };
        var format = new Option<string>("--format") { Description = "json (default) or text." };
        var plot = new Option<string>("--plot") { Description = "Also draw the chart to this .svg or .png file." };
        var file = new Argument<string>("FILE.csv") { Description = "One row per subgroup, comma separated, optional header row." };
        var command = new Command("analyze", "Analyze a CSV file: control limits, points, run-rule violations, sigma and capability as JSON.")
        {
            chart, subgroup, lsl, usl, target, rules, phase1, ucl, cl, lcl, lambda, width, k, h, format, plot, file,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        Option<string>[] all = [chart, subgroup, lsl, usl, target, rules, phase1, ucl, cl, lcl, lambda, width, k, h, format, plot];
        foreach (var option in all)
        {
            option.Arity = ArgumentArity.ZeroOrOne; // "--lsl" with no value: our message and exit 2, not a parse error (exit 1)
        }

        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var problems = new List<string>();
            foreach (var token in parse.UnmatchedTokens)
            {
                problems.Add($"unexpected argument '{token}'");
            }

            foreach (var option in all)
            {
                if (parse.GetResult(option) is { } given && given.Tokens.Count == 0)
                {
                    problems.Add($"{option.Name}: expected a value");
                }
            }

            double? Number(Option<string> option)
            {
                var text = parse.GetValue(option);
                if (text is null)
                {
                    return null;
                }

                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
                {
                    return v;
                }

                problems.Add($"{option.Name}: expected a number, found '{text}'");
                return null;
            }

            int? Whole(Option<string> option, int min, int max)
            {
                var text = parse.GetValue(option);
                if (text is null)
                {
                    return null;
                }

                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max)
                {
                    return v;
                }

                problems.Add($"{option.Name}: expected a whole number in [{min}-{max}], found '{text}'");
                return null;
            }

            ChartType type = ChartType.Imr;
            var chartName = parse.GetValue(chart);
            if (chartName is null)
            {
                problems.Add("--chart is required: imr, xbar-r, xbar-s, p, np, c, u, ewma or cusum");
            }
            else if (!ChartTypes.TryParse(chartName, out type))
            {
                problems.Add($"--chart: unknown chart '{chartName}'; expected imr, xbar-r, xbar-s, p, np, c, u, ewma or cusum");
            }

            var n = Whole(subgroup, 1, 25);
            var spec = new ChartSpec();
            var (lo, hi, t) = (Number(lsl), Number(usl), Number(target));
            var (u, c, l) = (Number(ucl), Number(cl), Number(lcl));
            var (lam, bigL, kk, hh) = (Number(lambda), Number(width), Number(k), Number(h));
            var p1 = Whole(phase1, 2, 10_000_000);
            var ruleSet = SpcRules.WesternElectric;
            if (parse.GetValue(rules) is { } ruleText)
            {
                var names = ruleText.Trim().TrimStart('[').TrimEnd(']').Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
                ruleSet = SpcRules.None;
                foreach (var name in names)
                {
                    if (SpcRuleNames.TryParse(name, out var r))
                    {
                        ruleSet |= r;
                    }
                    else
                    {
                        problems.Add($"--rules: unknown rule '{name}'; expected we, nelson, we1..we4 or nelson1..nelson8");
                    }
                }

                if (names.Length == 0)
                {
                    problems.Add("--rules: expected we, nelson or a list such as we1,we4");
                }
            }

            var fixedCount = (u is null ? 0 : 1) + (c is null ? 0 : 1) + (l is null ? 0 : 1);
            if (fixedCount is 1 or 2)
            {
                problems.Add("fixed limits need all three of --ucl, --cl and --lcl");
            }

            if (fixedCount == 3 && p1 is not null)
            {
                problems.Add("give either --phase1 or fixed limits (--ucl/--cl/--lcl), not both");
            }

            var fmt = parse.GetValue(format) ?? "json";
            if (fmt is not ("json" or "text"))
            {
                problems.Add($"--format: expected json or text, found '{fmt}'");
            }

            var plotPath = parse.GetValue(plot);
            if (plotPath is not null && !plotPath.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) && !plotPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"--plot: expected a file name ending in .svg or .png, found '{plotPath}'");
            }

            var path = parse.GetValue(file);
            if (string.IsNullOrEmpty(path))
            {
                problems.Add("FILE.csv is required");
            }
            else if (path.StartsWith("--", StringComparison.Ordinal) && !File.Exists(path))
            {
                problems.Add($"unknown option '{path}'");
            }

            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    error.WriteLine(problem);
                }

                return 2;
            }

            string[] lines;
            try
            {
                lines = File.ReadAllLines(path!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                error.WriteLine($"{path}: cannot read: {e.Message}");
                return 2;
            }

            if (type.IsSubgrouped() && n == 1)
            {
                error.WriteLine($"--subgroup: {chartName} needs 2 to 25 values per subgroup, found 1");
                return 2;
            }

            if (!type.IsSubgrouped() && n is > 1)
            {
                error.WriteLine($"--subgroup: {chartName} takes one value per row; --subgroup applies to xbar-r and xbar-s");
                return 2;
            }

            var (rows, csvErrors) = CsvSeries.ReadCsv(path!, lines, type, n);
            if (csvErrors.Count > 0)
            {
                foreach (var e in csvErrors)
                {
                    error.WriteLine(e);
                }

                return 2;
            }

            var size = type.IsSubgrouped() ? rows[0].Length : 1;
            spec = spec with
            {
                Chart = type,
                SubgroupSize = size,
                Rules = ruleSet,
                Lsl = lo,
                Usl = hi,
                Target = t,
                Limits = fixedCount == 3 ? new FixedLimits(u!.Value, c!.Value, l!.Value) : null,
                Lambda = lam ?? 0.2,
                L = bigL ?? 3.0,
                K = kk ?? 0.5,
                H = hh ?? 5.0,
            };

            SpcReport report;
            try
            {
                spec.Validate();
                if (p1 is { } first && first > rows.Count)
                {
                    error.WriteLine($"--phase1: {first} subgroups asked for, but {path} has only {rows.Count}");
                    return 2;
                }

                if (spec.Limits is null && rows.Count < 2)
                {
                    error.WriteLine($"{path}: estimating limits needs at least 2 subgroups, found {rows.Count}");
                    return 2;
                }

                report = SpcAnalyzer.Analyze(spec, rows, p1);
            }
            catch (ArgumentOutOfRangeException e)
            {
                error.WriteLine($"{OptionFor(e.ParamName)}: {FirstLine(e.Message)}");
                return 2;
            }

            var analysis = AnalysisReport.From(report);
            output.Write(fmt == "text" ? TextReport.Write(analysis, path!) : JsonReport.Write(analysis));
            output.WriteLine();
            if (plotPath is not null)
            {
                try
                {
                    if (plotPath.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
                    {
                        File.WriteAllText(plotPath, SvgChart.Draw(analysis, Path.GetFileName(path!)));
                    }
                    else
                    {
                        File.WriteAllBytes(plotPath, PngChart.Draw(analysis));
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    error.WriteLine($"{plotPath}: cannot write: {e.Message}");
                    return 1;
                }
            }

            return 0;
        });
        return command;
    }

    private static string OptionFor(string? param) => param switch
    {
        "SubgroupSize" => "--subgroup",
        "Limits" => "--ucl/--cl/--lcl",
        "Lambda" => "--lambda",
        "L" => "--L",
        "K" => "--k",
        "H" => "--h",
        "Usl" => "--usl",
        "phase1" => "--phase1",
        _ => param ?? "argument",
    };

    private static string FirstLine(string message)
    {
        var i = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        message = i > 0 ? message[..i] : message;
        i = message.IndexOf('\n');
        return (i > 0 ? message[..i] : message).Trim();
    }
}
