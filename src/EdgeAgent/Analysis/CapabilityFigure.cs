using EdgeAgent.Spc;
using ScottPlot;
using SkiaSharp;
using static EdgeAgent.Analysis.ReportNumbers;

namespace EdgeAgent.Analysis;

/// <summary>
/// The capability figure: a histogram of the individual values with the LSL, USL and target lines (labelled above the
/// plot), the normal curves for σ within (solid) and σ overall (dashed) scaled to the histogram, and a table of Cp,
/// Cpk with its 95 % interval, Pp, Ppk and Cpm in the right margin.
/// </summary>
internal sealed class CapabilityFigure : IFigure
{
    public const int FigureWidth = 960, FigureHeight = 400;

    /// <summary>Right margin: the table of indices.</summary>
    private const float Right = 250;

    private readonly Plot plot = new();
    private readonly List<(string Text, double X, Color Color)> lines = [];
    private readonly (string Name, string Value)[] table;

    public CapabilityFigure(AnalysisReport report, string source, Capability c)
    {
        FigureStyle.Apply(plot);
        plot.Layout.Fixed(new PixelPadding(80, Right, 48, 62));
        var values = report.Individuals;
        plot.Title($"{source} — capability, N = {values.Length}");
        plot.XLabel("Individual value");
        plot.YLabel("Count");

        var lo = values.Length == 0 ? 0 : values.Min();
        var hi = values.Length == 0 ? 1 : values.Max();
        var bins = Math.Clamp((int)Math.Ceiling(Math.Sqrt(values.Length)), 5, 40);
        // Divided before subtracting: hi − lo overflows for values near ±double.MaxValue.
        var width = hi > lo ? hi / bins - lo / bins : 1;
        if (width <= 0 || !double.IsFinite(width))
        {
            width = 1;
        }

        var counts = new double[bins];
        foreach (var v in values)
        {
            var bin = v / width - lo / width;
            counts[double.IsFinite(bin) ? Math.Clamp((int)bin, 0, bins - 1) : 0]++;
        }

        var bars = plot.Add.Bars(Enumerable.Range(0, bins).Select(i => lo + (i + 0.5) * width), counts);
        foreach (var bar in bars.Bars)
        {
            bar.Size = width;
            bar.FillColor = FigureStyle.Bars;
            bar.LineColor = FigureStyle.Series;
            bar.LineWidth = 1;
        }

        // The x range covers the data, the spec limits and ±3.5 σ overall around the mean.
        var span = new List<double> { lo, hi };
        span.AddRange(new[] { report.Lsl, report.Usl, report.Target }.OfType<double>());
        foreach (var sigma in new[] { c.SigmaWithin, c.SigmaOverall }.Where(s => double.IsFinite(s) && s > 0))
        {
            span.Add(c.Mean - 3.5 * sigma);
            span.Add(c.Mean + 3.5 * sigma);
        }

        // Within ±1e300: the library's axis arithmetic overflows beyond (the data there is simply off the plot).
        const double Extreme = 1e300;
        var finite = span.Where(double.IsFinite).Select(v => Math.Clamp(v, -Extreme, Extreme)).ToArray();
        var (xMin, xMax) = (finite.Min(), finite.Max());
        if (xMax - xMin <= Math.Abs(xMax) * 1e-12)
        {
            (xMin, xMax) = (xMin - Math.Max(1, Math.Abs(xMin) * 0.1), xMax + Math.Max(1, Math.Abs(xMax) * 0.1));
        }

        var pad = xMax * 0.03 - xMin * 0.03;
        (xMin, xMax) = (xMin - pad, xMax + pad);
        var peak = counts.Length == 0 ? 1 : counts.Max();
        peak = Curve(c.Mean, c.SigmaWithin, values.Length * width, xMin, xMax, LinePattern.Solid, "within σ", peak);
        peak = Curve(c.Mean, c.SigmaOverall, values.Length * width, xMin, xMax, LinePattern.Dashed, "overall σ", peak);
        Line(report.Lsl, "LSL", FigureStyle.Limit, LinePattern.DenselyDashed);
        Line(report.Usl, "USL", FigureStyle.Limit, LinePattern.DenselyDashed);
        Line(report.Target, "T", FigureStyle.Center, LinePattern.Dotted);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.SetLimits(xMin, xMax, 0, Math.Min(peak * 1.12, Extreme));

        table = Rows(c);
    }

