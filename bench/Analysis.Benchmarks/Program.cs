using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using EdgeAgent.Analysis;
using EdgeAgent.Spc;

// dotnet run -c Release --project bench/Analysis.Benchmarks -- cpu
//   Process CPU time (what the cores spent, not wall clock on a shared machine) to analyze a 10,000-point I-MR data set
//   and draw its figures as SVG and PNG and its HTML report, each averaged over several runs after a warm-up.
// dotnet run -c Release --project bench/Analysis.Benchmarks -- --filter '*' --job short --inProcess
//   The same steps under BenchmarkDotNet, with the bytes allocated (in process: on a busy two-core machine the
//   out-of-process boilerplate build runs past BenchmarkDotNet's two-minute build timeout).
if (args is ["cpu", ..])
{
    CpuTime.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(FigureBenchmarks).Assembly).Run(args);

/// <summary>A 10,000-point I-MR data set with LSL/USL: normal noise around 10 with a 1.5σ shift over the last 500 points.</summary>
internal static class Data
{
    public const int Points = 10_000;

    public static double[][] Rows()
    {
        var random = new Random(42);
        var rows = new double[Points][];
        for (int i = 0; i < rows.Length; i++)
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            rows[i] = [10 + 0.01 * z + (i >= Points - 500 ? 0.015 : 0)];
        }

        return rows;
    }

    public static AnalysisReport Report(double[][] rows)
    {
        var spec = new ChartSpec { Chart = ChartType.Imr, SubgroupSize = 1, Rules = SpcRules.WesternElectric, Lsl = 9.95, Usl = 10.05, Target = 10 };
        return AnalysisReport.From(SpcAnalyzer.Analyze(spec, rows, phase1: 1000), rows);
    }
}

[MemoryDiagnoser]
public class FigureBenchmarks
{
    private double[][] rows = [];
    private AnalysisReport report = null!;

    [GlobalSetup]
    public void Setup()
    {
        rows = Data.Rows();
        report = Data.Report(rows);
    }

    [Benchmark]
    public int Analyze() => Data.Report(rows).Points.Length;

    [Benchmark]
    public int Svg() => Figures.Svg(Figures.For(report, "imr.csv")).Length;

    [Benchmark]
    public int Png() => Figures.Png(Figures.For(report, "imr.csv")).Length;

    [Benchmark]
    public int Html() => HtmlReport.Write(report, "imr.csv").Length;
}

internal static class CpuTime
{
    public static void Run()
    {
        var rows = Data.Rows();
        var report = Data.Report(rows);
        Console.WriteLine($"I-MR, {Data.Points} points, {report.Violations.Count} violations");
        Console.WriteLine($"{"step",-28} {"cpu ms",8} {"wall ms",8} {"MB allocated",13} {"output KB",10}");
        Measure("analyze (SpcAnalyzer + report)", () => Data.Report(rows).Points.Length);
        Measure("--plot out.svg", () => Figures.Svg(Figures.For(report, "imr.csv")).Length);
        Measure("--plot out.png", () => Figures.Png(Figures.For(report, "imr.csv")).Length);
        Measure("--report out.html", () => HtmlReport.Write(report, "imr.csv").Length);
        Measure("all four", () => Data.Report(rows).Points.Length + Figures.Svg(Figures.For(report, "imr.csv")).Length
            + Figures.Png(Figures.For(report, "imr.csv")).Length + HtmlReport.Write(report, "imr.csv").Length);
    }

    private static void Measure(string name, Func<int> step)
    {
        const int Runs = 5;
        step(); // warm-up: JIT, fonts, native library
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var size = 0;
        for (int i = 0; i < Runs; i++)
        {
            size = step();
        }

        var spent = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / Runs;
        var elapsed = wall.Elapsed.TotalMilliseconds / Runs;
        var mb = (GC.GetAllocatedBytesForCurrentThread() - bytes) / Runs / 1e6;
        Console.WriteLine($"{name,-28} {spent,8:F0} {elapsed,8:F0} {mb,13:F1} {size / 1024.0,10:F0}");
    }
}
