using System.Diagnostics;
using System.Text;
using EdgeAgent.Equipment;
using EdgeAgent.Characteristics;
using EdgeAgent.Hosting;
using EdgeAgent.Alarms;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Alarms.Benchmarks;

/// <summary>
/// End-to-end latency under load: 10 000 tags × 10 Hz through the real bounded channel and router, 200 expression
/// alarms and 200 I-MR characteristics on them; every cycle 10 alarm tags cross their threshold. Measured from the
/// moment the source hands the batch to the pipeline (TryWrite) to the moment the <see cref="AlarmEvent"/> is handed to
/// the sinks (where the MQTT sink enqueues it for publishing).
/// </summary>
internal static class Latency
{
    public static async Task RunAsync(int tags = 10_000, int hz = 10, int seconds = 30)
    {
        const int alarms = 200;
        var yaml = new StringBuilder("sources:\n  - name: plc\n    driver: simulator\n    tags:\n");
        for (var i = 0; i < tags; i++)
        {
            yaml.Append("      - { name: t").Append(i).Append(", signal: constant }\n");
        }

        yaml.Append("characteristics:\n");
        for (var i = 0; i < alarms; i++)
        {
            yaml.Append("  - { name: c").Append(i).Append(", tag: plc.t").Append(alarms + i).Append(", chart: imr, limits: { ucl: 13, cl: 10, lcl: 7 }, spec: { lsl: 0, usl: 20 } }\n");
        }

        yaml.Append("equipment:\n  - name: line\n    running: plc.t0 >= 0\n    alarms:\n");
        for (var i = 0; i < alarms; i++)
        {
            yaml.Append("      - { name: a").Append(i).Append(", when: plc.t").Append(i).Append(" > 50, context: [plc.t").Append(tags - 1).Append("] }\n");
        }

        var (config, errors) = ConfigLoader.TryParse(yaml.ToString(), "latency.yaml");
        if (config is null || errors.HasErrors)
        {
            throw new InvalidOperationException(string.Join("\n", errors.Sorted().Take(5)));
        }

        var directory = TagDirectory.Of(config);
        var sink = new LatencySink();
        var data = Directory.CreateTempSubdirectory("alarms-latency").FullName;
        SamplePipeline? pipeline = null;
        var engine = new AlarmEngine(data, directory, e => pipeline!.Publish(e), TimeProvider.System, new AgentMetrics(), NullLogger.Instance);
        var consumers = new List<(int, ISampleConsumer)>();
        foreach (var alarm in config.Equipment()[0].Alarms)
        {
            var condition = engine.Define(new AlarmDefinition { Id = alarm.Id, Source = "line", Context = alarm.Context });
            consumers.Add((alarm.When.TagIds[0], new EquipmentAlarm(alarm, condition, directory)));
        }

        foreach (var c in config.Characteristics())
        {
            consumers.Add((c.TagId, new Characteristic(c, Spc.SpcChart.Create(CharacteristicComponent.SpecOf(c)), engine, directory, e => pipeline!.Publish(e))));
        }

        pipeline = new SamplePipeline(directory, consumers, [sink], 1024, new AgentMetrics(), NullLogger.Instance);
        var writer = pipeline.CreateWriter(0, new AgentMetrics());
        var router = Task.Run(() => pipeline.RunAsync(CancellationToken.None));
        var batch = new Sample[tags];
        var period = TimeSpan.FromSeconds(1.0 / hz);
        using var timer = new PeriodicTimer(period);
        var cycles = seconds * hz;
        var next = 0;
        for (var cycle = 0; cycle < cycles; cycle++)
        {
            await timer.WaitForNextTickAsync();
            var ticks = DateTime.UtcNow.Ticks;
            for (var i = 0; i < tags; i++)
            {
                batch[i] = Sample.Good(i, i < alarms ? 0 : 10, ticks);
            }

            // 10 alarm tags cross the threshold this cycle (the 10 of the previous cycle fall back: 10 more events).
            for (var k = 0; k < 10; k++)
            {
                batch[(next + k) % alarms] = Sample.Good((next + k) % alarms, 100, ticks);
            }

            next += 10;
            sink.Sent = Stopwatch.GetTimestamp();
            if (!writer.TryWrite(batch))
            {
                Console.WriteLine("dropped a batch");
            }
        }

        pipeline.Complete();
        await router;
        var latencies = sink.Latencies.Order().ToArray();
        double P(double q) => latencies.Length == 0 ? double.NaN : latencies[(int)Math.Min(latencies.Length - 1, q * latencies.Length)];
        Console.WriteLine($"{tags} tags x {hz} Hz for {seconds} s: {pipeline.Routed:N0} samples routed, {latencies.Length} alarm events");
        Console.WriteLine($"sample batch handed to the pipeline -> AlarmEvent handed to the sinks: p50 {P(0.50):F3} ms, p99 {P(0.99):F3} ms, max {P(1):F3} ms");
    }

    private sealed class LatencySink : ISink
    {
        public long Sent;
        public readonly List<double> Latencies = new();

        public string Name => "latency";

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void OnSamples(ReadOnlySpan<Sample> samples)
        {
        }

        public void OnEvent(AgentEvent agentEvent)
        {
            if (agentEvent is AlarmEvent)
            {
                Latencies.Add(Stopwatch.GetElapsedTime(Volatile.Read(ref Sent)).TotalMilliseconds);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
