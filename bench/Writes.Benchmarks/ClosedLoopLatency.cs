using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Drivers;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Writes.Benchmarks;

/// <summary>
/// The closed loop's latency through the real agent: a running <see cref="Agent"/> built from YAML, whose
/// characteristic's spec alarm carries the actions <c>active → hold = 1</c> and <c>cleared → hold = 0</c> on a writable
/// tag of a real device (pymodbus over Modbus TCP, node-opcua-server over OPC UA) on loopback. Each loop hands one
/// out-of-spec sample to the pipeline through the simulator source's own writer (router → characteristic → alarm engine
/// → action → TagWriter → the device source's WriteAsync → read-back and compare → WriteEvent to the sinks), then one
/// in-spec sample (the alarm clears and the hold is released the same way). Measured from the moment the sample is handed
/// to the pipeline to the moment the WriteEvent (the device acknowledged the write and the read-back matched) reaches
/// the sinks. The device's own write + read-back round trip is measured in the same run on a separate connection.
/// </summary>
internal static class ClosedLoopLatency
{
    private const double OutOfSpec = 10.2;
    private const double InSpec = 10.0;

    public static async Task<int> RunAsync(string protocol, int loops, int warmup)
    {
        var root = RepoRoot();
        await using var peer = await Peer.StartAsync(protocol, root);
        var data = Directory.CreateTempSubdirectory("writes-latency").FullName;
        var path = Path.Combine(data, "agent.yaml");
        await File.WriteAllTextAsync(path, Yaml(protocol, peer.Endpoint));
        var (config, errors) = ConfigLoader.TryLoad(path);
        if (config is null || errors.HasErrors)
        {
            await Console.Error.WriteLineAsync(string.Join("\n", errors.Sorted()));
            return 2;
        }

        var device = config.Sources.Single(s => s.Name == "plc");
        var hold = config.FindTag("plc.quality_hold")!;

        // The device first serves 1000 writes unmeasured: node-opcua's JavaScript is still being optimised during the
        // first few hundred, and whichever measurement came first paid for it.
        await DeviceRoundTripAsync(device, hold, 0, 1000);
        var sink = new WriteSink();
        var agent = new Agent(config, NullLoggerFactory.Instance, new AgentMetrics());
        agent.Add(new SinkComponent(sink));
        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Task.Run(() => agent.RunAsync(stop.Token, started));
        await Task.WhenAny(started.Task, run).WaitAsync(TimeSpan.FromSeconds(60));
        var simIndex = config.Sources.ToList().FindIndex(s => s.Name == "sim");
        var plcIndex = config.Sources.ToList().FindIndex(s => s.Name == "plc");
        await UntilAsync(() => agent.Writers.Count > plcIndex && agent.Writers[plcIndex].State == SourceState.Up && agent.Writers[simIndex].State == SourceState.Up,
            TimeSpan.FromSeconds(60), "both sources up");
        var writer = agent.Writers[simIndex];
        var diameter = config.FindTag("sim.diameter")!.Id;

        var raise = new List<double>(loops);
        var release = new List<double>(loops);
        var failures = 0;
        var batch = new Sample[1];
        for (var i = 0; i < warmup + loops; i++)
        {
            foreach (var (value, into) in new[] { (OutOfSpec, raise), (InSpec, release) })
            {
                var expected = value == OutOfSpec ? 1.0 : 0.0;
                var done = sink.Expect(expected);
                batch[0] = Sample.Good(diameter, value, DateTime.UtcNow.Ticks);
                var sent = Stopwatch.GetTimestamp();
                if (!writer.TryWrite(batch))
                {
                    throw new InvalidOperationException("the pipeline refused the sample");
                }

                var (status, at) = await done.WaitAsync(TimeSpan.FromSeconds(30));
                if (status != WriteStatus.Ok)
                {
                    failures++;
                }

                if (i >= warmup)
                {
                    into.Add(Stopwatch.GetElapsedTime(sent, at).TotalMilliseconds);
                }
            }
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        await agent.DisposeAsync();
        Directory.Delete(data, recursive: true);

        var reference = await DeviceRoundTripAsync(device, hold, loops, warmup);

        Console.WriteLine($"{protocol}: {loops} loops after {warmup} warm-up, {failures} writes not ok; load {File.ReadAllText("/proc/loadavg").Trim()}, {Environment.ProcessorCount} cores");
        Report("device write + read-back alone (reference)", reference);
        Report("out-of-spec sample -> alarm active -> hold = 1 acknowledged", raise);
        Report("in-spec sample -> alarm cleared -> hold = 0 acknowledged", release);
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// The device's side alone: the driver's write and read-back, no agent. The source runs (polls or subscribes) as in
    /// the agent, so the write shares its connection or session the same way.
    /// </summary>
    private static async Task<List<double>> DeviceRoundTripAsync(SourceConfig device, TagConfig hold, int loops, int warmup)
    {
        await using var source = Plugins.FindDriver(device.Driver)!.Create(device, NullLoggerFactory.Instance);
        var writable = (IWritableSource)source;
        var samples = new NullWriter();
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => source.RunAsync(samples, stop.Token));
        await UntilAsync(() => samples.State == SourceState.Up, TimeSpan.FromSeconds(60), "the device source up");
        var binding = new TagBinding(hold.Id, hold.Name, hold.Options);
        var times = new List<double>(loops);
        for (var i = 0; i < warmup + loops; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var result = await writable.WriteAsync(binding, i % 2, CancellationToken.None);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!result.Matches)
            {
                throw new InvalidOperationException($"read back {result.ReadBack}, expected {i % 2}");
            }

            if (i >= warmup)
            {
                times.Add(elapsed);
            }
        }

        await writable.WriteAsync(binding, 0, CancellationToken.None);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
        return times;
    }

