using System.Globalization;
using EdgeAgent.Spc;
using ScottPlot;
using SkiaSharp;
using static EdgeAgent.Analysis.ReportNumbers;

namespace EdgeAgent.Analysis;

/// <summary>
/// The control chart figure: the primary chart (x, x̄, p, np, c, u, EWMA, CUSUM) and, for imr, xbar-r and xbar-s, its
/// secondary chart (MR, R, S) below it on the same x axis. Each has its center line, UCL and LCL, labelled with their
/// values in the right margin (limits that vary per point, p/u/EWMA, are drawn as steps and labelled with the last
/// value); the 1σ/2σ zone lines when a zone rule is in use; the spec limits on the individuals chart; points that
/// violate a rule in red with the rule marks (<see cref="RuleText.Mark"/>); and the phase I / phase II boundary.
/// </summary>
internal sealed class ControlChartFigure : IFigure
{
    public const int FigureWidth = 960, PrimaryHeight = 400, SecondaryHeight = 260;

    /// <summary>Up to this many points each gets a dot; more would only blur the line (violations keep their red dot).</summary>
    public const int DotsUpTo = 300;

    /// <summary>Up to this many violating points each gets its rule marks; beyond, they would cover the chart (the report lists them).</summary>
    public const int MarksUpTo = 60;

    /// <summary>Left: y tick labels and axis title; right: the limit labels ("UCL = 74.01458").</summary>
    private const float Left = 80, Right = 140;

    private readonly Panel primary;
    private readonly Panel? secondary;

    public ControlChartFigure(AnalysisReport report, string source)
    {
        var type = report.Chart;
        var points = report.Points;
        double[] xs = [.. points.Select(p => (double)p.Index)];
        var (xMin, xMax) = xs.Length == 0 ? (-0.5, 0.5) : (xs[0] - 0.5, xs[^1] + 0.5);
        var bottomIsPrimary = type.SecondaryKey() is null;
        primary = new Panel(PrimaryHeight, top: 44, bottom: bottomIsPrimary ? 48 : 30);
        var plot = primary.Plot;
        plot.Title($"{source} — {Name(type)} chart, {Count(report)}");
        plot.YLabel(PrimaryAxis(type));
        if (type == ChartType.Cusum)
        {
            primary.Series(xs, [.. points.Select(p => p.CusumUpper)], FigureStyle.Series, "C+");
            primary.Series(xs, [.. points.Select(p => -p.CusumLower)], FigureStyle.Lower, "−C−");
            primary.Limit(xs, [.. points.Select(_ => report.H)], FigureStyle.Limit, LinePattern.Dashed, "H");
            primary.Limit(xs, [.. points.Select(_ => 0.0)], FigureStyle.Center, LinePattern.Solid, "CL");
            primary.Limit(xs, [.. points.Select(_ => -report.H)], FigureStyle.Limit, LinePattern.Dashed, "−H");
            plot.ShowLegend(Alignment.UpperLeft);
        }
        else
        {
            if (type != ChartType.Ewma && RuleText.UsesZones(report.Rules))
            {
                foreach (var k in new[] { -2.0, -1.0, 1.0, 2.0 })
                {
                    primary.Zone(xs, [.. points.Select(p => p.Center + k * p.Sigma)]);
                }
            }

            primary.Limit(xs, [.. points.Select(p => p.Ucl)], FigureStyle.Limit, LinePattern.Dashed, "UCL");
            primary.Limit(xs, [.. points.Select(p => p.Center)], FigureStyle.Center, LinePattern.Solid, "CL");
            primary.Limit(xs, [.. points.Select(p => p.Lcl)], FigureStyle.Limit, LinePattern.Dashed, "LCL");
            if (type == ChartType.Imr)
            {
                primary.Spec(report.Usl, "USL");
                primary.Spec(report.Target, "T");
                primary.Spec(report.Lsl, "LSL");
            }

            primary.Series(xs, [.. points.Select(p => p.Value)], FigureStyle.Series, null);
        }

        primary.Violations(points, type);
        if (report.LimitsFrom == LimitsSource.Phase1)
        {
            primary.PhaseBoundary(report.LimitsSubgroups - 0.5, labelled: true);
        }

        if (type.SecondaryKey() is { } key && report.Secondary is { } limits)
        {
            secondary = new Panel(SecondaryHeight, top: 14, bottom: 48);
            secondary.Plot.YLabel(key switch { "mr" => "Moving range", "r" => "Range", _ => "Standard deviation" });
            secondary.Limit(xs, [.. points.Select(_ => limits.Ucl)], FigureStyle.Limit, LinePattern.Dashed, "UCL");
            secondary.Limit(xs, [.. points.Select(_ => limits.Center)], FigureStyle.Center, LinePattern.Solid, "CL");
            secondary.Limit(xs, [.. points.Select(_ => limits.Lcl)], FigureStyle.Limit, LinePattern.Dashed, "LCL");
            secondary.Series(xs, [.. points.Select(p => p.Secondary)], FigureStyle.Series, null);
            if (report.LimitsFrom == LimitsSource.Phase1)
            {
                secondary.PhaseBoundary(report.LimitsSubgroups - 0.5, labelled: false);
            }
        }

        var bottom = secondary ?? primary;
        if (report.Timestamps is { } times)
        {
            // Points stay one per subgroup apart (a control chart's x is the sequence); the ticks name their times.
            bottom.Plot.XLabel("time (UTC)");
            foreach (var panel in new[] { primary, secondary })
            {
                panel?.TimeTicks(times, labelled: panel == bottom);
            }
        }
        else
        {
            bottom.Plot.XLabel(type.IsSubgrouped() || type.IsAttribute() ? "subgroup index" : "observation index");
        }
        primary.Fit(xMin, xMax);
        secondary?.Fit(xMin, xMax);
    }

