using System.CommandLine;
using System.Globalization;
using System.IO.Compression;
using System.Text;
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
                        File.WriteAllText(plotPath, Svg(report, Path.GetFileName(path!)));
                    }
                    else
                    {
                        File.WriteAllBytes(plotPath, Png(report));
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

    private static string G(double v) => double.IsNaN(v) ? "-" : v.ToString("G7", CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- plots

    /// <summary>What both plot formats draw: the plotted series, center, limits, zone lines and violations.</summary>
    private sealed record PlotModel(string Title, double[] Values, double[] Center, double[] Ucl, double[] Lcl, double[][] Zones, bool[] Violated, double[]? Second, string? SecondName);

    private static PlotModel Model(SpcReport report, string title)
    {
        var pts = report.Points;
        var type = report.Spec.Chart;
        if (type == ChartType.Cusum)
        {
            var h = report.Spec.H * report.Parameters.Sigma;
            return new PlotModel(
                $"{title} — tabular CUSUM (C+ above, −C− below)",
                [.. pts.Select(p => p.CusumUpper)],
                [.. pts.Select(_ => 0.0)],
                [.. pts.Select(_ => h)],
                [.. pts.Select(_ => -h)],
                [],
                [.. pts.Select(p => p.Violations != 0)],
                [.. pts.Select(p => -p.CusumLower)],
                "-C-");
        }

        var zones = Array.Empty<double[]>();
        if (type != ChartType.Ewma)
        {
            zones =
            [
                [.. pts.Select(p => p.Center + p.Sigma)], [.. pts.Select(p => p.Center + 2 * p.Sigma)],
                [.. pts.Select(p => p.Center - p.Sigma)], [.. pts.Select(p => p.Center - 2 * p.Sigma)],
            ];
        }

        return new PlotModel(
            $"{title} — {ChartTypes.Name(type)} chart",
            [.. pts.Select(p => p.Value)],
            [.. pts.Select(p => p.Center)],
            [.. pts.Select(p => p.Ucl)],
            [.. pts.Select(p => p.Lcl)],
            zones,
            [.. pts.Select(p => p.Violations != 0)],
            null,
            null);
    }

    private const int PlotWidth = 960, PlotHeight = 420, Margin = 50;

    private static (Func<int, double> X, Func<double, double> Y) Scales(PlotModel m)
    {
        var all = m.Values.Concat(m.Ucl).Concat(m.Lcl).Concat(m.Center).Concat(m.Second ?? []).Where(double.IsFinite).ToArray();
        var min = all.Length == 0 ? 0 : all.Min();
        var max = all.Length == 0 ? 1 : all.Max();
        if (max - min < 1e-12)
        {
            max += 1;
            min -= 1;
        }

        var pad = (max - min) * 0.08;
        min -= pad;
        max += pad;
        var count = Math.Max(1, m.Values.Length - 1);
        return (i => Margin + (PlotWidth - 2.0 * Margin) * i / count, v => PlotHeight - Margin - (PlotHeight - 2.0 * Margin) * (v - min) / (max - min));
    }

    internal static string Svg(SpcReport report, string title)
    {
        var m = Model(report, title);
        var (x, y) = Scales(m);
        var inv = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{PlotWidth}\" height=\"{PlotHeight}\" viewBox=\"0 0 {PlotWidth} {PlotHeight}\" font-family=\"sans-serif\" font-size=\"12\">");
        s.AppendLine(inv, $"<rect width=\"{PlotWidth}\" height=\"{PlotHeight}\" fill=\"white\"/>");
        s.AppendLine(inv, $"<text x=\"{Margin}\" y=\"24\" font-size=\"14\">{Escape(m.Title)}</text>");

        void Line(double[] v, string stroke, string dash, string cls)
        {
            var d = new StringBuilder();
            for (int i = 0; i < v.Length; i++)
            {
                if (double.IsFinite(v[i]))
                {
                    d.Append(inv, $"{(d.Length == 0 ? "M" : " L")}{x(i):F1},{y(v[i]):F1}");
                }
            }

            if (d.Length > 0)
            {
                s.AppendLine(inv, $"<path class=\"{cls}\" d=\"{d}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.2\"{(dash.Length > 0 ? $" stroke-dasharray=\"{dash}\"" : string.Empty)}/>");
            }
        }

        foreach (var zone in m.Zones)
        {
            Line(zone, "#bbbbbb", "3,3", "zone");
        }

        Line(m.Ucl, "#d62728", "6,3", "ucl");
        Line(m.Lcl, "#d62728", "6,3", "lcl");
        Line(m.Center, "#2ca02c", string.Empty, "center");
        Line(m.Values, "#1f77b4", string.Empty, "points");
        if (m.Second is { } second)
        {
            Line(second, "#9467bd", string.Empty, "points-lower");
        }

        var last = m.Values.Length - 1;
        if (last >= 0)
        {
            s.AppendLine(inv, $"<text x=\"{x(last) + 4:F1}\" y=\"{y(m.Ucl[last]) - 3:F1}\" fill=\"#d62728\">UCL {G(m.Ucl[last])}</text>");
            s.AppendLine(inv, $"<text x=\"{x(last) + 4:F1}\" y=\"{y(m.Lcl[last]) + 12:F1}\" fill=\"#d62728\">LCL {G(m.Lcl[last])}</text>");
        }

        for (int i = 0; i < m.Values.Length; i++)
        {
            if (!double.IsFinite(m.Values[i]))
            {
                continue;
            }

            var rules = string.Join(' ', SpcRuleNames.Each(report.Points[i].Violations).Select(SpcRuleNames.Name));
            var v = m.Violated[i] && m.Second is { } sec && report.Points[i].CusumLower > report.Points[i].CusumUpper ? sec[i] : m.Values[i];
            if (m.Violated[i])
            {
                s.AppendLine(inv, $"<circle class=\"violation\" cx=\"{x(i):F1}\" cy=\"{y(v):F1}\" r=\"5\" fill=\"#d62728\"><title>#{i}: {rules}</title></circle>");
            }
            else
            {
                s.AppendLine(inv, $"<circle cx=\"{x(i):F1}\" cy=\"{y(m.Values[i]):F1}\" r=\"2.5\" fill=\"#1f77b4\"/>");
            }
        }

        s.AppendLine("</svg>");
        return s.ToString();
    }

    private static string Escape(string t) => t.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>The same drawing rasterized into an RGB PNG (PNG spec: signature, IHDR, one zlib IDAT, IEND; filter 0 per row).</summary>
    internal static byte[] Png(SpcReport report)
    {
        var m = Model(report, string.Empty);
        var (x, y) = Scales(m);
        var pixels = new byte[PlotWidth * PlotHeight * 3];
        Array.Fill(pixels, (byte)255);

        void Set(int px, int py, (byte R, byte G, byte B) c)
        {
            if (px >= 0 && px < PlotWidth && py >= 0 && py < PlotHeight)
            {
                var o = (py * PlotWidth + px) * 3;
                (pixels[o], pixels[o + 1], pixels[o + 2]) = c;
            }
        }

        void Segment(double x0, double y0, double x1, double y1, (byte, byte, byte) c, int dash)
        {
            var steps = (int)Math.Max(1, Math.Ceiling(Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0))));
            for (int i = 0; i <= steps; i++)
            {
                if (dash > 0 && (i / dash) % 2 == 1)
                {
                    continue;
                }

                Set((int)Math.Round(x0 + (x1 - x0) * i / steps), (int)Math.Round(y0 + (y1 - y0) * i / steps), c);
            }
        }

        void Line(double[] v, (byte, byte, byte) c, int dash)
        {
            for (int i = 1; i < v.Length; i++)
            {
                if (double.IsFinite(v[i - 1]) && double.IsFinite(v[i]))
                {
                    Segment(x(i - 1), y(v[i - 1]), x(i), y(v[i]), c, dash);
                }
            }

            if (v.Length == 1 && double.IsFinite(v[0]))
            {
                Segment(x(0) - 4, y(v[0]), x(0) + 4, y(v[0]), c, dash);
            }
        }

        void Dot(double cx, double cy, int r, (byte, byte, byte) c)
        {
            for (int dy = -r; dy <= r; dy++)
            {
                for (int dx = -r; dx <= r; dx++)
                {
                    if (dx * dx + dy * dy <= r * r)
                    {
                        Set((int)Math.Round(cx) + dx, (int)Math.Round(cy) + dy, c);
                    }
                }
            }
        }

        foreach (var zone in m.Zones)
        {
            Line(zone, (187, 187, 187), 3);
        }

        Line(m.Ucl, (214, 39, 40), 6);
        Line(m.Lcl, (214, 39, 40), 6);
        Line(m.Center, (44, 160, 44), 0);
        Line(m.Values, (31, 119, 180), 0);
        if (m.Second is { } second)
        {
            Line(second, (148, 103, 189), 0);
        }

        for (int i = 0; i < m.Values.Length; i++)
        {
            if (double.IsFinite(m.Values[i]))
            {
                Dot(x(i), y(m.Values[i]), m.Violated[i] ? 5 : 2, m.Violated[i] ? ((byte)214, (byte)39, (byte)40) : ((byte)31, (byte)119, (byte)180));
            }
        }

        var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int row = 0; row < PlotHeight; row++)
            {
                z.WriteByte(0);
                z.Write(pixels, row * PlotWidth * 3, PlotWidth * 3);
            }
        }

        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, PlotWidth);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), PlotHeight);
        header[8] = 8;  // bit depth
        header[9] = 2;  // colour type: truecolour RGB
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        s.Write(four);
        var typed = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, typed);
        data.CopyTo(typed, 4);
        s.Write(typed);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(four, Crc32(typed));
        s.Write(four);
    }

    // CRC-32 (ISO 3309, polynomial 0xEDB88320 reflected) over chunk type and data, as the PNG spec §5.5 requires.
    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