    private sealed class NullWriter : ISampleWriter
    {
        private volatile SourceState _state = SourceState.Starting;

        public SourceState State => _state;

        public bool TryWrite(ReadOnlySpan<Sample> samples) => true;

        public void SetState(SourceState state, string? reason = null) => _state = state;
    }

    private static void Report(string what, List<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        double P(double q) => sorted[(int)Math.Min(sorted.Length - 1, q * sorted.Length)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what,-62} p50 {P(0.50),7:F3} ms  p99 {P(0.99),7:F3} ms  max {sorted[^1],7:F3} ms"));
    }

    private static string Yaml(string protocol, string endpoint)
    {
        var device = protocol == "modbus"
            ? $$"""
              - name: plc
                driver: modbus-tcp
                endpoint: {{endpoint}}
                poll: 100ms
                tags:
                  - { name: quality_hold, address: coil:8, writable: true }
            """
            : $$"""
              - name: plc
                driver: opcua
                endpoint: "{{endpoint}}"
                tags:
                  - { name: quality_hold, node: "ns=2;s=Loop.Hold", writable: true }
            """;
        return $$"""
            agent: { id: bench, site: bench/writes }
            sources:
              - name: sim
                driver: simulator
                poll: 1h
                tags:
                  - { name: diameter, signal: constant, mean: 10.0 }
            {{device}}
            characteristics:
              - name: sim.diameter
                chart: imr
                spec: { lsl: 9.95, usl: 10.05 }
                limits: { ucl: 1000, cl: 10, lcl: -1000 }
                actions:
                  - { on: active, write: plc.quality_hold, value: 1 }
                  - { on: cleared, write: plc.quality_hold, value: 0 }
            outputs:
              mqtt: off
            """;
    }

    private static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"not within {timeout}: {what}");
            }

            await Task.Delay(20);
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeAgent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find EdgeAgent.sln above " + AppContext.BaseDirectory);
    }

    /// <summary>Catches the WriteEvent a loop waits for, timestamped where the sinks receive it.</summary>
    private sealed class WriteSink : ISink
    {
        private TaskCompletionSource<(WriteStatus, long)>? _waiting;
        private double _value;

        public string Name => "bench";

        public Task<(WriteStatus Status, long At)> Expect(double value)
        {
            var tcs = new TaskCompletionSource<(WriteStatus, long)>(TaskCreationOptions.RunContinuationsAsynchronously);
            _value = value;
            Volatile.Write(ref _waiting, tcs);
            return tcs.Task;
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void OnSamples(ReadOnlySpan<Sample> samples)
        {
        }

        public void OnEvent(AgentEvent agentEvent)
        {
            if (agentEvent is WriteEvent w && Volatile.Read(ref _waiting) is { } waiting && w.Value == _value)
            {
                waiting.TrySetResult((w.Status, Stopwatch.GetTimestamp()));
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class SinkComponent(ISink sink) : IAgentComponent
    {
        public void Register(AgentContext context) => context.AddSink(sink);
    }

    /// <summary>The device: pymodbus (the closed-loop tests' PLC) or the node-opcua test server, on a free loopback port.</summary>
    private sealed class Peer : IAsyncDisposable
    {
        private readonly Process _process;

        private Peer(Process process, string endpoint)
        {
            _process = process;
            Endpoint = endpoint;
        }

        public string Endpoint { get; }

        public static async Task<Peer> StartAsync(string protocol, string root)
        {
            var port = FreePort();
            var info = protocol == "modbus"
                ? new ProcessStartInfo("/usr/bin/python3", [Path.Combine(root, "tests", "EdgeAgent.Tests", "Writes", "peers", "plc.py"), port.ToString(CultureInfo.InvariantCulture)])
                : new ProcessStartInfo("node", ["opcua/server.js", "--port", port.ToString(CultureInfo.InvariantCulture), "--big", "10"]) { WorkingDirectory = Path.Combine(root, "tests", "peers") };
            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = false;
            var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {info.FileName}");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("ready", StringComparison.Ordinal))
                {
                    // Keep reading so a chatty peer never blocks on a full pipe.
                    _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                    return new Peer(process, protocol == "modbus" ? $"127.0.0.1:{port}" : $"opc.tcp://127.0.0.1:{port}/UA/EdgeAgentTest");
                }
            }

            throw new InvalidOperationException($"{info.FileName} ended before it was ready (tests/peers/install.sh installs the peers)");
        }

        private static int FreePort()
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}