    public int Width => FigureWidth;

    public int Height => PrimaryHeight + (secondary is null ? 0 : SecondaryHeight);

    public void Render(SKCanvas canvas, float top)
    {
        primary.Render(canvas, top);
        secondary?.Render(canvas, top + PrimaryHeight);
    }

    /// <summary>The chart's name as quality engineers write it.</summary>
    public static string Name(ChartType type) => type switch
    {
        ChartType.Imr => "I-MR",
        ChartType.XbarR => "X̄-R",
        ChartType.XbarS => "X̄-S",
        ChartType.Ewma => "EWMA",
        ChartType.Cusum => "tabular CUSUM",
        _ => ChartTypes.Name(type),
    };

    private static string Count(AnalysisReport report) => report.Chart switch
    {
        ChartType.XbarR or ChartType.XbarS => $"n = {report.SubgroupSize}, {report.Points.Length} subgroups",
        ChartType.P or ChartType.Np or ChartType.C or ChartType.U => $"{report.Points.Length} samples",
        _ => $"n = 1, {report.Points.Length} values",
    };

    private static string PrimaryAxis(ChartType type) => type switch
    {
        ChartType.Imr => "Individual value",
        ChartType.XbarR or ChartType.XbarS => "Subgroup mean X̄",
        ChartType.P => "Fraction nonconforming p",
        ChartType.Np => "Nonconforming np",
        ChartType.C => "Nonconformities c",
        ChartType.U => "Nonconformities per unit u",
        ChartType.Ewma => "EWMA z",
        _ => "Cumulative sum",
    };

    /// <summary>One chart of the figure: its plot, the values that set its y range and its right-margin labels.</summary>
    private sealed class Panel
    {
        /// <summary>The y range is kept within ±this: the library's axis arithmetic overflows beyond.</summary>
        private const double Extreme = 1e300;

        private readonly List<double> extent = [];
        private double? phaseLabel;
        private readonly List<(string Text, double Value, Color Color)> labels = [];
        private readonly int height;

        public Panel(int height, float top, float bottom)
        {
            this.height = height;
            Plot = new Plot();
            FigureStyle.Apply(Plot);
            Plot.Layout.Fixed(new PixelPadding(Left, Right, bottom, top));
        }

        public Plot Plot { get; }

