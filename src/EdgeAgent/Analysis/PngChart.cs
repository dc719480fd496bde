namespace EdgeAgent.Analysis;

/// <summary>
/// The same drawing as <see cref="SvgChart"/> (without text) rasterized into an RGB image and encoded by
/// <see cref="PngEncoder"/>: dashed limit and zone lines, solid center and series, a dot per point (violations larger, red).
/// </summary>
internal static class PngChart
{
    private static readonly (byte, byte, byte) Zone = (187, 187, 187), Limit = (214, 39, 40), CenterLine = (44, 160, 44),
        Series = (31, 119, 180), Lower = (148, 103, 189);

    public static byte[] Draw(AnalysisReport report)
    {
        var m = PlotModel.From(report, string.Empty);
        var canvas = new Canvas(m.Scales());
        foreach (var zone in m.Zones)
        {
            canvas.Line(zone, Zone, 3);
        }

        canvas.Line(m.Ucl, Limit, 6);
        canvas.Line(m.Lcl, Limit, 6);
        canvas.Line(m.Center, CenterLine, 0);
        canvas.Line(m.Values, Series, 0);
        if (m.Second is { } second)
        {
            canvas.Line(second, Lower, 0);
        }

        for (int i = 0; i < m.Values.Length; i++)
        {
            if (double.IsFinite(m.Values[i]))
            {
                canvas.Dot(i, m.Values[i], m.Violated[i] ? 5 : 2, m.Violated[i] ? Limit : Series);
            }
        }

        return PngEncoder.Encode(PlotModel.Width, PlotModel.Height, canvas.Pixels);
    }

    /// <summary>A white <see cref="PlotModel.Width"/> × <see cref="PlotModel.Height"/> RGB image drawn in data coordinates.</summary>
    private sealed class Canvas((Func<int, double> X, Func<double, double> Y) scales)
    {
        private const int W = PlotModel.Width, H = PlotModel.Height;

        public byte[] Pixels { get; } = NewWhite();

        /// <summary>Straight segments between consecutive finite values; a single value is a short horizontal tick.</summary>
        public void Line(double[] v, (byte, byte, byte) c, int dash)
        {
            var (x, y) = scales;
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

        /// <summary>A filled disc of radius <paramref name="r"/> pixels at point <paramref name="i"/>, value <paramref name="value"/>.</summary>
        public void Dot(int i, double value, int r, (byte, byte, byte) c)
        {
            var (cx, cy) = (scales.X(i), scales.Y(value));
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

        private static byte[] NewWhite()
        {
            var pixels = new byte[W * H * 3];
            Array.Fill(pixels, (byte)255);
            return pixels;
        }

        /// <summary>One pixel per step along the longer axis; with <paramref name="dash"/> &gt; 0, every other run of that many is left out.</summary>
        private void Segment(double x0, double y0, double x1, double y1, (byte, byte, byte) c, int dash)
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

        private void Set(int px, int py, (byte R, byte G, byte B) c)
        {
            if (px >= 0 && px < W && py >= 0 && py < H)
            {
                var o = (py * W + px) * 3;
                (Pixels[o], Pixels[o + 1], Pixels[o + 2]) = c;
            }
        }
    }
}
