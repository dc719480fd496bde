using System.Globalization;
using System.Text;
using EdgeAgent.Spc;
using static EdgeAgent.Analysis.ReportNumbers;

namespace EdgeAgent.Analysis;

/// <summary>
/// The chart as SVG: zone lines, limits, center, the plotted series, the last point's UCL/LCL labels, and a circle
/// per point (violations larger, class <c>violation</c>, with a <c>&lt;title&gt;</c> naming the rules).
/// </summary>
internal static class SvgChart
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Draw(AnalysisReport report, string title)
    {
        var m = PlotModel.From(report, title);
        var (x, y) = m.Scales();
        var s = new StringBuilder();
        s.AppendLine(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{PlotModel.Width}\" height=\"{PlotModel.Height}\" viewBox=\"0 0 {PlotModel.Width} {PlotModel.Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        s.AppendLine(Inv, $"<rect width=\"{PlotModel.Width}\" height=\"{PlotModel.Height}\" fill=\"white\"/>");
        s.AppendLine(Inv, $"<text x=\"{PlotModel.Margin}\" y=\"24\" font-size=\"14\">{Escape(m.Title)}</text>");
        foreach (var zone in m.Zones)
        {
            Line(s, x, y, zone, "#bbbbbb", "3,3", "zone");
        }

        Line(s, x, y, m.Ucl, "#d62728", "6,3", "ucl");
        Line(s, x, y, m.Lcl, "#d62728", "6,3", "lcl");
        Line(s, x, y, m.Center, "#2ca02c", string.Empty, "center");
        Line(s, x, y, m.Values, "#1f77b4", string.Empty, "points");
        if (m.Second is { } second)
        {
            Line(s, x, y, second, "#9467bd", string.Empty, "points-lower");
        }

        var last = m.Values.Length - 1;
        if (last >= 0)
        {
            s.AppendLine(Inv, $"<text x=\"{x(last) + 4:F1}\" y=\"{y(m.Ucl[last]) - 3:F1}\" fill=\"#d62728\">UCL {G(m.Ucl[last])}</text>");
            s.AppendLine(Inv, $"<text x=\"{x(last) + 4:F1}\" y=\"{y(m.Lcl[last]) + 12:F1}\" fill=\"#d62728\">LCL {G(m.Lcl[last])}</text>");
        }

        Markers(s, x, y, m, report.Points);
        s.AppendLine("</svg>");
        return s.ToString();
    }

    /// <summary>One path through the finite values of <paramref name="v"/> (none when there is none).</summary>
    private static void Line(StringBuilder s, Func<int, double> x, Func<double, double> y, double[] v, string stroke, string dash, string cls)
    {
        var d = new StringBuilder();
        for (int i = 0; i < v.Length; i++)
        {
            if (double.IsFinite(v[i]))
            {
                d.Append(Inv, $"{(d.Length == 0 ? "M" : " L")}{x(i):F1},{y(v[i]):F1}");
            }
        }

        if (d.Length > 0)
        {
            s.AppendLine(Inv, $"<path class=\"{cls}\" d=\"{d}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.2\"{(dash.Length > 0 ? $" stroke-dasharray=\"{dash}\"" : string.Empty)}/>");
        }
    }

    /// <summary>A circle per finite point; a CUSUM violation is marked on whichever sum is the larger.</summary>
    private static void Markers(StringBuilder s, Func<int, double> x, Func<double, double> y, PlotModel m, SubgroupResult[] points)
    {
        for (int i = 0; i < m.Values.Length; i++)
        {
            if (!double.IsFinite(m.Values[i]))
            {
                continue;
            }

            var rules = string.Join(' ', SpcRuleNames.Each(points[i].Violations).Select(SpcRuleNames.Name));
            var v = m.Violated[i] && m.Second is { } sec && points[i].CusumLower > points[i].CusumUpper ? sec[i] : m.Values[i];
            if (m.Violated[i])
            {
                s.AppendLine(Inv, $"<circle class=\"violation\" cx=\"{x(i):F1}\" cy=\"{y(v):F1}\" r=\"5\" fill=\"#d62728\"><title>#{i}: {rules}</title></circle>");
            }
            else
            {
                s.AppendLine(Inv, $"<circle cx=\"{x(i):F1}\" cy=\"{y(m.Values[i]):F1}\" r=\"2.5\" fill=\"#1f77b4\"/>");
            }
        }
    }

    private static string Escape(string t) => t.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
