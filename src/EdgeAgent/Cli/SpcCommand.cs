using System.CommandLine;
using System.Globalization;
using System.Security;
using EdgeAgent.Analysis;
using EdgeAgent.Spc;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent spc analyze --chart imr|xbar-r|xbar-s|p|np|c|u|ewma|cusum [--subgroup N] [--lsl X] [--usl Y] [--target T]
/// [--rules we|nelson|we1,we4] [--phase1 N] [--ucl A --cl B --lcl C] [--lambda L --L K] [--k K --h H]
/// [--format json|text] [--plot out.svg|out.png] [--report out.html] FILE.csv</c>: offline SPC on historic data (contract in
/// src/EdgeAgent/Analysis/README.md). Exit 0 on success, 2 for bad arguments or bad CSV rows (every bad row as
/// <c>FILE:LINE: message</c>), 1 when the plot or report cannot be written. The analysis itself is in <see cref="EdgeAgent.Analysis"/>.
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
        var o = new AnalyzeOptions();
        var command = new Command("analyze", "Analyze a CSV file: control limits, points, run-rule violations, sigma and capability as JSON.")
        {
            o.Chart, o.Subgroup, o.Lsl, o.Usl, o.Target, o.Rules, o.Phase1, o.Ucl, o.Cl, o.Lcl, o.Lambda, o.Width, o.K, o.H, o.Format, o.Plot, o.Report, o.File,
        };
        foreach (var option in o.All)
        {
            option.Arity = ArgumentArity.ZeroOrOne; // "--lsl" with no value: our message and exit 2, not a parse error (exit 1)
        }

        command.SetAction(parse => Analyze(parse, o));
        return command;
    }

    /// <summary>
    /// The options of <c>spc analyze</c>. Values are taken as strings and checked in the action so that every bad
    /// argument is exit 2 with a clear message.
    /// </summary>
    private sealed class AnalyzeOptions
    {
        public Option<string> Chart { get; } = new("--chart") { Description = "imr, xbar-r, xbar-s, p, np, c, u, ewma or cusum." };
        public Option<string> Subgroup { get; } = new("--subgroup") { Description = "Values per row for xbar-r and xbar-s (2..25; default: the first row's count)." };
        public Option<string> Lsl { get; } = new("--lsl") { Description = "Lower specification limit (capability)." };
        public Option<string> Usl { get; } = new("--usl") { Description = "Upper specification limit (capability)." };
        public Option<string> Target { get; } = new("--target") { Description = "Target, for Cpm." };
        public Option<string> Rules { get; } = new("--rules") { Description = "we (default), nelson, or a list such as we1,we4 or [we1, nelson3]." };
        public Option<string> Phase1 { get; } = new("--phase1") { Description = "Estimate limits from the first N subgroups only (points and rules still cover all)." };
        public Option<string> Ucl { get; } = new("--ucl") { Description = "Fixed upper control limit (with --cl and --lcl). EWMA/CUSUM: μ0 = cl, σ = (ucl − lcl)/6." };
        public Option<string> Cl { get; } = new("--cl") { Description = "Fixed center line." };
        public Option<string> Lcl { get; } = new("--lcl") { Description = "Fixed lower control limit." };
        public Option<string> Lambda { get; } = new("--lambda") { Description = "EWMA weight λ (0 < λ ≤ 1, default 0.2)." };
        public Option<string> Width { get; } = new("--L") { Description = "EWMA limit width L in σ (default 3)." };
        public Option<string> K { get; } = new("--k") { Description = "CUSUM reference value k in σ (default 0.5)." };
        public Option<string> H { get; } = new("--h") { Description = "CUSUM decision interval h in σ (default 5)." };
        public Option<string> Format { get; } = new("--format") { Description = "json (default) or text." };
        public Option<string> Plot { get; } = new("--plot") { Description = "Also draw the control charts (and, with --lsl/--usl, the capability histogram) to this .svg or .png file." };
        public Option<string> Report { get; } = new("--report") { Description = "Also write a self-contained, printable HTML report (figures, limits, violations, capability) to this .html file." };
        public Argument<string> File { get; } = new("FILE.csv") { Description = "One row per subgroup, comma separated, optional header row." };

        public Option<string>[] All => [Chart, Subgroup, Lsl, Usl, Target, Rules, Phase1, Ucl, Cl, Lcl, Lambda, Width, K, H, Format, Plot, Report];
    }

    /// <summary>The arguments of one <c>spc analyze</c>, converted; <see cref="ChartName"/> as the user wrote it.</summary>
    private sealed record AnalyzeArguments(
        ChartType Chart, string? ChartName, int? Subgroup, double? Lsl, double? Usl, double? Target, FixedLimits? Limits,
        double? Lambda, double? L, double? K, double? H, int? Phase1, SpcRules Rules, string Format, string? PlotPath, string? ReportPath, string CsvPath);

    /// <summary>Parse options → read and check the CSV → run the analysis → write the report, the plot and the HTML report.</summary>
    private static int Analyze(ParseResult parse, AnalyzeOptions o)
    {
        var error = parse.InvocationConfiguration.Error;
        var problems = new List<string>();
        var a = ParseArguments(parse, o, problems);
        if (problems.Count > 0 || ReadLines(a.CsvPath, problems) is not { } lines || CheckSubgroup(a, problems))
        {
            return Fail(error, problems);
        }

        var csv = CsvSeries.ReadCsv(a.CsvPath, lines, a.Chart, a.Subgroup);
        if (csv.Errors.Count > 0)
        {
            return Fail(error, csv.Errors);
        }

        if (RunAnalysis(a, csv, problems) is not { } report)
        {
            return Fail(error, problems);
        }

        parse.InvocationConfiguration.Output.Write(a.Format == "text" ? TextReport.Write(report, a.CsvPath) : JsonReport.Write(report));
        parse.InvocationConfiguration.Output.WriteLine();
        return WriteFigures(report, a, error);
    }

    private static int Fail(TextWriter error, IEnumerable<string> problems)
    {
        foreach (var problem in problems)
        {
            error.WriteLine(problem);
        }

        return 2;
    }

    /// <summary>Every option's value, converted; one entry in <paramref name="problems"/> per bad or missing one, in option order.</summary>
    private static AnalyzeArguments ParseArguments(ParseResult parse, AnalyzeOptions o, List<string> problems)
    {
        problems.AddRange(o.All.Where(option => parse.GetResult(option) is { Tokens.Count: 0 }).Select(option => $"{option.Name}: expected a value"));
        var values = new OptionValues(parse, problems);
        var (chart, chartName) = ParseChart(parse.GetValue(o.Chart), problems);
        var subgroup = values.Whole(o.Subgroup, 1, 25);
        var (lsl, usl, target) = (values.Number(o.Lsl), values.Number(o.Usl), values.Number(o.Target));
        var (ucl, cl, lcl) = (values.Number(o.Ucl), values.Number(o.Cl), values.Number(o.Lcl));
        var (lambda, width, k, h) = (values.Number(o.Lambda), values.Number(o.Width), values.Number(o.K), values.Number(o.H));
        var phase1 = values.Whole(o.Phase1, 2, 10_000_000);
        var rules = ParseRules(parse.GetValue(o.Rules), problems);
        var limits = ParseLimits(ucl, cl, lcl, phase1, problems);
        var format = parse.GetValue(o.Format) ?? "json";
        var plot = parse.GetValue(o.Plot);
        var html = parse.GetValue(o.Report);
        var path = parse.GetValue(o.File);
        CheckOutputsAndFile(format, plot, html, path, problems);
        return new AnalyzeArguments(chart, chartName, subgroup, lsl, usl, target, limits, lambda, width, k, h, phase1, rules, format, plot, html, path ?? string.Empty);
    }

    /// <summary>Converts option values, adding a problem for each that is not what it should be.</summary>
    private sealed class OptionValues(ParseResult parse, List<string> problems)
    {
        public double? Number(Option<string> option)
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

        public int? Whole(Option<string> option, int min, int max)
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
    }

    private static (ChartType Chart, string? Name) ParseChart(string? name, List<string> problems)
    {
        var type = ChartType.Imr;
        if (name is null)
        {
            problems.Add("--chart is required: imr, xbar-r, xbar-s, p, np, c, u, ewma or cusum");
        }
        else if (!ChartTypes.TryParse(name, out type))
        {
            problems.Add($"--chart: unknown chart '{name}'; expected imr, xbar-r, xbar-s, p, np, c, u, ewma or cusum");
        }

        return (type, name);
    }

    /// <summary><c>we</c>, <c>nelson</c> or a list such as <c>we1,we4</c> or <c>[we1, nelson3]</c>; Western Electric when not given.</summary>
    private static SpcRules ParseRules(string? text, List<string> problems)
    {
        if (text is null)
        {
            return SpcRules.WesternElectric;
        }

        var names = text.Trim().TrimStart('[').TrimEnd(']').Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
        var rules = SpcRules.None;
        foreach (var name in names)
        {
            if (SpcRuleNames.TryParse(name, out var r))
            {
                rules |= r;
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

        return rules;
    }

    /// <summary>Fixed limits when all three of --ucl, --cl and --lcl are given (and --phase1 is not).</summary>
    private static FixedLimits? ParseLimits(double? ucl, double? cl, double? lcl, int? phase1, List<string> problems)
    {
        var given = (ucl is null ? 0 : 1) + (cl is null ? 0 : 1) + (lcl is null ? 0 : 1);
        if (given is 1 or 2)
        {
            problems.Add("fixed limits need all three of --ucl, --cl and --lcl");
        }

        if (given == 3 && phase1 is not null)
        {
            problems.Add("give either --phase1 or fixed limits (--ucl/--cl/--lcl), not both");
        }

        return given == 3 ? new FixedLimits(ucl!.Value, cl!.Value, lcl!.Value) : null;
    }

    private static void CheckOutputsAndFile(string format, string? plot, string? html, string? path, List<string> problems)
    {
        if (format is not ("json" or "text"))
        {
            problems.Add($"--format: expected json or text, found '{format}'");
        }

        if (plot is not null && !plot.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) && !plot.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"--plot: expected a file name ending in .svg or .png, found '{plot}'");
        }

        if (html is not null && !html.EndsWith(".html", StringComparison.OrdinalIgnoreCase) && !html.EndsWith(".htm", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"--report: expected a file name ending in .html, found '{html}'");
        }

        if (string.IsNullOrEmpty(path))
        {
            problems.Add("FILE.csv is required");
        }
        else if (path.StartsWith("--", StringComparison.Ordinal) && !File.Exists(path))
        {
            problems.Add($"unknown option '{path}'");
        }
    }

    private static string[]? ReadLines(string path, List<string> problems)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            problems.Add($"{path}: cannot read: {e.Message}");
            return null;
        }
    }

    /// <summary>True, with the problem added, when --subgroup does not fit the chart.</summary>
    private static bool CheckSubgroup(AnalyzeArguments a, List<string> problems)
    {
        var problem = (a.Chart.IsSubgrouped(), a.Subgroup) switch
        {
            (true, 1) => $"--subgroup: {a.ChartName} needs 2 to 25 values per subgroup, found 1",
            (false, > 1) => $"--subgroup: {a.ChartName} takes one value per row; --subgroup applies to xbar-r and xbar-s",
            _ => null,
        };
        if (problem is not null)
        {
            problems.Add(problem);
        }

        return problem is not null;
    }

    /// <summary>The report, or null with the problem added (a bad spec named by its option, too few subgroups).</summary>
    private static AnalysisReport? RunAnalysis(AnalyzeArguments a, CsvSeries csv, List<string> problems)
    {
        var rows = csv.Rows;
        var spec = new ChartSpec
        {
            Chart = a.Chart,
            SubgroupSize = a.Chart.IsSubgrouped() ? rows[0].Length : 1,
            Rules = a.Rules,
            Lsl = a.Lsl,
            Usl = a.Usl,
            Target = a.Target,
            Limits = a.Limits,
            Lambda = a.Lambda ?? 0.2,
            L = a.L ?? 3.0,
            K = a.K ?? 0.5,
            H = a.H ?? 5.0,
        };
        try
        {
            spec.Validate();
            if (a.Phase1 is { } first && first > rows.Count)
            {
                problems.Add($"--phase1: {first} subgroups asked for, but {a.CsvPath} has only {rows.Count}");
                return null;
            }

            if (spec.Limits is null && rows.Count < 2)
            {
                problems.Add($"{a.CsvPath}: estimating limits needs at least 2 subgroups, found {rows.Count}");
                return null;
            }

            return AnalysisReport.From(SpcAnalyzer.Analyze(spec, rows, a.Phase1), rows, csv.Timestamps);
        }
        catch (ArgumentOutOfRangeException e)
        {
            problems.Add($"{OptionFor(e.ParamName)}: {FirstLine(e.Message)}");
            return null;
        }
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

    /// <summary>The plot and the HTML report, when asked for: exit 1 when either cannot be drawn or written, else 0.</summary>
    private static int WriteFigures(AnalysisReport report, AnalyzeArguments a, TextWriter error)
    {
        var source = Path.GetFileName(a.CsvPath);
        var code = 0;
        if (a.PlotPath is { } plot)
        {
            code |= Write(plot, "--plot", error, () =>
            {
                var figures = Figures.For(report, source);
                if (plot.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
                {
                    File.WriteAllText(plot, Figures.Svg(figures));
                }
                else
                {
                    File.WriteAllBytes(plot, Figures.Png(figures));
                }
            });
        }

        if (a.ReportPath is { } html)
        {
            code |= Write(html, "--report", error, () => File.WriteAllText(html, HtmlReport.Write(report, source)));
        }

        return code;
    }

    /// <summary>
    /// Runs <paramref name="write"/>; a file that cannot be written, or a drawing library that cannot load (its native
    /// part missing on this machine), is one line <c>PATH: cannot write: reason</c> and exit 1, not a stack trace.
    /// </summary>
    private static int Write(string path, string option, TextWriter error, Action write)
    {
        try
        {
            write();
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException or SecurityException)
        {
            error.WriteLine($"{path}: cannot write: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            error.WriteLine($"{path}: cannot draw {option}: the drawing library did not load: {(e.InnerException ?? e).Message}");
            return 1;
        }
        catch (InvalidOperationException e)
        {
            // The plotting library refuses data it cannot lay out (axis limits it cannot represent).
            error.WriteLine($"{path}: cannot draw {option}: {e.Message}");
            return 1;
        }
    }
}
