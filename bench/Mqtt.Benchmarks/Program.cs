using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchmarkDotNet.Running;
using EdgeAgent.Outputs.Mqtt;
using EdgeAgent.Outputs.Mqtt.Outbox;
using EdgeAgent.Outputs.Mqtt.Plugin;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace MqttBenchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Mqtt.Benchmarks -- throughput [messages]</c>: one mosquitto on loopback, then
/// in the same run: <c>mosquitto_pub -l -q 1</c> (the C reference), the agent's direct QoS 1 path (memory queue), the
/// durable outbox path (sync normal and full), each pushing ~90-byte JSON messages until every PUBACK is in.
/// <c>-- replay [messages]</c>: queue that many messages in the outbox with no broker, then replay them into mosquitto,
/// reporting msgs/s and the process's peak working set.
/// Anything else goes to BenchmarkDotNet (<c>-- --filter *Encode* --job short --inProcess</c>).
/// </summary>
public static class Program
{
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("""{"value":12345.6789,"quality":"Good","ts":"2026-11-25T13:14:24.1234567Z","unit":"mm","seq":1234}""");

    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "throughput")
        {
            var n = args.Length > 1 ? int.Parse(args[1]) : 200_000;
            await using var broker = await Broker.StartAsync();
            Console.WriteLine($"payload {Payload.Length} bytes, {n} messages per run, mosquitto on 127.0.0.1:{broker.Port}");
            var reference = await MosquittoPubAsync(broker.Port, n);
            Report("mosquitto_pub -l -q 1", n, reference, null);
            var direct = await AgentPathAsync(broker.Port, n, outbox: null);
            Report("agent direct QoS 1 (outbox: off)", n, direct, reference);
            var normal = await AgentPathAsync(broker.Port, n, new OutboxOptions { FullSync = false });
            Report("agent outbox QoS 1 (sync: normal)", n, normal, direct);
            var full = await AgentPathAsync(broker.Port, n, new OutboxOptions { FullSync = true });
            Report("agent outbox QoS 1 (sync: full)", n, full, direct);
            return 0;
        }

        if (args.Length > 0 && args[0] == "replay")
        {
            var n = args.Length > 1 ? int.Parse(args[1]) : 1_000_000;
            await ReplayAsync(n);
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static void Report(string name, int n, TimeSpan elapsed, TimeSpan? baseline)
    {
        var rate = n / elapsed.TotalSeconds;
        var ratio = baseline is { } b ? $"  ({b.TotalSeconds / elapsed.TotalSeconds:P0} of the line above's reference)" : string.Empty;
        Console.WriteLine($"{name,-40} {rate,12:N0} msgs/s  {elapsed.TotalSeconds,7:F2} s{ratio}");
    }

    private static async Task<TimeSpan> MosquittoPubAsync(int port, int n)
    {
        var psi = new ProcessStartInfo("mosquitto_pub", ["-h", "127.0.0.1", "-p", port.ToString(), "-q", "1", "-t", "bench/ref/t1", "-l", "-i", "bench-ref"])
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var lines = new StringBuilder(n * (Payload.Length + 1));
        var text = Encoding.UTF8.GetString(Payload);
        for (var i = 0; i < n; i++)
        {
            lines.Append(text).Append('\n');
        }

        var input = lines.ToString();
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteAsync(input);
        p.StandardInput.Close();
        await p.WaitForExitAsync();
        return sw.Elapsed;
    }

    /// <summary>Agent bench-gw at site bench with one tag sim.t1, and outputs.mqtt { broker: mqtt://127.0.0.1:{port} }.</summary>
    private static (MqttOptions Options, MqttContext Context) Setup(int port, string dataDir)
    {
        var context = new MqttContext
        {
            AgentId = "bench-gw",
            Site = "bench",
            Data = dataDir,
            Directory = new TagDirectory([new TagConfig { Id = 0, Source = "sim", Name = "t1" }], ["sim"]),
            Commands = new CommandHub(),
            Metrics = new AgentMetrics(),
            Logger = NullLogger.Instance,
        };
        return (new MqttOptions { Broker = new Uri($"mqtt://127.0.0.1:{port}") }, context);
    }

    private static MqttSink Sink(MqttOptions options, MqttContext context) =>
        new(options, context, MqttComponent.FormatFor(options, context));

    /// <summary>Producer pushes n messages through the sink's emitter as fast as it can; done when all are acknowledged.</summary>
    private static async Task<TimeSpan> AgentPathAsync(int port, int n, OutboxOptions? outbox)
    {
        var dir = Directory.CreateTempSubdirectory("mqtt-bench-").FullName;
        try
        {
            var (mqtt, context) = Setup(port, dir);
            var options = mqtt with
            {
                Outbox = outbox ?? new OutboxOptions { Enabled = false, MaxMessages = long.MaxValue },
                MaxInflight = int.TryParse(Environment.GetEnvironmentVariable("BENCH_INFLIGHT"), out var w) ? w : 256,
            };
            await using var sink = Sink(options, context);
            var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            sink.Connected += () => connected.TrySetResult();
            await sink.StartAsync(CancellationToken.None);
            await connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
            IMqttEmitter emitter = sink;
            var acked = sink.Store.AcknowledgedThrough;
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                emitter.Emit(MessageClass.Data, 1, "bench/data/sim/t1", Payload, false);
                if ((i & 0x3FFF) == 0 && sink.Store.Pending > 200_000)
                {
                    await Task.Yield(); // keep the memory queue from running far ahead of the writer
                }
            }

            while (sink.Store.AcknowledgedThrough - acked < n)
            {
                await Task.Delay(5);
            }

            var elapsed = sw.Elapsed;
            await sink.StopAsync(CancellationToken.None);
            return elapsed;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task ReplayAsync(int n)
    {
        var dir = Directory.CreateTempSubdirectory("mqtt-replay-").FullName;
        try
        {
            var metrics = new AgentMetrics();
            var sw = Stopwatch.StartNew();
            await using (var outbox = SqliteOutbox.Open(new OutboxOptions { FullSync = false, MaxMessages = 10_000_000 }, Path.Combine(dir, "outbox.db"), metrics, NullLogger.Instance))
            {
                for (var i = 0; i < n; i++)
                {
                    outbox.TryEnqueue(new OutboxMessage(MessageClass.Data, "bench/data/sim/t1", Payload, false, DateTime.UtcNow.Ticks));
                    if ((i & 0xFFFF) == 0)
                    {
                        await outbox.FlushAsync(CancellationToken.None);
                    }
                }

                await outbox.FlushAsync(CancellationToken.None);
            }

            Console.WriteLine($"queued {n} messages in {sw.Elapsed.TotalSeconds:F1} s ({n / sw.Elapsed.TotalSeconds:N0} msgs/s into the outbox); file {new FileInfo(Path.Combine(dir, "outbox.db")).Length / 1e6:F0} MB");
            GC.Collect();
            var before = Process.GetCurrentProcess().WorkingSet64;
            await using var broker = await Broker.StartAsync();
            var (mqtt, context) = Setup(broker.Port, dir);
            var options = mqtt with { Outbox = new OutboxOptions { FullSync = false, MaxMessages = 10_000_000 } };
            long peak = 0;
            long peakHeap = 0;
            await using var sink = Sink(options, context);
            Console.WriteLine($"pending at start: {sink.Store.Pending}");
            sw.Restart();
            await sink.StartAsync(CancellationToken.None);
            while (sink.Store.Pending > 0)
            {
                await Task.Delay(100);
                using var self = Process.GetCurrentProcess();
                peak = Math.Max(peak, self.WorkingSet64);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
            }

            Console.WriteLine($"replayed {n} messages in {sw.Elapsed.TotalSeconds:F1} s ({n / sw.Elapsed.TotalSeconds:N0} msgs/s); working set before {before / 1e6:F0} MB, peak {peak / 1e6:F0} MB; managed heap peak {peakHeap / 1e6:F0} MB");
            await sink.StopAsync(CancellationToken.None);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>mosquitto on a free loopback port for the run (no persistence: the bench measures the publisher).</summary>
internal sealed class Broker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private Broker(Process process, int port, string dir)
    {
        _process = process;
        Port = port;
        _dir = dir;
    }

    public int Port { get; }

    public static async Task<Broker> StartAsync()
    {
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        var dir = Directory.CreateTempSubdirectory("bench-mosquitto-").FullName;
        var conf = Path.Combine(dir, "m.conf");
        await File.WriteAllTextAsync(conf, $"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nuser root\nlog_type error\n");
        var p = Process.Start(new ProcessStartInfo("mosquitto", ["-c", conf]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }

        return new Broker(p, port, dir);
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
