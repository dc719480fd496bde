using System.Globalization;
using System.Net;
using System.Text;
using EdgeAgent.Spc;
using static EdgeAgent.Analysis.ReportNumbers;

namespace EdgeAgent.Analysis;

/// <summary>
/// <c>--report out.html</c>: one self-contained page (inline SVG and CSS, nothing fetched) with the control chart figure,
/// the limits, the violations (index, value, rule, description), the capability figure and its table; laid out for
/// printing on A4. The markup is well-formed XML so that any XML reader can check it.
/// </summary>
internal static class HtmlReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private const string Style = """
        @page { size: A4; margin: 12mm; }
        body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #222; margin: 0 auto; max-width: 186mm; }
        h1 { font-size: 15pt; margin: 0 0 2mm; }
        h2 { font-size: 12pt; margin: 5mm 0 2mm; }
        figure { margin: 0; break-inside: avoid; }
        figure svg { width: 100%; height: auto; display: block; }
        table { border-collapse: collapse; margin: 0 0 3mm; break-inside: auto; }
        tr { break-inside: avoid; }
        th, td { border: 1px solid #bbb; padding: 1mm 2.5mm; text-align: left; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        th { background: #eee; }
        .page { break-before: page; }
        @media screen { body { padding: 8mm; } }
        """;

    public static string Write(AnalysisReport report, string source)
    {
        var s = new StringBuilder();
        var title = $"SPC report — {source}";
        s.AppendLine("<!DOCTYPE html>");
        s.AppendLine("<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">");
        s.AppendLine(Inv, $"<head><meta charset=\"utf-8\"/><title>{E(title)}</title><style>{Style}</style></head>");
        s.AppendLine("<body>");
        s.AppendLine(Inv, $"<h1>{E(title)}</h1>");
        s.AppendLine(Inv, $"<p id=\"summary\">{E(Summary(report))}</p>");
        s.AppendLine("<figure id=\"control-chart\">");
        s.AppendLine(Figures.Svg([new ControlChartFigure(report, source)]));
        s.AppendLine("</figure>");
        WriteLimits(s, report);
        WriteViolations(s, report);
        if (report.Capability is { } c && report.Individuals.Length > 0)
        {
            s.AppendLine("<h2 class=\"page\">Capability</h2>");
            s.AppendLine("<figure id=\"capability-chart\">");
            s.AppendLine(Figures.Svg([new CapabilityFigure(report, source, c)]));
            s.AppendLine("</figure>");
            s.AppendLine("<table id=\"capability\"><tr><th>index</th><th>value</th></tr>");
            foreach (var (name, value) in CapabilityFigure.Rows(c))
            {
                s.AppendLine(Inv, $"<tr><td>{E(name)}</td><td class=\"n\">{E(value)}</td></tr>");
            }

            s.AppendLine("</table>");
        }

        s.AppendLine("</body>");
        s.AppendLine("</html>");
        return s.ToString();
    }

    private static string Summary(AnalysisReport report)
    {
        var limits = report.LimitsFrom switch
        {
            LimitsSource.All => "limits from all data",
            LimitsSource.Phase1 => $"limits from the first {report.LimitsSubgroups} subgroups (phase I)",
            _ => "fixed limits",
        };
        var rules = string.Join(", ", SpcRuleNames.Each(report.Rules).Select(SpcRuleNames.Name));
        var specs = string.Join(", ", new[] { ("LSL", report.Lsl), ("USL", report.Usl), ("target", report.Target) }
            .Where(x => x.Item2 is not null).Select(x => $"{x.Item1} {G(x.Item2!.Value)}"));
        return $"{ControlChartFigure.Name(report.Chart)} chart, {report.Points.Length} points"
            + (report.Chart.IsSubgrouped() ? $" (subgroups of {report.SubgroupSize})" : string.Empty)
            + $"; {limits}; rules {(rules.Length == 0 ? "none" : rules)}" + (specs.Length == 0 ? string.Empty : $"; {specs}") + ".";
    }

    /// <summary>One row per chart (primary, secondary), then σ; EWMA adds λ and L, CUSUM is center, H and K.</summary>
    private static void WriteLimits(StringBuilder s, AnalysisReport report)
    {
        var points = report.Points;
        var type = report.Chart;
        s.AppendLine("<h2>Limits</h2>");
        s.AppendLine("<table id=\"limits\"><tr><th>chart</th><th>LCL</th><th>CL</th><th>UCL</th></tr>");
        if (type == ChartType.Cusum)
        {
            Row(s, "cusum", G(-report.H), G(report.Center), G(report.H));
        }
        else
        {
            Row(s, type.PrimaryKey(), Range(points.Select(p => p.Lcl)), Range(points.Select(p => p.Center)), Range(points.Select(p => p.Ucl)));
        }

        if (report.Secondary is { } sec)
        {
            Row(s, sec.Key, G(sec.Lcl), G(sec.Center), G(sec.Ucl));
        }

        s.AppendLine("</table>");
        var notes = new List<string>();
        if (report.Sigma is { } sigma)
        {
            notes.Add($"σ within {G(sigma.Within)}, overall {G(sigma.Overall)}");
        }

        if (type == ChartType.Ewma)
        {
            notes.Add($"λ {G(report.Lambda)}, L {G(report.L)}");
        }

        if (type == ChartType.Cusum)
        {
            notes.Add($"decision interval H {G(report.H)}, reference value K {G(report.K)} (the CUSUM center is the process mean μ0)");
        }

        if (notes.Count > 0)
        {
            s.AppendLine(Inv, $"<p id=\"sigma\">{E(string.Join("; ", notes))}.</p>");
        }
    }

    private static void WriteViolations(StringBuilder s, AnalysisReport report)
    {
        var byIndex = report.Points.ToDictionary(p => p.Index);
        s.AppendLine(Inv, $"<h2>Violations ({report.Violations.Count})</h2>");
        var times = report.Timestamps;
        s.AppendLine(Inv, $"<table id=\"violations\"><tr><th>index</th>{(times is null ? string.Empty : "<th>time (UTC)</th>")}<th>value</th><th>rule</th><th>description</th></tr>");
        foreach (var v in report.Violations)
        {
            var p = byIndex[v.Index];
            var value = report.Chart == ChartType.Cusum ? (p.CusumLower > p.CusumUpper ? -p.CusumLower : p.CusumUpper) : p.Value;
            var time = times is null ? string.Empty : $"<td>{times[(int)v.Index].UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Inv)}</td>";
            s.AppendLine(Inv, $"<tr><td class=\"n\">{v.Index}</td>{time}<td class=\"n\">{G(value)}</td><td>{v.RuleName}</td><td>{E(RuleText.Describe(v.Rule))}</td></tr>");
        }

        if (report.Violations.Count == 0)
        {
            s.AppendLine(Inv, $"<tr><td colspan=\"{(times is null ? 4 : 5)}\">no point violates a rule in use</td></tr>");
        }

        s.AppendLine("</table>");
    }

    private static void Row(StringBuilder s, string chart, string lcl, string cl, string ucl) =>
        s.AppendLine(Inv, $"<tr><td>{E(chart)}</td><td class=\"n\">{E(lcl)}</td><td class=\"n\">{E(cl)}</td><td class=\"n\">{E(ucl)}</td></tr>");

    /// <summary>The value when the same at every point, else "min – max (per point)".</summary>
    private static string Range(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return "-";
        }

        var (lo, hi) = (finite.Min(), finite.Max());
        return lo == hi ? G(lo) : $"{G(lo)} – {G(hi)} (per point)";
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
