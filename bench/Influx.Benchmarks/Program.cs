using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Running;
using EdgeAgent.Drivers;
using EdgeAgent.Outputs.Influx;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace InfluxBenchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Influx.Benchmarks -- throughput [seconds] [tags] [hz]</c>: starts a
/// victoria-metrics on a free loopback port and offers the InfluxDB sink <c>tags</c> samples <c>hz</c> times a second
/// (default 10,000 tags at 10 Hz = 100,000 points/s) from one thread, as the router does, for <c>seconds</c> (default 30);
/// reports points/s written (accepted by the server), CPU of this process per core, peak working set, managed bytes
/// allocated per point, drops. <c>-- max [seconds]</c>: the same, offering as fast as the sink takes it.
/// Anything else goes to BenchmarkDotNet (<c>-- --filter *Encode* --job short</c>: bytes per point of the encode path).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] is "throughput" or "max")
        {
            var seconds = args.Length > 1 ? int.Parse(args[1]) : 30;
            var tags = args.Length > 2 ? int.Parse(args[2]) : 10_000;
            var hz = args.Length > 3 ? int.Parse(args[3]) : 10;
            await ThroughputAsync(seconds, tags, args[0] == "max" ? 0 : hz);
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static async Task ThroughputAsync(int seconds, int tagCount, int hz)
    {
        await using var vm = await Vm.StartAsync();
        var directory = Load.Directory(tagCount);
        var metrics = new AgentMetrics();
        var options = new InfluxOptions { Url = new Uri(vm.Url), Bucket = "bench", Org = "bench" };
        var spill = Directory.CreateTempSubdirectory("influx-bench-spill-").FullName;
        await using var sink = new InfluxSink(options, directory, metrics, NullLogger.Instance, spill);
        await sink.StartAsync(CancellationToken.None);
        var written = metrics.Get("edgeagent_influx_points_total", "result", "written");
        var dropped = metrics.DroppedTotal("influx");
        var batch = new Sample[tagCount];
        var process = Process.GetCurrentProcess();

        // Warm-up: 2 s, not measured.
        Offer(sink, batch, hz, TimeSpan.FromSeconds(2));
        await WaitDrainedAsync(sink);
        GC.Collect();
        var w0 = written.Value;
        var d0 = dropped.Value;
        var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var offered = Offer(sink, batch, hz, TimeSpan.FromSeconds(seconds));
        var offering = clock.Elapsed;
        await WaitDrainedAsync(sink);
        var elapsed = clock.Elapsed;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        var points = written.Value - w0;
        var alloc = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
        Console.WriteLine($"victoria-metrics {vm.Url}, {tagCount:N0} tags at {(hz == 0 ? "max" : hz + " Hz")}, {seconds} s, batchSize {options.BatchSize}, gzip {options.Gzip}");
        Console.WriteLine($"offered   {offered,12:N0} points  {offered / offering.TotalSeconds,12:N0} points/s over {offering.TotalSeconds:F1} s");
        Console.WriteLine($"written   {points,12:N0} points  {points / elapsed.TotalSeconds,12:N0} points/s (accepted by victoria-metrics, over {elapsed.TotalSeconds:F1} s until drained, a flush interval included)");
        Console.WriteLine($"dropped   {dropped.Value - d0,12:N0} points");
        Console.WriteLine($"agent CPU {cpu.TotalSeconds / elapsed.TotalSeconds,12:P0} of one core ({cpu.TotalSeconds:F1} s in {elapsed.TotalSeconds:F1} s, the load generator included)");
        Console.WriteLine($"peak working set {process.PeakWorkingSet64 / 1048576.0,8:F0} MB, managed heap now {GC.GetTotalMemory(false) / 1048576.0:F0} MB");
        Console.WriteLine($"allocated {(double)alloc / Math.Max(1, points),10:F2} bytes per point (managed, whole process: HTTP, gzip, generator)");
        await sink.StopAsync(CancellationToken.None);
        Directory.Delete(spill, recursive: true);
    }

    /// <summary>One thread hands the sink a batch of every tag <paramref name="hz"/> times a second (0: back to back); returns the points offered.</summary>
    private static long Offer(InfluxSink sink, Sample[] batch, int hz, TimeSpan duration)
    {
        long offered = 0;
        var clock = Stopwatch.StartNew();
        var period = hz == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(1.0 / hz);
        var next = TimeSpan.Zero;
        var rng = new Random(1);
        while (clock.Elapsed < duration)
        {
            var ticks = DateTime.UtcNow.Ticks;
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = new Sample(i, 10 + rng.NextDouble(), Quality.Good, ticks, ticks);
            }

            // The router hands each source's batch over; 1,000 samples per call (a source of 1,000 tags per poll).
            for (var at = 0; at < batch.Length; at += 1000)
            {
                sink.OnSamples(batch.AsSpan(at, Math.Min(1000, batch.Length - at)));
            }

            offered += batch.Length;
            next += period;
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait); // the offered rate (10 Hz) is the scenario, not a synchronisation
            }
            else if (hz == 0)
            {
                Thread.Yield();
            }
        }

        return offered;
    }

    private static async Task WaitDrainedAsync(InfluxSink sink)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        await Task.Delay(1500); // one flush interval for the last open batch
        while (sink.PendingPoints > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>victoria-metrics started for the run, stopped by its process id.</summary>
    private sealed class Vm : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _dir;

        private Vm(Process process, string dir, int port)
        {
            _process = process;
            _dir = dir;
            Url = $"http://127.0.0.1:{port}";
        }

        public string Url { get; }

        public static async Task<Vm> StartAsync()
        {
            var dir = Directory.CreateTempSubdirectory("influx-bench-vm-").FullName;
            using var probe = new TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var psi = new ProcessStartInfo("/usr/bin/victoria-metrics", [$"-httpListenAddr=127.0.0.1:{port}", $"-storageDataPath={dir}", "-loggerLevel=ERROR"]) { UseShellExecute = false };
            var vm = new Vm(Process.Start(psi)!, dir, port);
            using var http = new HttpClient();
            for (var i = 0; i < 300; i++)
            {
                try
                {
                    if ((await http.GetAsync(vm.Url + "/health")).IsSuccessStatusCode)
                    {
                        return vm;
                    }
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(50);
            }

            throw new InvalidOperationException("victoria-metrics did not start (tests/peers/install.sh installs it)");
        }

        public async ValueTask DisposeAsync()
        {
            kill(_process.Id, 15);
            await _process.WaitForExitAsync();
            Directory.Delete(_dir, recursive: true);
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int sig);
    }
}

/// <summary>The tags of the load: <c>s{n}.t{i}</c>, 1,000 tags per source, unit mm.</summary>
internal static class Load
{
    public static TagDirectory Directory(int count)
    {
        var sources = Enumerable.Range(0, (count + 999) / 1000).Select(s => $"line{s}").ToArray();
        var tags = Enumerable.Range(0, count).Select(i => new TagConfig { Id = i, Source = sources[i / 1000], Name = $"tag{i % 1000}", Unit = "mm" }).ToList();
        return new TagDirectory(tags, sources);
    }
}
