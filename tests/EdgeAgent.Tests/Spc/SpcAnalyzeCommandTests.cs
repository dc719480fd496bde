using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CsCheck;
using EdgeAgent.Analysis;
using EdgeAgent.Cli;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Spc;

/// <summary><c>edgeagent spc analyze</c> in-process, against the contract in src/EdgeAgent/Analysis/README.md.</summary>
public sealed class SpcAnalyzeCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("spc-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Csv(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => InProcessCli.RunAsync(args);

    /// <summary>Montgomery's piston-ring inside diameters (mm), 25 subgroups of 5 (Introduction to SQC, Table 6.3).</summary>
    internal static readonly string PistonRings = """
        x1,x2,x3,x4,x5
        74.030,74.002,74.019,73.992,74.008
        73.995,73.992,74.001,74.011,74.004
        73.988,74.024,74.021,74.005,74.002
        74.002,73.996,73.993,74.015,74.009
        73.992,74.007,74.015,73.989,74.014
        74.009,73.994,73.997,73.985,73.993
        73.995,74.006,73.994,74.000,74.005
        73.985,74.003,73.993,74.015,73.988
        74.008,73.995,74.009,74.005,74.004
        73.998,74.000,73.990,74.007,73.995
        73.994,73.998,73.994,73.995,73.990
        74.004,74.000,74.007,74.000,73.996
        73.983,74.002,73.998,73.997,74.012
        74.006,73.967,73.994,74.000,73.984
        74.012,74.014,73.998,73.999,74.007
        74.000,73.984,74.005,73.998,73.996
        73.994,74.012,73.986,74.005,74.007
        74.006,74.010,74.018,74.003,74.000
        73.984,74.002,74.003,74.005,73.997
        74.000,74.010,74.013,74.020,74.003
        73.982,74.001,74.015,74.005,73.996
        74.004,73.999,73.990,74.006,74.009
        74.010,73.989,73.990,74.009,74.014
        74.015,74.008,73.993,74.000,74.010
        73.982,73.984,73.995,74.017,74.013
        """;

    [Fact]
    public async Task Xbar_r_report_has_the_contract_shape_and_the_textbook_limits()
    {
        var file = Csv("piston.csv", PistonRings);
        var (code, stdout, stderr) = await Run("spc", "analyze", "--chart", "xbar-r", "--subgroup", "5", "--lsl", "73.95", "--usl", "74.05", "--target", "74", file);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("xbar-r", root.GetProperty("chart").GetString());
        Assert.Equal(5, root.GetProperty("subgroupSize").GetInt32());
        Assert.Equal(25, root.GetProperty("points").GetArrayLength());
        var xbar = root.GetProperty("limits").GetProperty("xbar");
        Assert.Equal(74.0012, xbar.GetProperty("center").GetDouble(), 4);
        Assert.Equal(74.0146, xbar.GetProperty("ucl").GetDouble(), 4);
        Assert.Equal(73.9878, xbar.GetProperty("lcl").GetDouble(), 4);
        var r = root.GetProperty("limits").GetProperty("r");
        Assert.Equal(0.02324, r.GetProperty("center").GetDouble(), 6);
        Assert.Equal(0.0, r.GetProperty("lcl").GetDouble());
        Assert.Equal(0.009992, root.GetProperty("sigma").GetProperty("within").GetDouble(), 6);
        Assert.True(root.GetProperty("sigma").GetProperty("overall").GetDouble() > 0);
        var cap = root.GetProperty("capability");
        foreach (var key in new[] { "cp", "cpk", "pp", "ppk", "cpm" })
        {
            Assert.Equal(JsonValueKind.Number, cap.GetProperty(key).ValueKind);
        }

        Assert.Equal(1.668, cap.GetProperty("cp").GetDouble(), 3);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("violations").ValueKind);
        Assert.Empty(stderr);
    }

    [Fact]
    public async Task P_chart_with_variable_sample_size_reports_per_point_limit_arrays_and_violations()
    {
        var file = Csv("p.csv", "count,size\n12,50\n15,50\n8,50\n10,50\n4,50\n7,50\n16,50\n9,50\n14,50\n10,50\n5,50\n6,50\n17,50\n12,50\n22,50\n8,50\n10,50\n5,50\n13,50\n11,50\n20,50\n18,50\n24,50\n15,50\n9,50\n12,50\n7,50\n13,50\n9,50\n12,100\n");
        var (code, stdout, stderr) = await Run("spc", "analyze", "--chart", "p", "--rules", "[we1]", file);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var p = doc.RootElement.GetProperty("limits").GetProperty("p");
        Assert.Equal(JsonValueKind.Number, p.GetProperty("center").ValueKind);
        Assert.Equal(30, p.GetProperty("ucl").GetArrayLength());
        Assert.Equal(30, p.GetProperty("lcl").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("sigma").ValueKind);
        var violations = doc.RootElement.GetProperty("violations").EnumerateArray().Select(v => (v.GetProperty("chart").GetString(), v.GetProperty("index").GetInt32(), v.GetProperty("rule").GetString())).ToArray();
        Assert.Equal([("p", 14, "we1"), ("p", 22, "we1")], violations);
    }

    [Fact]
    public async Task Cusum_report_gives_center_h_and_both_sums()
    {
        var file = Csv("t91.csv", "9.45\n7.99\n9.29\n11.66\n12.16\n10.18\n8.04\n11.46\n9.20\n10.34\n9.03\n11.47\n10.51\n9.40\n10.08\n9.37\n10.62\n10.31\n8.52\n10.84\n10.90\n9.33\n12.29\n11.50\n10.60\n11.08\n10.38\n11.62\n11.31\n10.52\n");
        var (code, stdout, stderr) = await Run("spc", "analyze", "--chart", "cusum", "--ucl", "13", "--cl", "10", "--lcl", "7", "--k", "0.5", "--h", "5", "--rules", "nelson", file);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var cusum = doc.RootElement.GetProperty("limits").GetProperty("cusum");
        Assert.Equal(10.0, cusum.GetProperty("center").GetDouble());
        Assert.Equal(5.0, cusum.GetProperty("h").GetDouble());
        Assert.Equal(30, cusum.GetProperty("cplus").GetArrayLength());
        Assert.Equal(5.28, cusum.GetProperty("cplus")[28].GetDouble(), 2);
        Assert.Equal(1.77, cusum.GetProperty("cminus")[2].GetDouble(), 2);
        var first = doc.RootElement.GetProperty("violations")[0];
        Assert.Equal("cusum", first.GetProperty("chart").GetString());
        Assert.Equal(28, first.GetProperty("index").GetInt32());
        Assert.Equal("nelson1", first.GetProperty("rule").GetString());
    }

    [Fact]
    public async Task Ewma_limits_are_arrays_as_long_as_the_points()
    {
        var file = Csv("e.csv", "value\n9.45\n7.99\n9.29\n11.66\n12.16\n10.18\n");
        var (code, stdout, stderr) = await Run("spc", "analyze", "--chart", "ewma", "--lambda", "0.1", "--L", "2.7", "--ucl", "13", "--cl", "10", "--lcl", "7", file);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var ewma = doc.RootElement.GetProperty("limits").GetProperty("ewma");
        Assert.Equal(6, ewma.GetProperty("ucl").GetArrayLength());
        Assert.Equal(10.27, ewma.GetProperty("ucl")[0].GetDouble(), 10);
        Assert.Equal(9.945, doc.RootElement.GetProperty("points")[0].GetDouble(), 10);
    }

    [Fact]
    public async Task Phase1_estimates_from_the_first_subgroups_and_reports_all()
    {
        var file = Csv("i.csv", "1\n2\n1\n2\n1\n2\n10\n");
        var (code, stdout, stderr) = await Run("spc", "analyze", "--chart", "imr", "--phase1", "6", file);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(1.5, doc.RootElement.GetProperty("limits").GetProperty("i").GetProperty("center").GetDouble(), 12);
        Assert.Equal(7, doc.RootElement.GetProperty("points").GetArrayLength());
        Assert.Contains(doc.RootElement.GetProperty("violations").EnumerateArray(), v => v.GetProperty("index").GetInt32() == 6 && v.GetProperty("rule").GetString() == "we1");
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("secondaryPoints")[0].ValueKind);
    }

    [Fact]
    public async Task Bad_rows_are_reported_as_file_line_message_with_exit_2()
    {
        var file = Csv("bad.csv", "a,b,c\n1,2,3\n1,2\n1,x,3\n\n4,5,6\n");
        var (code, stdout, stderr) = await Run("spc", "analyze", "--chart", "xbar-s", "--subgroup", "3", file);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([$"{file}:3: expected 3 values (one subgroup), found 2", $"{file}:4: field 2: 'x' is not a number"], lines);
    }

    [Theory]
    [InlineData("p", "3,2\n", "3 nonconforming exceeds the sample size 2")]
    [InlineData("u", "3,0\n", "sample size must be positive, found 0")]
    [InlineData("c", "-1\n", "count must not be negative, found -1")]
    [InlineData("imr", "1,2\n", "expected 1 value (one value), found 2")]
    public async Task Attribute_and_individual_rows_are_checked(string chart, string row, string message)
    {
        var file = Csv("rows.csv", "1,1\n".Length > 0 && chart == "c" ? "5\n" + row : chart == "imr" ? "5\n" + row : "1,5\n" + row);
        var (code, _, stderr) = await Run("spc", "analyze", "--chart", chart, file);
        Assert.Equal(2, code);
        Assert.Equal($"{file}:2: {message}", stderr.Trim());
    }

    [Theory]
    [InlineData("--chart", "xbar")]
    [InlineData("--lsl", "abc")]
    [InlineData("--rules", "we9")]
    [InlineData("--phase1", "1")]
    [InlineData("--ucl", "3")]
    [InlineData("--format", "xml")]
    [InlineData("--lambda", "1.5")]
    public async Task Bad_arguments_exit_2_naming_the_option(string option, string value)
    {
        var file = Csv("ok.csv", "1\n2\n3\n");
        var args = new List<string> { "spc", "analyze", option, value, file };
        if (option != "--chart")
        {
            args.InsertRange(2, ["--chart", option == "--lambda" ? "ewma" : "imr"]);
        }

        var (code, stdout, stderr) = await Run([.. args]);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains(option == "--ucl" ? "--ucl, --cl and --lcl" : option, stderr);
    }

    [Fact]
    public async Task An_option_without_its_value_exits_2_naming_it()
    {
        var file = Csv("ok.csv", "1\n2\n3\n");
        var (code, stdout, stderr) = await Run("spc", "analyze", file, "--chart");
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("--chart: expected a value", stderr);
        (code, _, stderr) = await Run("spc", "analyze", "--chart", "imr", file, "--lsl");
        Assert.Equal(2, code);
        Assert.Contains("--lsl: expected a value", stderr);
    }

    [Fact]
    public async Task Missing_file_and_empty_file_exit_2()
    {
        var (code, _, stderr) = await Run("spc", "analyze", "--chart", "imr", Path.Combine(dir, "none.csv"));
        Assert.Equal(2, code);
        Assert.Contains("cannot read", stderr);
        var empty = Csv("empty.csv", "value\n\n");
        (code, _, stderr) = await Run("spc", "analyze", "--chart", "imr", empty);
        Assert.Equal(2, code);
        Assert.Equal($"{empty}: no data rows", stderr.Trim());
    }

    [Fact]
    public async Task Text_format_prints_a_table_and_plots_are_written()
    {
        var file = Csv("c.csv", "21\n24\n16\n12\n15\n5\n28\n20\n31\n25\n20\n24\n16\n19\n10\n17\n13\n22\n18\n39\n30\n24\n16\n19\n17\n15\n");
        var svg = Path.Combine(dir, "c.svg");
        var png = Path.Combine(dir, "c.png");
        var (code, stdout, stderr) = await Run("spc", "analyze", "--chart", "c", "--rules", "we1", "--format", "text", "--plot", svg, file);
        Assert.True(code == 0, stderr);
        Assert.Contains("c chart, 26 points", stdout);
        Assert.Contains("we1", stdout);
        var drawn = EdgeAgent.Tests.Analysis.SvgFacts.Parse(File.ReadAllText(svg));
        Assert.Equal(2, drawn.Markers.Count(m => m.Fill == "#D62728"));
        (code, _, stderr) = await Run("spc", "analyze", "--chart", "c", "--plot", png, file);
        Assert.True(code == 0, stderr);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }

    [Fact]
    public void Arbitrary_csv_text_never_crashes_the_reader()
    {
        Gen.String[Gen.Char["0123456789.,-eE \nx"], 0, 200].SampleWithDeadline(text =>
        {
            foreach (var chart in new[] { EdgeAgent.Spc.ChartType.Imr, EdgeAgent.Spc.ChartType.XbarR, EdgeAgent.Spc.ChartType.P, EdgeAgent.Spc.ChartType.C })
            {
                var (rows, errors) = CsvSeries.ReadCsv("f.csv", text.Split('\n'), chart, null);
                Assert.True(errors.Count > 0 || rows.Count > 0);
                Assert.All(errors, e => Assert.StartsWith("f.csv", e));
            }
        }, iter: 500);
    }
}
