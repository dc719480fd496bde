using System.Diagnostics;
using BenchmarkDotNet.Running;
using EdgeAgent.Spc;

// dotnet run -c Release --project bench/Spc.Benchmarks -- --filter '*ImrGoal*' --job short
// dotnet run -c Release --project bench/Spc.Benchmarks -- cpu
//   On a shared, overloaded machine wall-clock figures mostly measure the other processes; "cpu" reports the
//   process CPU time per sample over 10 M samples per chart (what one core actually spent), plus bytes allocated.
if (args is ["cpu", ..])
{
    CpuTime.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(CpuTime).Assembly).Run(args);

internal static class CpuTime
{
    public static void Run()
    {
        var random = new Random(42);
        var values = new double[100_000];
        for (int i = 0; i < values.Length; i++)
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[i] = 10 + 0.01 * z;
        }

        Console.WriteLine($"{"chart",-8} {"rules",-10} {"cpu ns/sample",14} {"M samples/s",12} {"B/sample",9}");
        foreach (var type in Enum.GetValues<ChartType>())
        {
            foreach (var (name, rules) in new[] { ("we", SpcRules.WesternElectric), ("we+nelson", SpcRules.WesternElectric | SpcRules.Nelson) })
            {
                var chart = SpcChart.Create(new ChartSpec
                {
                    Chart = type, SubgroupSize = type.IsSubgrouped() ? 5 : 1, Rules = rules, Baseline = 100, CapabilityWindow = 1000, Lsl = 9.95, Usl = 10.05,
                });
                Pass(chart, values, 20); // baseline, tiered JIT
                var bytes = GC.GetAllocatedBytesForCurrentThread();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                Pass(chart, values, 100);
                var spent = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
                var samples = 100.0 * values.Length;
                var ns = spent.TotalMilliseconds * 1e6 / samples;
                Console.WriteLine($"{ChartTypes.Name(type),-8} {name,-10} {ns,14:F1} {1e3 / ns,12:F1} {bytes / samples,9:F3}");
            }
        }
    }

    private static int Pass(SpcChart chart, double[] values, int repeat)
    {
        var fired = 0;
        var attribute = chart.Spec.Chart.IsAttribute();
        for (int r = 0; r < repeat; r++)
        {
            foreach (var x in values)
            {
                var done = attribute ? chart.Add(Math.Max(0, Math.Round((x - 10) * 220 + 5)), 50, out var result) : chart.Add(x, out result);
                if (done && result.Violations != SpcRules.None)
                {
                    fired++;
                }
            }
        }

        return fired;
    }
}
