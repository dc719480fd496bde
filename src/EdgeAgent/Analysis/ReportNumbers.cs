using System.Globalization;

namespace EdgeAgent.Analysis;

/// <summary>How the text report and the SVG labels print a number.</summary>
internal static class ReportNumbers
{
    /// <summary>Seven significant digits, invariant culture; NaN (undefined) as <c>-</c>.</summary>
    public static string G(double v) => double.IsNaN(v) ? "-" : v.ToString("G7", CultureInfo.InvariantCulture);
}
