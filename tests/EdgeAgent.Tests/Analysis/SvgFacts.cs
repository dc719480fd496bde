using System.Globalization;
using System.Xml.Linq;

namespace EdgeAgent.Tests.Analysis;

/// <summary>
/// What an SVG drawn by Skia's SVG canvas holds, read back as facts: its view box, every <c>&lt;text&gt;</c> with its
/// string and an estimated bounding box, and every filled ellipse (a marker) with its fill colour and centre.
/// Skia writes a text as <c>&lt;text transform="translate(x y)|matrix(…)" font-size="…" x="glyph origins, …" y="…"&gt;</c>.
/// </summary>
internal sealed record SvgFacts(double Width, double Height, IReadOnlyList<SvgText> Texts, IReadOnlyList<SvgMarker> Markers)
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public static SvgFacts Parse(string svg) => From(XElement.Parse(svg));

    public static SvgFacts From(XElement root)
    {
        var box = ((string?)root.Attribute("viewBox") ?? throw new InvalidDataException("the svg has no viewBox")).Split(' ').Select(Number).ToArray();
        var texts = root.Descendants(Svg + "text").Select(ReadText).ToList();
        var markers = root.Descendants(Svg + "ellipse")
            .Select(e => new SvgMarker(((string?)e.Attribute("fill") ?? string.Empty).ToUpperInvariant(), Number((string)e.Attribute("cx")!), Number((string)e.Attribute("cy")!), Number((string)e.Attribute("rx")!)))
            .ToList();
        return new SvgFacts(box[2], box[3], texts, markers);
    }

    /// <summary>The texts whose string is exactly <paramref name="text"/>.</summary>
    public IEnumerable<SvgText> Named(string text) => Texts.Where(t => t.Text == text);

    private static SvgText ReadText(XElement e)
    {
        var size = Number((string?)e.Attribute("font-size") ?? "12");
        var xs = List((string?)e.Attribute("x"));
        var y = List((string?)e.Attribute("y")).DefaultIfEmpty(0).First();
        var m = Matrix((string?)e.Attribute("transform"));

        // Glyph origins span the text but the last glyph's advance; a glyph is at most one em wide. Ascent ≤ 1 em, descent ≤ 0.3 em.
        var (left, right) = xs.Count == 0 ? (0, 0) : (xs.Min(), xs.Max() + size);
        var (top, bottom) = (y - size, y + 0.3 * size);
        var corners = new[] { (left, top), (right, top), (left, bottom), (right, bottom) }
            .Select(p => (X: m[0] * p.Item1 + m[2] * p.Item2 + m[4], Y: m[1] * p.Item1 + m[3] * p.Item2 + m[5]))
            .ToArray();
        return new SvgText(e.Value.Trim(), corners.Min(c => c.X), corners.Min(c => c.Y), corners.Max(c => c.X), corners.Max(c => c.Y), m[4], m[5] + y);
    }

    /// <summary>a b c d e f of <c>translate(e f)</c> or <c>matrix(a b c d e f)</c>; identity when absent.</summary>
    private static double[] Matrix(string? transform)
    {
        if (string.IsNullOrEmpty(transform))
        {
            return [1, 0, 0, 1, 0, 0];
        }

        var open = transform.IndexOf('(', StringComparison.Ordinal);
        var args = transform[(open + 1)..transform.IndexOf(')', StringComparison.Ordinal)]
            .Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Select(Number).ToArray();
        return transform.StartsWith("translate", StringComparison.Ordinal)
            ? [1, 0, 0, 1, args[0], args.Length > 1 ? args[1] : 0]
            : transform.StartsWith("matrix", StringComparison.Ordinal) ? args : throw new InvalidDataException($"unexpected transform '{transform}'");
    }

    private static List<double> List(string? text) =>
        (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Number).ToList();

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}

/// <summary>A text, its estimated bounding box and its anchor (where its baseline starts).</summary>
internal sealed record SvgText(string Text, double Left, double Top, double Right, double Bottom, double X, double Y);

/// <summary>A filled ellipse: fill as <c>#RRGGBB</c> upper case, centre and x radius.</summary>
internal sealed record SvgMarker(string Fill, double X, double Y, double Radius);
