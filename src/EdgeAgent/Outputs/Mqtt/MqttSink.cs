using System.Text;
using System.Threading.Channels;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// Publishes the JSON topic contract to an MQTT broker: agent state (retained, last will <c>offline</c>), one message per
/// sample on <c>{site}/data/{source}/{tag}</c>, and events.
/// Queue policy: samples wait in a bounded queue (<see cref="SampleQueueCapacity"/>); when full the OLDEST sample is
/// dropped and counted in <c>edgeagent_dropped_total{queue="mqtt"}</c>. Events queue without bound in memory.
/// The connection is retried with backoff; one log line per change of connection state.
/// </summary>
public sealed partial class MqttSink : ISink
{
    public const int SampleQueueCapacity = 100_000;
    private const int MaxInFlight = 64;

    private readonly MqttOptions _options;
    private readonly AgentOptions _agent;
    private readonly TagDirectory _directory;
    private readonly ILogger _logger;
    private readonly string[] _dataTopics;
    private readonly string _stateTopic;
    private readonly Channel<Sample> _samples;
    private readonly Channel<MqttApplicationMessage> _events;
    private readonly AgentMetrics.Counter _dropped;
    private readonly AgentMetrics.Counter _published;
    private readonly IMqttClient _client;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private bool _wasConnected;
    private string? _lastError;

    public MqttSink(MqttOptions options, AgentOptions agent, TagDirectory directory, AgentMetrics metrics, ILogger logger)
    {
        _options = options;
        _agent = agent;
        _directory = directory;
        _logger = logger;
        _stateTopic = Topics.State(agent.Site, agent.Id);
        _dataTopics = directory.Tags.Select(t => Topics.Data(agent.Site, t.Source, t.Name)).ToArray();
        _dropped = metrics.DroppedTotal("mqtt");
        _published = metrics.Get("edgeagent_mqtt_published_total", string.Empty, string.Empty);
        _samples = Channel.CreateBounded<Sample>(
            new BoundedChannelOptions(SampleQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => _dropped.Inc());
        _events = Channel.CreateUnbounded<MqttApplicationMessage>(new UnboundedChannelOptions { SingleReader = true });
        _client = new MqttClientFactory().CreateMqttClient();
    }

    public string Name => "mqtt";

    public bool IsConnected => _client.IsConnected;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public void OnSamples(ReadOnlySpan<Sample> samples)
    {
        foreach (ref readonly var s in samples)
        {
            _samples.Writer.TryWrite(s);
        }
    }

    public void OnEvent(AgentEvent agentEvent)
    {
        if (MqttEventMapper.ToMessage(agentEvent, _agent) is { } message)
        {
            _events.Writer.TryWrite(message);
        }
    }

    /// <summary>Queues a message built elsewhere (alarms, equipment status, SPC) for delivery.</summary>
    public void Enqueue(MqttApplicationMessage message) => _events.Writer.TryWrite(message);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _samples.Writer.TryComplete();
        _events.Writer.TryComplete();
        if (_loop is not null)
        {
            // Let the loop drain what is queued while connected; the caller's token bounds the wait.
            await Task.WhenAny(_loop, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_client.IsConnected)
        {
            try
            {
                // A clean disconnect suppresses the last will, so say offline ourselves first.
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _client.PublishAsync(StateMessage("offline"), cts.Token).ConfigureAwait(false);
                await _client.DisconnectAsync(new MqttClientDisconnectOptions(), cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogDisconnectFailed(_logger, ex.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private MqttApplicationMessage StateMessage(string state) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(_stateTopic)
            .WithPayload(Encoding.UTF8.GetBytes(state))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build();

    private MqttClientOptions ClientOptions()
    {
        var port = _options.Broker.IsDefaultPort || _options.Broker.Port <= 0
            ? (_options.Broker.Scheme is "mqtts" or "ssl" ? 8883 : 1883)
            : _options.Broker.Port;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Broker.Host, port)
            .WithClientId(_options.ClientId ?? _agent.Id)
            .WithCleanSession(false)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(_stateTopic)
            .WithWillPayload(Encoding.UTF8.GetBytes("offline"))
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain();
        if (_options.Username is not null)
        {
            builder = builder.WithCredentials(_options.Username, _options.Password ?? string.Empty);
        }

        return builder.Build();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        var options = ClientOptions();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    await _client.ConnectAsync(options, ct).ConfigureAwait(false);
                    await _client.PublishAsync(StateMessage("online"), ct).ConfigureAwait(false);
                    if (!_wasConnected)
                    {
                        LogConnected(_logger, _options.Broker.ToString());
                    }

                    _wasConnected = true;
                    _lastError = null;
                    backoff = TimeSpan.FromMilliseconds(250);
                }

                if (!await PumpAsync(ct).ConfigureAwait(false))
                {
                    return; // queues completed and drained
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (_wasConnected || _lastError != ex.Message)
                {
                    LogConnectionLost(_logger, _options.Broker.ToString(), ex.Message);
                }

                _wasConnected = false;
                _lastError = ex.Message;
                try
                {
                    await Task.Delay(backoff, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 10_000));
            }
        }
    }

    /// <summary>Publishes queued events and samples while connected. Returns false once both queues are completed and empty.</summary>
    private async Task<bool> PumpAsync(CancellationToken ct)
    {
        var pending = new List<Task>(MaxInFlight);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        while (_client.IsConnected)
        {
            pending.Clear();
            while (pending.Count < MaxInFlight && _events.Reader.TryPeek(out var message))
            {
                await _client.PublishAsync(message, ct).ConfigureAwait(false);
                _events.Reader.TryRead(out _);
                _published.Inc();
            }

            while (pending.Count < MaxInFlight && _samples.Reader.TryRead(out var sample))
            {
                buffer.ResetWrittenCount();
                JsonPayloads.WriteSample(buffer, sample);
                var msg = new MqttApplicationMessageBuilder()
                    .WithTopic(_dataTopics[sample.TagId])
                    .WithPayload(buffer.WrittenSpan.ToArray())
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build();
                pending.Add(_client.PublishAsync(msg, ct));
            }

            if (pending.Count > 0)
            {
                await Task.WhenAll(pending).ConfigureAwait(false);
                _published.Add(pending.Count);
                continue;
            }

            var eventsOpen = _events.Reader.WaitToReadAsync(ct).AsTask();
            var samplesOpen = _samples.Reader.WaitToReadAsync(ct).AsTask();
            await Task.WhenAny(eventsOpen, samplesOpen).ConfigureAwait(false);
            if (eventsOpen.IsCompletedSuccessfully && !eventsOpen.Result && samplesOpen.IsCompleted && !samplesOpen.Result)
            {
                return false;
            }
        }

        throw new InvalidOperationException("connection to the broker lost");
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "MQTT connected to {Broker}")]
    private static partial void LogConnected(ILogger logger, string broker);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "MQTT broker {Broker} unreachable: {Reason}; retrying with backoff")]
    private static partial void LogConnectionLost(ILogger logger, string broker, string reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "MQTT clean disconnect failed: {Reason}")]
    private static partial void LogDisconnectFailed(ILogger logger, string reason);
}

/// <summary>Maps agent events to the JSON topic contract; event kinds added later (SPC, alarms, status) add a case here.</summary>
public static class MqttEventMapper
{
    public static MqttApplicationMessage? ToMessage(AgentEvent agentEvent, AgentOptions agent) => agentEvent switch
    {
        _ => null,
    };
}
