using BenchmarkDotNet.Attributes;
using EdgeAgent.Spc;

namespace EdgeAgent.Spc.Benchmarks;

/// <summary>
/// The live path: one <see cref="SpcChart.Add(double, out SubgroupResult)"/> per sample, limits known, every rule of the
/// chosen set on, capability window of 1000 subgroups. Figures are per sample (OperationsPerInvoke).
/// Goal (src/Spc/README.md): I-MR with WE rules ≥ 20 M samples/s on one core (≤ 50 ns/sample), 0 B allocated.
/// </summary>
[MemoryDiagnoser]
public class StreamingBenchmarks
{
    private const int Samples = 100_000;

    private double[] values = [];
    private double[] counts = [];
    private SpcChart chart = null!;

    [Params(ChartType.Imr, ChartType.XbarR, ChartType.XbarS, ChartType.Ewma, ChartType.Cusum, ChartType.P, ChartType.Np, ChartType.C, ChartType.U)]
    public ChartType Chart { get; set; }

    [Params("we", "we+nelson")]
    public string Rules { get; set; } = "we";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        values = new double[Samples];
        counts = new double[Samples];
        for (int i = 0; i < Samples; i++)
        {
            // Box–Muller normal(10, 0.01) with an occasional shift so rules do fire.
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[i] = 10 + 0.01 * z + (i % 5000 > 4900 ? 0.02 : 0);
            counts[i] = Math.Max(0, Math.Round(5 + 2.2 * z));
        }

        var spec = new ChartSpec
        {
            Chart = Chart,
            SubgroupSize = Chart.IsSubgrouped() ? 5 : 1,
            Rules = Rules == "we" ? SpcRules.WesternElectric : SpcRules.WesternElectric | SpcRules.Nelson,
            Baseline = 100,
            CapabilityWindow = 1000,
            Lsl = 9.95,
            Usl = 10.05,
            Target = 10,
        };
        chart = SpcChart.Create(spec);
        Stream(); // through the baseline: limits are frozen before measuring
    }

    [Benchmark(OperationsPerInvoke = Samples)]
    public int Stream()
    {
        var fired = 0;
        var c = chart;
        if (Chart.IsAttribute())
        {
            var x = counts;
            for (int i = 0; i < x.Length; i++)
            {
                if (c.Add(x[i], 50, out var r) && r.Violations != SpcRules.None)
                {
                    fired++;
                }
            }
        }
        else
        {
            var x = values;
            for (int i = 0; i < x.Length; i++)
            {
                if (c.Add(x[i], out var r) && r.Violations != SpcRules.None)
                {
                    fired++;
                }
            }
        }

        return fired;
    }
}

/// <summary>On-demand capability over a rolling window (called per published result, not per sample).</summary>
[MemoryDiagnoser]
public class CapabilityBenchmarks
{
    private SpcChart chart = null!;

    [GlobalSetup]
    public void Setup()
    {
        chart = SpcChart.Create(new ChartSpec { Chart = ChartType.Imr, CapabilityWindow = 1000, Lsl = 9.95, Usl = 10.05, Target = 10 });
        var random = new Random(1);
        for (int i = 0; i < 5000; i++)
        {
            chart.Add(10 + 0.01 * random.NextDouble(), out _);
        }
    }

    [Benchmark]
    public double GetCapability() => chart.GetCapability().Cpk;
}

/// <summary>
/// The goal case alone, I-MR with WE rules, next to a baseline that only reads and sums the same samples:
/// on a shared machine the ratio says more than the absolute figure.
/// </summary>
[MemoryDiagnoser]
public class ImrGoalBenchmarks
{
    private const int Samples = 100_000;
    private double[] values = [];
    private SpcChart chart = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        values = new double[Samples];
        for (int i = 0; i < Samples; i++)
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[i] = 10 + 0.01 * z;
        }

        chart = SpcChart.Create(new ChartSpec { Chart = ChartType.Imr, Rules = SpcRules.WesternElectric, Baseline = 100, CapabilityWindow = 1000, Lsl = 9.95, Usl = 10.05 });
        ImrWe();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Samples)]
    public double ReadOnly()
    {
        double sum = 0;
        var x = values;
        for (int i = 0; i < x.Length; i++)
        {
            sum += x[i];
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Samples)]
    public int ImrWe()
    {
        var fired = 0;
        var c = chart;
        var x = values;
        for (int i = 0; i < x.Length; i++)
        {
            if (c.Add(x[i], out var r) && r.Violations != SpcRules.None)
            {
                fired++;
            }
        }

        return fired;
    }
}
