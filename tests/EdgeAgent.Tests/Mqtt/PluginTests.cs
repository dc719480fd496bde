using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeAgent.Drivers;
using EdgeAgent.Outputs.Mqtt;
using EdgeAgent.Outputs.Mqtt.Plugin;
using EdgeAgent.Outputs.Mqtt.Sparkplug.Proto;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>
/// The MQTT plug-in on its own, without the host: its component starts the embedded broker before the sink connects,
/// hands the sink the chosen format, names the declared producers in Sparkplug births, and stops the broker after the sink.
/// </summary>
public sealed class PluginTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("mqtt-plugin-").FullName;
    private readonly RecordingLoggers _logs = new();

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private AgentContext Context()
    {
        TagConfig[] tags = [new() { Id = 0, Source = "sim", Name = "count" }, new() { Id = 1, Source = "sim", Name = "temp" }];
        var context = new AgentContext(new AgentIdentity { Id = "gw", Site = "t/plugin", Data = _data }, new TagDirectory(tags, ["sim"]), _logs, new AgentMetrics());
        context.DeclareProducer(ProducerKind.Characteristic, "bore");
        context.DeclareProducer(ProducerKind.Equipment, "press1");
        return context;
    }

    [Fact]
    public async Task The_component_owns_the_embedded_broker_and_the_json_sink_answers_commands()
    {
        var context = Context();
        var port = Mosquitto.FreePort();
        var options = MqttOptions.EmbeddedDefault with { Broker = new Uri($"mqtt://127.0.0.1:{port}") };
        var component = new MqttPlugin().Create(options, context)!;
        component.Register(context);
        await component.StartAsync(CancellationToken.None); // as the host does: components start before sinks
        var sink = Assert.IsType<MqttSink>(Assert.Single(context.Sinks));
        await using var watcher = await Watcher.ConnectAsync(port, "t/plugin/#");
        await sink.StartAsync(CancellationToken.None);
        Assert.Equal("online", Text(await watcher.WaitAsync(m => m.Topic == "t/plugin/edge/gw/state")));

        sink.OnSamples([Sample.Good(0, 1.5, DateTime.UtcNow.Ticks)]);
        Assert.StartsWith("{\"value\":1.5,\"quality\":\"Good\",\"ts\":", Text(await watcher.WaitAsync(m => m.Topic == "t/plugin/data/sim/count")));
        await watcher.PublishAsync("t/plugin/edge/gw/cmd/rebirth");
        Assert.StartsWith("{\"ok\":true,\"ts\":", Text(await watcher.WaitAsync(m => m.Topic == "t/plugin/edge/gw/reply/rebirth")));
        await watcher.PublishAsync("t/plugin/edge/gw/cmd/nope");
        Assert.StartsWith("{\"ok\":false,\"error\":\"unknown command 'nope'\"", Text(await watcher.WaitAsync(m => m.Topic == "t/plugin/edge/gw/reply/nope")));
        Assert.True(File.Exists(Path.Combine(_data, "outbox.db")));

        await sink.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        await watcher.WaitAsync(m => m.Topic == "t/plugin/edge/gw/state" && Text(m) == "offline");
        await watcher.DisposeAsync();
        await component.DisposeAsync();
        await sink.DisposeAsync(); // the host disposes its sinks too: a second dispose is harmless
        Assert.Contains(_logs.Lines, l => l.StartsWith("EdgeAgent.Broker 312", StringComparison.Ordinal));
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public async Task Sparkplug_births_announce_the_producers_declared_before_the_component_registered()
    {
        var context = Context();
        var port = Mosquitto.FreePort();
        var options = MqttOptions.EmbeddedDefault with { Broker = new Uri($"mqtt://127.0.0.1:{port}"), Format = "sparkplug" };
        var component = new MqttPlugin().Create(options, context)!;
        component.Register(context);
        await component.StartAsync(CancellationToken.None); // as the host does: components start before sinks
        var sink = Assert.IsType<MqttSink>(Assert.Single(context.Sinks));
        await using var watcher = await Watcher.ConnectAsync(port, "#");
        await sink.StartAsync(CancellationToken.None);
        var nbirth = Payload.Parser.ParseFrom((await watcher.WaitAsync(m => m.Topic == "spBv1.0/plugin/NBIRTH/gw")).Payload.ToArray());
        Assert.Contains(nbirth.Metrics, m => m.Name == "SPC/bore/statistic");
        var press = Payload.Parser.ParseFrom((await watcher.WaitAsync(m => m.Topic == "spBv1.0/plugin/DBIRTH/gw/press1")).Payload.ToArray());
        Assert.Equal(["State", "Code"], press.Metrics.Select(m => m.Name));
        var source = Payload.Parser.ParseFrom((await watcher.WaitAsync(m => m.Topic == "spBv1.0/plugin/DBIRTH/gw/sim")).Payload.ToArray());
        Assert.Equal(["count", "temp"], source.Metrics.Select(m => m.Name));
        Assert.True(File.Exists(Path.Combine(_data, "sparkplug-bdseq")));
        await watcher.PublishAsync("t/plugin/edge/gw/cmd/nope");
        Assert.StartsWith("{\"ok\":false", Text(await watcher.WaitAsync(m => m.Topic == "t/plugin/edge/gw/reply/nope")));

        await sink.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        await watcher.WaitAsync(m => m.Topic == "spBv1.0/plugin/NDEATH/gw");
        await watcher.DisposeAsync();
        await component.DisposeAsync();
    }

    [Fact]
    public void Mqtt_off_builds_nothing()
    {
        var context = Context();
        Assert.Null(new MqttPlugin().Create(null, context));
        Assert.Empty(context.Sinks);
    }

    private static string Text(MqttApplicationMessage message) => Encoding.UTF8.GetString(message.Payload.ToArray());

    /// <summary>Every log line as <c>{category} {event id} {level}: {message}</c>.</summary>
    private sealed class RecordingLoggers : ILoggerFactory
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLoggers owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue($"{category} {eventId.Id} {logLevel}: {formatter(state, exception)}");
        }
    }

    /// <summary>An MQTT client that records what it receives on one filter.</summary>
    private sealed class Watcher : IAsyncDisposable
    {
        private readonly IMqttClient _client;
        private readonly ConcurrentQueue<MqttApplicationMessage> _received = new();

        private Watcher(IMqttClient client) => _client = client;

        public static async Task<Watcher> ConnectAsync(int port, string filter)
        {
            var watcher = new Watcher(new MqttClientFactory().CreateMqttClient());
            watcher._client.ApplicationMessageReceivedAsync += e =>
            {
                watcher._received.Enqueue(e.ApplicationMessage);
                return Task.CompletedTask;
            };
            await watcher._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("watch-" + Guid.NewGuid().ToString("N")[..8]).Build());
            await watcher._client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
            return watcher;
        }

        public Task PublishAsync(string topic) => _client.PublishStringAsync(topic, "{}", MqttQualityOfServiceLevel.AtLeastOnce);

        public async Task<MqttApplicationMessage> WaitAsync(Func<MqttApplicationMessage, bool> match)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (DateTime.UtcNow < deadline)
            {
                if (_received.FirstOrDefault(match) is { } message)
                {
                    return message;
                }

                await Task.Delay(20); // polling what arrived, bounded by the deadline
            }

            throw new TimeoutException("no matching message; received: " + string.Join(", ", _received.Select(m => m.Topic).Distinct()));
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
