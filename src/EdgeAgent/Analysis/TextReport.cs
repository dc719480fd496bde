using System.Globalization;
using System.Text;
using EdgeAgent.Spc;
using static EdgeAgent.Analysis.ReportNumbers;

namespace EdgeAgent.Analysis;

/// <summary>
/// The <c>--format text</c> form of an <see cref="AnalysisReport"/>: a summary (chart, limits source, σ, capability), then
/// one table row per point (index, statistic, center, limits, secondary, C±, rules) and the number of violations.
/// </summary>
internal static class TextReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The report; <paramref name="path"/> names the data in the first line. No trailing newline.</summary>
    public static string Write(AnalysisReport report, string path)
    {
        var s = new StringBuilder();
        WriteSummary(s, report, path);
        WriteTable(s, report);
        var total = report.Violations.Count;
        s.Append(Inv, $"{total} violation{(total == 1 ? string.Empty : "s")}");
        return s.ToString();
    }

    private static void WriteSummary(StringBuilder s, AnalysisReport report, string path)
    {
        var type = report.Chart;
        s.Append(Inv, $"{path}: {ChartTypes.Name(type)} chart, {report.Points.Length} points");
        s.Append(type.IsSubgrouped() ? $" (subgroups of {report.SubgroupSize})" : string.Empty);
        s.Append(report.LimitsFrom switch
        {
            LimitsSource.All => ", limits from all data",
            LimitsSource.Phase1 => $", limits from the first {report.LimitsSubgroups} subgroups",
            _ => ", fixed limits",
        });
        s.AppendLine();
        if (report.Sigma is { } sigma)
        {
            s.AppendLine(Inv, $"sigma within {G(sigma.Within)}, overall {G(sigma.Overall)}");
        }

        if (report.Capability is { } c)
        {
            s.AppendLine(Inv, $"capability: Cp {G(c.Cp)}  Cpk {G(c.Cpk)} (95% {G(c.CpkLower95)}..{G(c.CpkUpper95)})  Pp {G(c.Pp)}  Ppk {G(c.Ppk)}  Cpm {G(c.Cpm)}");
        }
    }

    private static void WriteTable(StringBuilder s, AnalysisReport report)
    {
        var type = report.Chart;
        var secondary = type.SecondaryKey();
        s.Append(Inv, $"{"index",6} {type.PrimaryKey(),12} {"center",12} {"lcl",12} {"ucl",12}");
        if (secondary is not null)
        {
            s.Append(Inv, $" {secondary,12} {secondary + " ucl",12}");
        }

        if (type == ChartType.Cusum)
        {
            s.Append(Inv, $" {"C+",12} {"C-",12}");
        }

        s.AppendLine("  rules");
        foreach (var p in report.Points)
        {
            s.Append(Inv, $"{p.Index,6} {G(p.Value),12} {G(p.Center),12} {G(p.Lcl),12} {G(p.Ucl),12}");
            if (secondary is not null)
            {
                s.Append(Inv, $" {G(p.Secondary),12} {G(p.SecondaryUcl),12}");
            }

            if (type == ChartType.Cusum)
            {
                s.Append(Inv, $" {G(p.CusumUpper),12} {G(p.CusumLower),12}");
            }

            s.Append("  ");
            s.AppendJoin(' ', SpcRuleNames.Each(p.Violations).Select(SpcRuleNames.Name));
            s.AppendLine();
        }
    }
}