        /// <summary>The plotted statistic: a line through the finite values with a dot per point.</summary>
        public void Series(double[] xs, double[] ys, Color color, string? legend)
        {
            var (fx, fy) = Finite(xs, ys);
            var s = Plot.Add.Scatter(fx, fy, color);
            s.LineWidth = xs.Length > DotsUpTo ? 1 : 1.5f;
            s.MarkerSize = xs.Length > DotsUpTo ? 0 : 5;
            s.MarkerShape = MarkerShape.FilledCircle;
            if (legend is not null)
            {
                s.LegendText = legend;
            }

            extent.AddRange(fy);
        }

        /// <summary>A center line or limit: straight when the same at every point, else a step per point; labelled with its last value.</summary>
        public void Limit(double[] xs, double[] values, Color color, LinePattern pattern, string name)
        {
            var (fx, fy) = Finite(xs, values);
            if (fy.Length == 0)
            {
                return;
            }

            if (fy.All(v => v == fy[0]))
            {
                Plot.Add.HorizontalLine(fy[0], 1.5f, color, pattern);
            }
            else
            {
                Steps(fx, fy, color, pattern, 1.5f);
            }

            extent.AddRange(fy);
            labels.Add(($"{name} = {G(fy[^1])}", fy[^1], color));
        }

        /// <summary>A 1σ or 2σ zone line (unlabelled, thin and dotted).</summary>
        public void Zone(double[] xs, double[] values)
        {
            var (fx, fy) = Finite(xs, values);
            if (fy.Length > 0 && fy.All(v => v == fy[0]))
            {
                Plot.Add.HorizontalLine(fy[0], 1, FigureStyle.Zone, LinePattern.Dotted);
            }
            else if (fy.Length > 0)
            {
                Steps(fx, fy, FigureStyle.Zone, LinePattern.Dotted, 1);
            }
        }

        /// <summary>A specification limit or target, when given.</summary>
        public void Spec(double? value, string name)
        {
            if (value is not { } v)
            {
                return;
            }

            Plot.Add.HorizontalLine(v, 1.5f, FigureStyle.Spec, name == "T" ? LinePattern.Dotted : LinePattern.DenselyDashed);
            extent.Add(v);
            labels.Add(($"{name} = {G(v)}", v, FigureStyle.Spec));
        }

        /// <summary>A red dot on every point that violates a rule and, up to <see cref="MarksUpTo"/> such points, the rules' marks above it.</summary>
        public void Violations(SubgroupResult[] points, ChartType type)
        {
            var marked = points.Count(p => p.Violations != SpcRules.None) <= MarksUpTo;
            foreach (var p in points)
            {
                if (p.Violations == SpcRules.None)
                {
                    continue;
                }

                // CUSUM: the sum that crossed H carries the mark.
                var y = type == ChartType.Cusum ? (p.CusumLower > p.CusumUpper ? -p.CusumLower : p.CusumUpper) : p.Value;
                if (!double.IsFinite(y))
                {
                    continue;
                }

                Plot.Add.Marker(p.Index, y, MarkerShape.FilledCircle, 10, FigureStyle.Violation);
                if (!marked)
                {
                    continue;
                }

                var mark = Plot.Add.Text(RuleText.Marks(p.Violations), p.Index, y);
                mark.LabelStyle.FontName = FigureStyle.Font;
                mark.LabelStyle.FontSize = 11;
                mark.LabelStyle.Bold = true;
                mark.LabelStyle.ForeColor = FigureStyle.Violation;
                mark.LabelStyle.Alignment = Alignment.LowerCenter;
                mark.OffsetY = -7;
            }
        }

        /// <summary>The line between the subgroups the limits came from and the rest.</summary>
        public void PhaseBoundary(double x, bool labelled)
        {
            Plot.Add.VerticalLine(x, 1.5f, FigureStyle.Phase, LinePattern.DenselyDashed);
            phaseLabel = labelled ? x : null;
        }

