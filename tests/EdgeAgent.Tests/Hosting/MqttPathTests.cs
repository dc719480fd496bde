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
        var data = await sub.WaitForAsync("acme/line-1/data/sim/count");
        using var json = JsonDocument.Parse(data.Payload);
        Assert.Equal("Good", json.RootElement.GetProperty("quality").GetString());
        Assert.True(json.RootElement.GetProperty("value").GetDouble() >= 0);

        // Data flows, so the agent said online before: a subscriber arriving now gets it as a retained message.
        await using var late = await Watcher.ConnectAsync(port, "acme/line-1/edge/#");
        var state = await late.WaitForAsync("acme/line-1/edge/emb/state");
        Assert.Equal("online", state.Payload);
        Assert.True(state.Retained, "the agent state is retained");
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
