using EdgeAgent.Spc;

namespace EdgeAgent.Analysis;

/// <summary>
/// What both plot formats draw, one entry per point: the plotted series, center, limits, 1σ/2σ zone lines and which
/// points violate a rule. CUSUM plots C+ above and −C− below (<see cref="Second"/>) against ±H.
/// </summary>
internal sealed record PlotModel(string Title, double[] Values, double[] Center, double[] Ucl, double[] Lcl, double[][] Zones, bool[] Violated, double[]? Second, string? SecondName)
{
    public const int Width = 960, Height = 420, Margin = 50;

    public static PlotModel From(AnalysisReport report, string title)
    {
        var pts = report.Points;
        var type = report.Chart;
        if (type == ChartType.Cusum)
        {
            var h = report.H;
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

    /// <summary>Pixel x of point i and pixel y of a value: every finite value fits, with 8 % padding above and below.</summary>
    public (Func<int, double> X, Func<double, double> Y) Scales()
    {
        var all = Values.Concat(Ucl).Concat(Lcl).Concat(Center).Concat(Second ?? []).Where(double.IsFinite).ToArray();
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
        var count = Math.Max(1, Values.Length - 1);
        return (i => Margin + (Width - 2.0 * Margin) * i / count, v => Height - Margin - (Height - 2.0 * Margin) * (v - min) / (max - min));
    }
}