    public int Width => FigureWidth;

    public int Height => FigureHeight;

    /// <summary>The rows of the index table (the HTML report prints the same).</summary>
    public static (string Name, string Value)[] Rows(Capability c) =>
    [
        ("Cp", G(c.Cp)), ("Cpk", G(c.Cpk)), ("Cpk 95 %", double.IsFinite(c.CpkLower95) ? $"{G(c.CpkLower95)} – {G(c.CpkUpper95)}" : "-"),
        ("Pp", G(c.Pp)), ("Ppk", G(c.Ppk)), ("Cpm", G(c.Cpm)),
        ("mean", G(c.Mean)), ("σ within", G(c.SigmaWithin)), ("σ overall", G(c.SigmaOverall)), ("N", G(c.N)),
    ];

    public void Render(SKCanvas canvas, float top)
    {
        FigureStyle.Render(plot, canvas, new PixelRect(0, FigureWidth, top + FigureHeight, top));
        var data = plot.LastRender.DataRect;
        using var paint = Paint.NewDisposablePaint();
        float previous = float.NegativeInfinity;
        foreach (var (text, x, color) in lines.OrderBy(l => l.X))
        {
            // Labels of lines closer than a label's width go one row higher.
            var px = plot.GetPixel(new Coordinates(x, 0)).X;
            var row = px - previous < 90 ? 1 : 0;
            previous = row == 0 ? px : float.NegativeInfinity;
            FigureStyle.Label(text, color, alignment: Alignment.LowerCenter).Render(canvas, new Pixel(px, data.Top - 4 - row * 15), paint);
        }

        var y = data.Top + 4;
        foreach (var (name, value) in table)
        {
            FigureStyle.Label(name, FigureStyle.Text, 12, FigureStyle.Mono, Alignment.UpperLeft).Render(canvas, new Pixel(data.Right + 14, y), paint);
            FigureStyle.Label(value, FigureStyle.Text, 12, FigureStyle.Mono, Alignment.UpperLeft).Render(canvas, new Pixel(data.Right + 86, y), paint);
            y += 18;
        }
    }

    /// <summary>The normal density N(mean, σ) scaled by the histogram's area; returns the larger of its peak and <paramref name="peak"/>.</summary>
    private double Curve(double mean, double sigma, double area, double xMin, double xMax, LinePattern pattern, string legend, double peak)
    {
        if (!double.IsFinite(sigma) || sigma <= 0 || !double.IsFinite(mean))
        {
            return peak;
        }

        const int Steps = 200;
        var xs = new double[Steps + 1];
        var ys = new double[Steps + 1];
        for (int i = 0; i <= Steps; i++)
        {
            xs[i] = xMin + (xMax - xMin) * i / Steps;
            var z = (xs[i] - mean) / sigma;
            ys[i] = area * Math.Exp(-0.5 * z * z) / (sigma * Math.Sqrt(2 * Math.PI));
        }

        if (!ys.All(double.IsFinite))
        {
            return peak;
        }

        var s = plot.Add.Scatter(xs, ys, FigureStyle.Text);
        s.LineWidth = 1.5f;
        s.LinePattern = pattern;
        s.MarkerSize = 0;
        s.LegendText = legend;
        return Math.Max(peak, ys.Max());
    }

    private void Line(double? value, string name, Color color, LinePattern pattern)
    {
        if (value is { } v)
        {
            plot.Add.VerticalLine(v, 2, color, pattern);
            lines.Add(($"{name} = {G(v)}", v, color));
        }
    }
}
