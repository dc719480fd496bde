using Xunit.Abstractions;
using EdgeAgent.Config;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>
/// The broker goes away while a counter tag is published at 20 Hz, until 200 messages (10 s of data) wait in the outbox: the outbox keeps everything on disk and,
/// once the broker is back, a persistent-session subscriber receives every value, in order, without holes.
/// </summary>
public sealed class OutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_persistent_subscriber_gets_every_counter_value_in_order_across_a_broker_outage_of_200_queued_messages()
    {
        await using var broker = await Mosquitto.StartAsync();
        const string topic = "test/outage/data/sim/count";
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, topic);
        var dir = Directory.CreateTempSubdirectory("outage-").FullName;
        var configPath = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(configPath, $$"""
            agent: { id: outage-gw, site: test/outage }
            sources:
              - name: sim
                driver: simulator
                poll: 50ms
                tags:
                  - { name: count, signal: counter }
            outputs:
              mqtt: { broker: "{{broker.Url}}", outbox: { sync: normal } }
            """);
        var config = ConfigLoader.Load(configPath);
        var metrics = new AgentMetrics();
        using var loggers = TestOutputLoggerProvider.Factory(output);
        await using var agent = new Agent(config, loggers, metrics);
        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var run = agent.RunAsync(stop.Token, started);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await subscriber.WaitUntilAsync(m => m.Count(x => x.Topic == topic) >= 20, TimeSpan.FromSeconds(30), "20 live values");

        await broker.StopAsync();
        // The outage lasts until the agent has queued 10 s of data (20 Hz): observed on its outbox gauge, not slept.
        await Until.TrueAsync(() => metrics.Gauge("edgeagent_outbox_pending").Value >= 200, TimeSpan.FromSeconds(60),
            "200 messages waiting in the outbox while the broker is down", () => $"{metrics.Gauge("edgeagent_outbox_pending").Value} pending");
        var pending = metrics.Gauge("edgeagent_outbox_pending").Value;
        await broker.StartAgainAsync();
        await subscriber.ReconnectAsync();

        // Live again once values beyond what was queued during the outage arrive.
        var target = Sequence.Value(subscriber.On(topic).Last().Payload) + pending + 20;
        try
        {
            await subscriber.WaitUntilAsync(m => m.Where(x => x.Topic == topic).Select(x => Sequence.Value(x.Payload)).DefaultIfEmpty().Max() >= target, TimeSpan.FromSeconds(60), $"value {target}");
        }
        catch (TimeoutException)
        {
            output.WriteLine($"pending {metrics.Gauge("edgeagent_outbox_pending").Value}, published {metrics.Get("edgeagent_mqtt_published_total", "", "").Value}, subscriber connected {subscriber.IsConnected}");
            output.WriteLine(broker.Log);
            throw;
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        var values = subscriber.On(topic).Select(m => Sequence.Value(m.Payload)).ToList();
        var max = Sequence.AssertHoleFree(values);
        output.WriteLine($"received {values.Count} messages, values 0..{max}, {values.Count - max - 1} QoS 1 re-deliveries");
        Assert.Equal(0, metrics.DroppedTotal("outbox").Value);
        Directory.Delete(dir, recursive: true);
    }
}
