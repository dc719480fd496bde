using System.Text;
using ScottPlot;
using SkiaSharp;

namespace EdgeAgent.Analysis;

/// <summary>A drawing of a fixed size that renders onto a canvas at a given top offset (figures stack vertically).</summary>
internal interface IFigure
{
    int Width { get; }

    int Height { get; }

    void Render(SKCanvas canvas, float top);
}

/// <summary>
/// Figures stacked top to bottom as one SVG (Skia's SVG canvas: text stays <c>&lt;text&gt;</c>, a <c>viewBox</c> is added
/// so the drawing scales in a page) or one PNG (Skia raster, the same drawing).
/// </summary>
internal static class Figures
{
    /// <summary>What <c>--plot</c> draws: the control chart figure, and the capability figure when there is capability.</summary>
    public static IReadOnlyList<IFigure> For(AnalysisReport report, string source) =>
        report.Capability is { } c && report.Individuals.Length > 0
            ? [new ControlChartFigure(report, source), new CapabilityFigure(report, source, c)]
            : [new ControlChartFigure(report, source)];

    public static string Svg(IReadOnlyList<IFigure> figures)
    {
        var (width, height) = Size(figures);
        var stream = new MemoryStream();
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
        {
            Draw(canvas, figures);
        }

        var svg = Encoding.UTF8.GetString(stream.ToArray());
        var open = svg.IndexOf("<svg ", StringComparison.Ordinal);
        return open < 0 ? svg : svg[open..].Insert("<svg ".Length, FormattableString.Invariant($"viewBox=\"0 0 {width} {height}\" "));
    }

    public static byte[] Png(IReadOnlyList<IFigure> figures)
    {
        var (width, height) = Size(figures);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"cannot allocate a {width} x {height} image");
        Draw(surface.Canvas, figures);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static (int Width, int Height) Size(IReadOnlyList<IFigure> figures) => (figures.Max(f => f.Width), figures.Sum(f => f.Height));

    private static void Draw(SKCanvas canvas, IReadOnlyList<IFigure> figures)
    {
        var (width, height) = Size(figures);
        using (var white = new SKPaint { Color = SKColors.White })
        {
            canvas.DrawRect(0, 0, width, height, white);
        }

        float top = 0;
        foreach (var figure in figures)
        {
            figure.Render(canvas, top);
            top += figure.Height;
        }
    }
}

/// <summary>Fonts and colours every figure uses.</summary>
internal static class FigureStyle
{
    /// <summary>DejaVu (Debian's fonts-dejavu-core) when installed, else what the plotting library finds.</summary>
    public static readonly string Font = Installed("DejaVu Sans") ?? Fonts.Default;

    public static readonly string Mono = Installed("DejaVu Sans Mono") ?? Fonts.Monospace;

    public static readonly Color Series = Color.FromHex("#1F77B4"), Lower = Color.FromHex("#9467BD"), Limit = Color.FromHex("#D62728"),
        Center = Color.FromHex("#2CA02C"), Zone = Color.FromHex("#999999"), Spec = Color.FromHex("#FF7F0E"), Phase = Color.FromHex("#555555"),
        Violation = Color.FromHex("#D62728"), Bars = Color.FromHex("#9ECAE1"), Text = Color.FromHex("#222222");

    /// <summary><paramref name="family"/> when a font of that family is installed (the library substitutes another for a missing one).</summary>
    private static string? Installed(string family) =>
        string.Equals(Fonts.GetTypeface(family, false, false)?.FamilyName, family, StringComparison.Ordinal) ? family : null;

    /// <summary>
    /// The same fonts on every label of <paramref name="plot"/>; no clearing of the canvas before the plot renders (the
    /// plots of a figure share one canvas, and Skia's SVG canvas writes a clear as a black rectangle over everything).
    /// </summary>
    public static void Apply(Plot plot)
    {
        plot.RenderManager.ClearCanvasBeforeEachRender = false;
        plot.Font.Set(Font);
        plot.Axes.Title.Label.FontSize = 15;
    }

    /// <summary>Renders <paramref name="plot"/> into <paramref name="band"/>, nothing of it outside.</summary>
    public static void Render(Plot plot, SKCanvas canvas, PixelRect band)
    {
        // The library renders a plot twice when its first render settles the axes; a first pass that draws nothing
        // keeps the SVG to one copy of each element.
        using (var nothing = new SKNoDrawCanvas((int)band.Right, (int)band.Bottom))
        {
            plot.Render(nothing, band);
        }

        canvas.Save();
        canvas.ClipRect(new SKRect(band.Left, band.Top, band.Right, band.Bottom));
        plot.Render(canvas, band);
        canvas.Restore();
    }

    /// <summary>A label in the given font, size and colour.</summary>
    public static LabelStyle Label(string text, Color color, float size = 12, string? font = null, Alignment alignment = Alignment.MiddleLeft) => new()
    {
        Text = text,
        FontName = font ?? Font,
        FontSize = size,
        ForeColor = color,
        Alignment = alignment,
    };
}
