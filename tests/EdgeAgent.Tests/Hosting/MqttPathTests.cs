using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using EdgeAgent.Tests.Mqtt;
using EdgeAgent.Tests.Support;
using MQTTnet;

namespace EdgeAgent.Tests.Hosting;

/// <summary>The foundation's MQTT path: the embedded broker (default) and a real mosquitto, watched by a subscriber.</summary>
public class MqttPathTests
{
    [Fact]
    public async Task Embedded_broker_serves_data_and_retained_state_to_a_subscriber()
    {
        var port = ChildProcess.FreeTcpPort();
        await using var agent = await TestAgent.StartAsync($$"""
            agent: { id: emb, site: acme/line-1 }
            sources:
              - { name: sim, driver: simulator, poll: 10ms, tags: [ { name: count, signal: counter } ] }
            outputs:
              mqtt: { broker: "mqtt://127.0.0.1:{{port}}", embedded: true }
            """);
        await using var sub = await Watcher.ConnectAsync(port, "acme/line-1/#");
        // The subscriber arrives while the counter runs, so its first value is whatever the count is by then; the next
        // message of the tag is exactly one more (one step per poll, each sample published in order, none lost).
        var first = Count(await sub.WaitForAsync("acme/line-1/data/sim/count"));
        var next = Count(await sub.WaitForAsync("acme/line-1/data/sim/count"));
        Assert.Equal(Math.Floor(first), first);
        Assert.Equal(first + 1, next);

        // Data flows, so the agent said online before: a subscriber arriving now gets it as a retained message.
        await using var late = await Watcher.ConnectAsync(port, "acme/line-1/edge/#");
        var state = await late.WaitForAsync("acme/line-1/edge/emb/state");
        Assert.Equal("online", state.Payload);
        Assert.True(state.Retained, "the agent state is retained");
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task Mosquitto_sub_without_a_client_id_receives_the_demo_data_from_the_embedded_broker(string protocol)
    {
        // The demo as shipped, with the embedded broker moved to a free port so tests can run side by side.
        var port = ChildProcess.FreeTcpPort();
        var demo = await File.ReadAllTextAsync(Repo.PathOf("config", "demo.yaml"));
        Assert.DoesNotContain("\noutputs:", demo, StringComparison.Ordinal);
        await using var agent = await TestAgent.StartAsync(demo + $$"""

            outputs:
              mqtt: { broker: "mqtt://127.0.0.1:{{port}}", embedded: true }
            """);

        // The command the demo's comment and the README give, without -i: mosquitto_sub then sends an empty client id with a
        // clean session, which the broker must accept and give an id of its own.
        await using var sub = new ChildProcess("mosquitto_sub", ["-h", "127.0.0.1", "-p", port.ToString(), "-t", "#", "-v", "-V", protocol]);
        string line;
        try
        {
            line = await sub.WaitForLineAsync("acme/plant-a/area-2/line-1/data/press1/diameter ", TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"mosquitto_sub -V {protocol} printed no diameter sample; stdout:\n{sub.Stdout}\nstderr:\n{sub.Stderr}");
        }

        using var json = JsonDocument.Parse(line[(line.IndexOf(' ') + 1)..]);
        Assert.Equal("Good", json.RootElement.GetProperty("quality").GetString());
        Assert.InRange(json.RootElement.GetProperty("value").GetDouble(), 9.9, 10.1); // normal(10.0, 0.01): 10 sd either side
        Assert.DoesNotContain("identifier rejected", sub.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publishes_to_a_real_mosquitto_and_says_offline_when_stopped()
    {
        await using var broker = await Mosquitto.StartAsync();
        var agent = await TestAgent.StartAsync($$"""
            agent: { id: mosq, site: plant }
            sources:
              - { name: sim, driver: simulator, poll: 10ms, tags: [ { name: count, signal: counter } ] }
            outputs:
              mqtt: { broker: "mqtt://127.0.0.1:{{broker.Port}}" }
            """);
        await using var sub = await Watcher.ConnectAsync(broker.Port, "plant/#");
        await sub.WaitForAsync("plant/data/sim/count");
        await using var late = await Watcher.ConnectAsync(broker.Port, "plant/edge/#");
        var online = await late.WaitForAsync("plant/edge/mosq/state");
        Assert.Equal("online", online.Payload);
        Assert.True(online.Retained);
        await agent.StopAsync();
        await late.WaitForAsync("plant/edge/mosq/state", m => m.Payload == "offline");
        await agent.DisposeAsync();
    }

    private static double Count(Received message)
    {
        using var json = JsonDocument.Parse(message.Payload);
        Assert.Equal("Good", json.RootElement.GetProperty("quality").GetString());
        return json.RootElement.GetProperty("value").GetDouble();
    }

    internal sealed record Received(string Topic, string Payload, bool Retained);

    /// <summary>An MQTTnet subscriber that lets a test wait for a message on a topic.</summary>
    internal sealed class Watcher : IAsyncDisposable
    {
        private readonly IMqttClient _client;
        private readonly ConcurrentQueue<Received> _messages = new();
        private readonly SemaphoreSlim _arrived = new(0);

        private Watcher(IMqttClient client)
        {
            _client = client;
            _client.ApplicationMessageReceivedAsync += e =>
            {
                _messages.Enqueue(new Received(e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload), e.ApplicationMessage.Retain));
                _arrived.Release();
                return Task.CompletedTask;
            };
        }

        public static async Task<Watcher> ConnectAsync(int port, string filter)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var watcher = new Watcher(client);
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("watcher-" + Guid.NewGuid().ToString("N")[..8]).Build());
            await client.SubscribeAsync(filter, MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
            return watcher;
        }

        public async Task<Received> WaitForAsync(string topic, Func<Received, bool>? match = null, TimeSpan? timeout = null)
        {
            var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
            var seen = new List<Received>();
            while (true)
            {
                while (_messages.TryDequeue(out var m))
                {
                    seen.Add(m);
                    if (m.Topic == topic && (match?.Invoke(m) ?? true))
                    {
                        return m;
                    }
                }

                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
                {
                    throw new TimeoutException($"no matching message on {topic}; saw {seen.Count} messages on {string.Join(", ", seen.Select(s => s.Topic).Distinct().Take(5))}");
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync();
            }

            _client.Dispose();
        }
    }
}
