using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Xml;
using CsCheck;
using EdgeAgent.Analysis;
using EdgeAgent.Spc;
using System.Xml.Linq;
using EdgeAgent.Cli;
using EdgeAgent.Tests.Spc;
using SkiaSharp;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Analysis;

/// <summary>
/// The figures of <c>spc analyze --plot</c> and <c>--report</c>, rendered for real and checked as facts: the texts and
/// markers in the SVG, the pixels of the PNG (decoded by SkiaSharp), the tables of the HTML, and the HTML as headless
/// Chromium renders it.
/// </summary>
public sealed class FigureTests : IDisposable
{
    private const string PChart = "count,size\n12,50\n15,50\n8,50\n10,50\n4,50\n7,50\n16,50\n9,50\n14,50\n10,50\n5,50\n6,50\n17,50\n12,50\n22,50\n8,50\n10,50\n5,50\n13,50\n11,50\n20,50\n18,50\n24,50\n15,50\n9,50\n12,50\n7,50\n13,50\n9,50\n12,100\n";

    /// <summary>Montgomery Table 9.1 (CUSUM example): μ0 = 10, σ = 1, a shift of 1σ from observation 21 on.</summary>
    private const string Table91 = "9.45\n7.99\n9.29\n11.66\n12.16\n10.18\n8.04\n11.46\n9.20\n10.34\n9.03\n11.47\n10.51\n9.40\n10.08\n9.37\n10.62\n10.31\n8.52\n10.84\n10.90\n9.33\n12.29\n11.50\n10.60\n11.08\n10.38\n11.62\n11.31\n10.52\n";

    private const string Series = "#1F77B4", Violation = "#D62728";