        /// <summary>Integer ticks labelled with the time of that point (date and time when the data spans more than a day).</summary>
        public void TimeTicks(IReadOnlyList<DateTimeOffset> times, bool labelled)
        {
            var format = times.Count > 0 && (times[^1] - times[0]).Duration() > TimeSpan.FromDays(1) ? "yyyy-MM-dd HH:mm" : "HH:mm:ss";
            Plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                IntegerTicksOnly = true,
                LabelFormatter = x =>
                {
                    var i = (int)Math.Round(x);
                    return labelled && i >= 0 && i < times.Count ? times[i].UtcDateTime.ToString(format, CultureInfo.InvariantCulture) : string.Empty;
                },
            };
        }

        /// <summary>Shared x range; y range over every drawn value with 10 % headroom (the rule marks sit above points).</summary>
        public void Fit(double xMin, double xMax)
        {
            Plot.Axes.SetLimitsX(xMin, xMax);
            var finite = extent.Where(double.IsFinite).ToArray();
            var (lo, hi) = finite.Length == 0 ? (0.0, 1.0) : (finite.Min(), finite.Max());
            if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi)))
            {
                (lo, hi) = (lo - 1, hi + 1);
            }

            // Tenths first: hi − lo itself may overflow for values near ±double.MaxValue.
            var pad = hi * 0.1 - lo * 0.1;
            Plot.Axes.SetLimitsY(Math.Max(lo - pad, -Extreme), Math.Min(hi + pad, Extreme));

            // Inside the plot at its top edge: above it the label would run into the title.
            if (phaseLabel is { } px)
            {
                var label = Plot.Add.Text("phase I | phase II", px, Math.Min(hi + pad, Extreme));
                label.LabelStyle.FontName = FigureStyle.Font;
                label.LabelStyle.FontSize = 11;
                label.LabelStyle.ForeColor = Colors.White;
                label.LabelStyle.BackgroundColor = FigureStyle.Phase;
                label.LabelStyle.Padding = 3;
                label.LabelStyle.Alignment = Alignment.UpperCenter;
                label.OffsetY = 4;
            }
        }

        /// <summary>Draws the plot in its band of the figure, then the limit labels in the right margin, kept 15 px apart.</summary>
        public void Render(SKCanvas canvas, float top)
        {
            FigureStyle.Render(Plot, canvas, new PixelRect(0, FigureWidth, top + height, top));
            var data = Plot.LastRender.DataRect;
            var placed = labels
                .Select(l => (l.Text, l.Color, Y: Plot.GetPixel(new Coordinates(0, l.Value)).Y))
                .OrderBy(l => l.Y)
                .ToList();
            const float Gap = 15;
            for (int i = 1; i < placed.Count; i++)
            {
                if (placed[i].Y - placed[i - 1].Y < Gap)
                {
                    placed[i] = placed[i] with { Y = placed[i - 1].Y + Gap };
                }
            }

            // Pushed past the bottom of the band: shift the whole stack back up.
            var overflow = placed.Count == 0 ? 0 : placed[^1].Y - (top + height - 8);
            using var paint = Paint.NewDisposablePaint();
            foreach (var (text, color, y) in placed)
            {
                var label = FigureStyle.Label(text, color);
                label.Render(canvas, new Pixel(data.Right + 6, Math.Max(top + 8, y - Math.Max(0, overflow))), paint);
            }
        }

        private void Steps(double[] xs, double[] ys, Color color, LinePattern pattern, float width)
        {
            var sx = new double[xs.Length * 2];
            var sy = new double[xs.Length * 2];
            for (int i = 0; i < xs.Length; i++)
            {
                (sx[2 * i], sx[2 * i + 1]) = (xs[i] - 0.5, xs[i] + 0.5);
                (sy[2 * i], sy[2 * i + 1]) = (ys[i], ys[i]);
            }

            var s = Plot.Add.Scatter(sx, sy, color);
            s.LineWidth = width;
            s.LinePattern = pattern;
            s.MarkerSize = 0;
        }

        private static (double[] Xs, double[] Ys) Finite(double[] xs, double[] ys)
        {
            var keep = Enumerable.Range(0, ys.Length).Where(i => double.IsFinite(ys[i])).ToArray();
            return ([.. keep.Select(i => xs[i])], [.. keep.Select(i => ys[i])]);
        }
    }
}
