using System.Diagnostics;
using BenchmarkDotNet.Running;
using EdgeAgent.Alarms.Benchmarks;

// dotnet run -c Release --project bench/Alarms.Benchmarks -- --filter '*SampleToAlarmDecision*' --job short
// dotnet run -c Release --project bench/Alarms.Benchmarks -- cpu
// dotnet run -c Release --project bench/Alarms.Benchmarks -- latency [SECONDS]   (10k tags x 10 Hz, p50/p99 to the sink hand-off)
//   "cpu": process CPU time and bytes per sample over 20 M samples per case (robust on a shared machine).
if (args is ["latency", ..])
{
    await Latency.RunAsync(seconds: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30);
    return;
}

if (args is ["cpu", ..])
{
    Console.WriteLine($"{"case",-28} {"cpu ns/sample",14} {"M samples/s",12} {"B/sample",9}");
    foreach (var (name, consumers, publish, temps) in new[]
    {
        ("router alone (reference)", "", false, false),
        ("spc chart alone (reference)", "chart", false, false),
        ("imr decision", "imr", false, false),
        ("imr + point events", "imr", true, false),
        ("xbar-r n=5 + point events", "xbar", true, false),
        ("expression alarm", "expression", false, true),
    })
    {
        var h = new HotPath();
        h.Setup(consumers, publish);
        Action run = consumers == "chart" ? h.ChartOnly : temps ? h.RouteTemperatures : h.RouteMeasurements;
        for (var i = 0; i < 2_000; i++)
        {
            run();
        }

        const int batches = 20_000;
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < batches; i++)
        {
            run();
        }

        var spent = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        var samples = (double)batches * HotPath.BatchSize;
        var ns = spent.TotalMilliseconds * 1e6 / samples;
        Console.WriteLine($"{name,-28} {ns,14:F2} {1e3 / ns,12:F1} {bytes / samples,9:F3}");
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(HotPath).Assembly).Run(args);
