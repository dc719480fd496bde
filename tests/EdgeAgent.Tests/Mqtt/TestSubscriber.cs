using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>
/// An independent MQTT subscriber with a persistent session (clean session false, QoS 1): what a QMS/MES backend
/// sees. Records every message in arrival order; tests wait on what it received (never on time).
/// </summary>
internal sealed class TestSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly string _clientId;
    private readonly string[] _filters;
    private readonly List<(string Topic, byte[] Payload, bool Retain)> _messages = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private int _port;

    private TestSubscriber(int port, string clientId, string[] filters)
    {
        _port = port;
        _clientId = clientId;
        _filters = filters;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            lock (_messages)
            {
                _messages.Add((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray(), e.ApplicationMessage.Retain));
            }

            _arrived.Release();
            return Task.CompletedTask;
        };
    }

    public static async Task<TestSubscriber> ConnectAsync(int port, params string[] filters)
    {
        var subscriber = new TestSubscriber(port, "sub-" + Guid.NewGuid().ToString("N")[..10], filters);
        await subscriber.ReconnectAsync(subscribe: true);
        return subscriber;
    }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Connects with the same client id (the broker resumes the session and delivers what it queued).</summary>
    public async Task ReconnectAsync(bool subscribe = false, int? port = null)
    {
        _port = port ?? _port;
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", _port)
            .WithClientId(_clientId)
            .WithCleanSession(false)
            .WithSessionExpiryInterval(3600) // MQTT 5: without it the session ends with the connection
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                await _client.ConnectAsync(options);
                break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100); // retrying a refused connect while the broker comes up, bounded by the deadline
            }
        }

        if (subscribe)
        {
            var builder = new MqttClientSubscribeOptionsBuilder();
            foreach (var f in _filters)
            {
                builder = builder.WithTopicFilter(f, MqttQualityOfServiceLevel.AtLeastOnce);
            }

            await _client.SubscribeAsync(builder.Build());
        }
    }

    public Task PublishAsync(string topic, string payload, bool retain = false) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    public Task PublishAsync(string topic, byte[] payload) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    public async Task DisconnectAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }
    }

    public IReadOnlyList<(string Topic, byte[] Payload, bool Retain)> Messages
    {
        get
        {
            lock (_messages)
            {
                return _messages.ToArray();
            }
        }
    }

    public IEnumerable<(string Topic, byte[] Payload, bool Retain)> On(string topic) => Messages.Where(m => m.Topic == topic);

    public IEnumerable<JsonElement> Json(string topic) => On(topic).Select(m => JsonDocument.Parse(m.Payload).RootElement.Clone());

    /// <summary>Waits until <paramref name="condition"/> holds over the received messages; fails with a description after the timeout.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<(string Topic, byte[] Payload, bool Retain)>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Messages))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                var last = Messages.TakeLast(5).Select(m => $"{m.Topic} {Encoding.UTF8.GetString(m.Payload)}");
                throw new TimeoutException($"timed out after {timeout} waiting for {what}; {Messages.Count} messages received, last: {string.Join(" | ", last)}");
            }

            await _arrived.WaitAsync(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await DisconnectAsync();
        }
        catch (Exception)
        {
        }

        _client.Dispose();
    }
}