    private readonly string dir = Directory.CreateTempSubdirectory("spc-figures-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Csv(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => InProcessCli.RunAsync(args);

    /// <summary>Runs <c>spc analyze ARGS --plot NAME</c> and returns the JSON report and the plot's path.</summary>
    private async Task<(JsonElement Report, string Plot)> Plot(string name, string csv, params string[] args)
    {
        var plot = Path.Combine(dir, name);
        var (code, stdout, stderr) = await Run([.. args, "--plot", plot, csv]);
        Assert.True(code == 0, stderr);
        Assert.Empty(stderr);
        return (JsonDocument.Parse(stdout).RootElement.Clone(), plot);
    }

    private static double LabelValue(SvgFacts svg, string prefix, double top, double bottom)
    {
        var label = Assert.Single(svg.Texts, t => t.Text.StartsWith(prefix + " = ", StringComparison.Ordinal) && t.Y > top && t.Y < bottom);
        return double.Parse(label.Text[(prefix.Length + 3)..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Piston_ring_xbar_r_svg_labels_cl_ucl_lcl_of_both_charts_with_the_textbook_values()
    {
        var csv = Csv("piston.csv", SpcAnalyzeCommandTests.PistonRings);
        var (_, plot) = await Plot("piston.svg", csv, "spc", "analyze", "--chart", "xbar-r", "--lsl", "73.95", "--usl", "74.05");
        var svg = SvgFacts.Parse(File.ReadAllText(plot));

        // X̄ chart in the top 400 px, R chart below it (Montgomery: 74.0012 ± 0.0134; R̄ 0.02324, D4·R̄ 0.0491, 0).
        Assert.Equal(74.0146, LabelValue(svg, "UCL", 0, 400), 4);
        Assert.Equal(74.0012, LabelValue(svg, "CL", 0, 400), 4);
        Assert.Equal(73.9878, LabelValue(svg, "LCL", 0, 400), 4);
        Assert.Equal(0.04914, LabelValue(svg, "UCL", 400, 660), 5);
        Assert.Equal(0.02324, LabelValue(svg, "CL", 400, 660), 6);
        Assert.Equal(0.0, LabelValue(svg, "LCL", 400, 660));
        Assert.Single(svg.Texts, t => t.Text.Contains("piston.csv — X̄-R chart, n = 5, 25 subgroups", StringComparison.Ordinal));
        Assert.Single(svg.Named("Range"));
        Assert.Single(svg.Named("subgroup index"));

        // Capability figure below: spec limits labelled, the index table (Cp = 0.1/(6·0.009992) = 1.668).
        Assert.Equal(73.95, LabelValue(svg, "LSL", 660, 1060));
        Assert.Equal(74.05, LabelValue(svg, "USL", 660, 1060));
        var cp = svg.Named("Cp").Single();
        var value = svg.Texts.Single(t => Math.Abs(t.Y - cp.Y) < 1 && t.X > cp.X && t.Text != "Cp");
        Assert.Equal(1.668, double.Parse(value.Text, CultureInfo.InvariantCulture), 3);
        foreach (var name in new[] { "Cpk", "Cpk 95 %", "Pp", "Ppk", "Cpm" })
        {
            Assert.Single(svg.Named(name));
        }
    }

    [Theory]
    [InlineData("xbar-r", "piston")]
    [InlineData("xbar-s", "piston")]
    [InlineData("imr", "t91")]
    [InlineData("ewma", "t91")]
    [InlineData("cusum", "t91")]
    [InlineData("p", "p")]
    [InlineData("np", "p")]
    [InlineData("u", "p")]
    [InlineData("c", "c")]
    public async Task Every_text_of_every_chart_type_lies_inside_the_view_box(string chart, string data)
    {
        var (text, extra) = data switch
        {
            "piston" => (SpcAnalyzeCommandTests.PistonRings, new[] { "--lsl", "73.95", "--usl", "74.05", "--target", "74" }),
            "t91" => (Table91, new[] { "--ucl", "13", "--cl", "10", "--lcl", "7", "--lsl", "7", "--usl", "13", "--rules", "nelson" }),
            "p" => (PChart, new[] { "--phase1", "20" }),
            _ => (string.Join('\n', PChart.Split('\n').Skip(1).Select(l => l.Split(',')[0])), Array.Empty<string>()),
        };
        var csv = Csv($"{data}.csv", text);
        var (_, plot) = await Plot($"{chart}.svg", csv, ["spc", "analyze", "--chart", chart, .. extra]);
        var svg = SvgFacts.Parse(File.ReadAllText(plot));
        Assert.NotEmpty(svg.Texts);
        Assert.All(svg.Texts, t => Assert.True(
            t.Left >= 0 && t.Top >= 0 && t.Right <= svg.Width && t.Bottom <= svg.Height,
            $"'{t.Text}' at [{t.Left:F0},{t.Top:F0} – {t.Right:F0},{t.Bottom:F0}] is outside 0,0 – {svg.Width},{svg.Height}"));
        foreach (var label in new[] { "UCL", "CL", "LCL" }.Where(_ => chart != "cusum"))
        {
            Assert.Contains(svg.Texts, t => t.Text.StartsWith(label + " = ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("p", "p.csv", new[] { "--rules", "we1" }, new[] { 14, 22 })]
    [InlineData("imr", "i.csv", new[] { "--phase1", "6", "--rules", "we1" }, new[] { 6 })]
    public async Task Each_violation_has_a_red_marker_on_the_point_at_its_index(string chart, string name, string[] args, int[] indices)
    {
        var csv = Csv(name, chart == "p" ? PChart : "1\n2\n1\n2\n1\n2\n10\n");
        var (report, plot) = await Plot($"{chart}-violations.svg", csv, ["spc", "analyze", "--chart", chart, .. args]);
        Assert.Equal(indices, report.GetProperty("violations").EnumerateArray().Select(v => v.GetProperty("index").GetInt32()));
        var svg = SvgFacts.Parse(File.ReadAllText(plot));

        // The primary chart's points, in index order (the secondary chart starts 400 px down).
        var points = svg.Markers.Where(m => m.Fill == Series && m.Y < 400).OrderBy(m => m.X).ToArray();
        Assert.Equal(report.GetProperty("points").GetArrayLength(), points.Length);
        var red = svg.Markers.Where(m => m.Fill == Violation).OrderBy(m => m.X).ToArray();
        Assert.Equal(indices.Length, red.Length);
        for (int i = 0; i < indices.Length; i++)
        {
            var point = points[indices[i]];
            Assert.True(Math.Abs(red[i].X - point.X) < 0.5 && Math.Abs(red[i].Y - point.Y) < 0.5, $"red marker {i} at {red[i].X},{red[i].Y}, point {indices[i]} at {point.X},{point.Y}");
            Assert.Contains(svg.Texts, t => t.Text == "1" && Math.Abs((t.Left + t.Right) / 2 - point.X) < 12 && t.Bottom <= point.Y);
        }
    }

    [Fact]
    public async Task Phase1_draws_the_phase_boundary_on_both_charts_and_labels_it()
    {
        var csv = Csv("i.csv", "1\n2\n1\n2\n1\n2\n10\n");
        var (_, plot) = await Plot("phase.svg", csv, "spc", "analyze", "--chart", "imr", "--phase1", "6");
        var svg = SvgFacts.Parse(File.ReadAllText(plot));
        Assert.Single(svg.Named("phase I | phase II"));
    }

    [Fact]
    public async Task Png_decodes_at_the_figure_size_with_text_drawn_where_the_svg_puts_the_labels()
    {
        var csv = Csv("piston.csv", SpcAnalyzeCommandTests.PistonRings);
        var (_, png) = await Plot("piston.png", csv, "spc", "analyze", "--chart", "xbar-r", "--lsl", "73.95", "--usl", "74.05");
        var (_, svgPath) = await Plot("piston.svg", csv, "spc", "analyze", "--chart", "xbar-r", "--lsl", "73.95", "--usl", "74.05");
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.Equal((960, 1060), (bitmap.Width, bitmap.Height));
        var svg = SvgFacts.Parse(File.ReadAllText(svgPath));
        foreach (var label in svg.Texts.Where(t => t.Text.StartsWith("UCL = ", StringComparison.Ordinal) || t.Text.StartsWith("LCL = ", StringComparison.Ordinal) || t.Text.Contains("piston.csv", StringComparison.Ordinal)))
        {
            var ink = 0;
            for (var y = (int)label.Top; y < (int)label.Bottom; y++)
            {
                for (var x = (int)label.Left; x < (int)label.Right; x++)
                {
                    var c = bitmap.GetPixel(x, y);
                    ink += c.Red < 200 || c.Green < 200 || c.Blue < 200 ? 1 : 0;
                }
            }

            Assert.True(ink > 20, $"'{label.Text}': {ink} drawn pixels in its box in the PNG");
        }
    }

    [Fact]
    public async Task Html_report_is_well_formed_self_contained_and_has_a_row_per_violation_limit_and_index()
    {
        var csv = Csv("t91.csv", Table91);
        var html = Path.Combine(dir, "report.html");
        var (code, stdout, stderr) = await Run("spc", "analyze", "--chart", "imr", "--phase1", "20", "--lsl", "7", "--usl", "13", "--target", "10", "--rules", "we", "--report", html, csv);
        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        var doc = XDocument.Load(XmlReader.Create(html, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore }));
        XNamespace x = "http://www.w3.org/1999/xhtml";
        XElement Table(string id) => doc.Descendants(x + "table").Single(t => (string?)t.Attribute("id") == id);
        string[][] Rows(string id) => [.. Table(id).Elements(x + "tr").Skip(1).Select(r => r.Elements(x + "td").Select(c => c.Value).ToArray())];

        var violations = Rows("violations");
        var expected = report.GetProperty("violations").EnumerateArray().ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Length, violations.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].GetProperty("index").GetInt32().ToString(CultureInfo.InvariantCulture), violations[i][0]);
            var value = report.GetProperty("points")[expected[i].GetProperty("index").GetInt32()].GetDouble();
            Assert.Equal(value, double.Parse(violations[i][1], CultureInfo.InvariantCulture), 5);
            Assert.Equal(expected[i].GetProperty("rule").GetString(), violations[i][2]);
            Assert.False(string.IsNullOrWhiteSpace(violations[i][3]));
        }

        var limits = Rows("limits");
        Assert.Equal(["i", "mr"], limits.Select(r => r[0]));
        Assert.Equal(report.GetProperty("limits").GetProperty("i").GetProperty("ucl").GetDouble(), double.Parse(limits[0][3], CultureInfo.InvariantCulture), 5);
        Assert.Equal(["Cp", "Cpk", "Cpk 95 %", "Pp", "Ppk", "Cpm", "mean", "σ within", "σ overall", "N"], Rows("capability").Select(r => r[0]));
        Assert.Equal(report.GetProperty("capability").GetProperty("cpm").GetDouble(), double.Parse(Rows("capability")[5][1], CultureInfo.InvariantCulture), 5);

        // Both figures inline; nothing the page would fetch.
        XNamespace svg = "http://www.w3.org/2000/svg";
        Assert.Equal(2, doc.Descendants(svg + "svg").Count());
        Assert.DoesNotContain(doc.Descendants(), e => e.Name.LocalName is "script" or "link" or "img" or "iframe");
        Assert.DoesNotContain(doc.Descendants().Attributes(), a => a.Name.LocalName is "src" or "href" && !a.Value.StartsWith('#'));
    }

    [Fact]
    public async Task Chromium_renders_the_html_report_at_its_window_size_and_not_blank()
    {
        var csv = Csv("piston.csv", SpcAnalyzeCommandTests.PistonRings);
        var html = Path.Combine(dir, "piston.html");
        var (code, _, stderr) = await Run("spc", "analyze", "--chart", "xbar-r", "--lsl", "73.95", "--usl", "74.05", "--report", html, csv);
        Assert.True(code == 0, stderr);
        var png = Path.Combine(dir, "piston-report.png");
        await Chromium.ScreenshotAsync(html, png, 800, 1200);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((800, 1200), (bitmap.Width, bitmap.Height));
        int ink = 0, colour = 0;
        for (var y = 0; y < bitmap.Height; y += 2)
        {
            for (var x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                ink += c.Red < 200 || c.Green < 200 || c.Blue < 200 ? 1 : 0;
                colour += Math.Abs(c.Red - c.Blue) > 60 ? 1 : 0;
            }
        }

        // Text, axes and lines are drawn (more than 1 % of the page), and in colour (the red limits, the blue series).
        Assert.True(ink > bitmap.Width * bitmap.Height / 4 / 100, $"{ink} drawn pixels of {bitmap.Width * bitmap.Height / 4} sampled");
        Assert.True(colour > 200, $"{colour} coloured pixels");
    }

    [Fact]
    public async Task Chromium_measures_every_svg_text_inside_the_view_box()
    {
        var csv = Csv("piston.csv", SpcAnalyzeCommandTests.PistonRings);
        var (_, plot) = await Plot("piston.svg", csv, "spc", "analyze", "--chart", "xbar-r", "--lsl", "73.95", "--usl", "74.05", "--target", "74");

        // The browser's own text layout: each <text>'s screen box against the <svg>'s, written into the page for --dump-dom.
        var page = Path.Combine(dir, "measure.html");
        File.WriteAllText(page, $$"""
            <!DOCTYPE html><html><body style="margin:0">{{File.ReadAllText(plot)}}
            <pre id="out"></pre>
            <script>
            const svg = document.querySelector('svg').getBoundingClientRect();
            const out = [];
            for (const t of document.querySelectorAll('svg text')) {
              const b = t.getBoundingClientRect();
              if (b.left < svg.left - 0.5 || b.top < svg.top - 0.5 || b.right > svg.right + 0.5 || b.bottom > svg.bottom + 0.5)
                out.push('OUTSIDE ' + t.textContent.trim() + ' ' + [b.left, b.top, b.right, b.bottom].map(Math.round).join(','));
            }
            out.push('TEXTS ' + document.querySelectorAll('svg text').length);
            document.getElementById('out').textContent = out.join('\n');
            </script></body></html>
            """);
        var dom = await Chromium.DumpDomAsync(page);
        var result = dom[(dom.IndexOf("<pre id=\"out\">", StringComparison.Ordinal) + 14)..];
        result = result[..result.IndexOf("</pre>", StringComparison.Ordinal)];
        Assert.DoesNotContain("OUTSIDE", result);
        Assert.Matches(@"TEXTS [1-9][0-9]+", result);
    }

    [Fact]
    public async Task A_time_column_labels_the_x_axis_with_times_and_the_violations_with_their_time()
    {
        var start = new DateTimeOffset(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);
        var lines = Table91.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select((v, i) => $"{start.AddHours(i):yyyy-MM-ddTHH:mm:ssZ},{v}");
        var csv = Csv("timed.csv", "timestamp,diameter\n" + string.Join('\n', lines) + "\n");
        var html = Path.Combine(dir, "timed.html");
        var (code, stdout, stderr) = await Run("spc", "analyze", "--chart", "cusum", "--ucl", "13", "--cl", "10", "--lcl", "7", "--rules", "nelson", "--report", html, "--plot", Path.Combine(dir, "timed.svg"), csv);
        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(30, report.GetProperty("timestamps").GetArrayLength());
        Assert.Equal(start.AddHours(28), report.GetProperty("timestamps")[28].GetDateTimeOffset());

        var svg = SvgFacts.Parse(File.ReadAllText(Path.Combine(dir, "timed.svg")));
        Assert.Single(svg.Named("time (UTC)"));
        Assert.Contains(svg.Texts, t => t.Text == "2026-03-01 06:00");
        Assert.DoesNotContain(svg.Texts, t => t.Text == "observation index");

        // Montgomery: the CUSUM signals at observation 29 (index 28), 2026-03-02 10:00.
        var doc = XDocument.Load(XmlReader.Create(html, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore }));
        XNamespace x = "http://www.w3.org/1999/xhtml";
        var first = doc.Descendants(x + "table").Single(t => (string?)t.Attribute("id") == "violations").Elements(x + "tr").Skip(1).First().Elements(x + "td").Select(c => c.Value).ToArray();
        Assert.Equal(["28", "2026-03-02 10:00:00"], first[..2]);
    }

    [Fact]
    public void Any_finite_values_of_any_magnitude_are_drawn_as_svg_png_and_report()
    {
        // Magnitudes from 1e-300 to 1e308, flat runs and sign changes: the axis arithmetic must neither throw nor hang.
        var value = Gen.OneOf(
            Gen.Select(Gen.Double[-1, 1], Gen.Int[-300, 308], (m, e) => m * Math.Pow(10, e)),
            Gen.Double[-10, 10],
            Gen.OneOfConst(double.MaxValue, -double.MaxValue, 1e308, -1e-308),
            Gen.Const(5.0));
        var gen = Gen.Select(Gen.OneOfConst(ChartType.Imr, ChartType.XbarR, ChartType.Ewma, ChartType.Cusum), value.Array[6, 40]);
        gen.SampleWithDeadline(sample =>
        {
            var (type, values) = sample;
            var width = type == ChartType.XbarR ? 3 : 1;
            var rows = Enumerable.Range(0, values.Length / width).Select(i => values.AsSpan(i * width, width).ToArray()).ToArray();
            var spec = new ChartSpec { Chart = type, SubgroupSize = width, Rules = SpcRules.WesternElectric | SpcRules.Nelson, Lsl = -1, Usl = 1 };
            var report = AnalysisReport.From(SpcAnalyzer.Analyze(spec, rows), rows);
            var figures = Figures.For(report, "f.csv");
            Assert.StartsWith("<svg", Figures.Svg(figures));
            Assert.True(Figures.Png(figures).Length > 1000);
            Assert.Contains("<table id=\"violations\">", HtmlReport.Write(report, "f.csv"));
        }, iter: 60);
    }

    [Fact]
    public async Task An_unwritable_plot_or_report_path_is_one_line_naming_it_and_exit_1()
    {
        var csv = Csv("c.csv", "21\n24\n16\n12\n15\n5\n28\n20\n");
        foreach (var option in new[] { "--plot", "--report" })
        {
            var path = Path.Combine(dir, "missing-folder", option == "--plot" ? "c.png" : "c.html");
            var (code, stdout, stderr) = await Run("spc", "analyze", "--chart", "c", option, path, csv);
            Assert.Equal(1, code);
            Assert.StartsWith("{", stdout);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"{path}: cannot write: ", line);
        }
    }

    [Fact]
    public async Task A_report_name_that_is_not_html_exits_2_naming_the_option()
    {
        var csv = Csv("c.csv", "21\n24\n16\n");
        var (code, _, stderr) = await Run("spc", "analyze", "--chart", "c", "--report", Path.Combine(dir, "r.pdf"), csv);
        Assert.Equal(2, code);
        Assert.Contains("--report: expected a file name ending in .html", stderr);
    }
}
