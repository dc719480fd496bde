using System.Buffers;
using System.Threading.Channels;
using EdgeAgent.Drivers;
using EdgeAgent.Outputs.Mqtt.Outbox;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// The MQTT northbound: one MQTTnet client (MQTT 3.1.1 or 5, TCP or TLS, persistent session, last will), a payload
/// format (<see cref="Json.JsonFormat"/> or <see cref="Sparkplug.SparkplugFormat"/>, chosen by the plug-in) and the
/// delivery loop.
/// <para>
/// Delivery: every QoS 1 message goes through the <see cref="IMessageStore"/> — the durable SQLite outbox unless
/// <c>outbox: off</c> — and is sent only once committed, in id order, with up to <see cref="MqttOptions.MaxInflight"/>
/// PUBLISHes awaiting their PUBACK. The outbox forgets a message when the broker acknowledged it and every message
/// before it. After a reconnect (or a restart) sending resumes after the last acknowledged id, so what was in flight is
/// sent again (QoS 1: at least once). QoS 0 messages wait in a bounded memory queue (full: the oldest is dropped and
/// counted in <c>edgeagent_dropped_total{queue="mqtt"}</c>).
/// </para>
/// <para>Connection: retried with a backoff doubling from 250 ms to <see cref="MqttOptions.ReconnectMax"/>; one log line per
/// change of state (connected, lost with the reason), not per attempt.</para>
/// </summary>
public sealed partial class MqttSink : ISink, IMqttEmitter, ISinkHealth
{
    public const int DirectQueueCapacity = 100_000;
    private const int PageSize = 1024;

    private readonly MqttOptions _options;
    private readonly MqttContext _context;
    private readonly ILogger _logger;
    private readonly IMessageStore _store;
    private readonly IMqttFormat _format;
    private readonly Channel<MqttApplicationMessage> _direct;
    private readonly Channel<byte> _wake = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly AgentMetrics.Counter _dropped;
    private readonly AgentMetrics.Counter _published;
    private readonly AgentMetrics.Counter _connected;
    private readonly AgentMetrics.Counter _rejected;
    private readonly AgentMetrics.Histogram _latency;
    private readonly IMqttClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly MqttTls? _tls;
    private Task? _loop;
    private volatile bool _rebirth;
    private bool _wasConnected;
    private string? _lastError;
    private long _sessionStartId;
    private int _disposed;

    /// <summary>
    /// The sink for <paramref name="options"/>. <paramref name="format"/> makes the payload format given the sink as its
    /// emitter (the plug-in picks JSON or Sparkplug); <paramref name="store"/> replaces the outbox (tests).
    /// </summary>
    internal MqttSink(MqttOptions options, MqttContext context, Func<IMqttEmitter, IMqttFormat> format, IMessageStore? store = null)
    {
        _options = options;
        _context = context;
        _logger = context.Logger;
        var metrics = context.Metrics;
        _dropped = metrics.DroppedTotal("mqtt");
        _published = metrics.Get("edgeagent_mqtt_published_total", string.Empty, string.Empty);
        _connected = metrics.Gauge("edgeagent_mqtt_connected");
        _rejected = metrics.Get("edgeagent_mqtt_rejected_total", string.Empty, string.Empty);
        _latency = metrics.PublishLatency();
        _direct = Channel.CreateBounded<MqttApplicationMessage>(
            new BoundedChannelOptions(DirectQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => _dropped.Inc());
        _store = store ?? OpenStore(options, context);
        _tls = options.UseTls ? new MqttTls(options) : null;
        _format = format(this);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        context.Commands.Register("rebirth", (_, _) =>
        {
            RequestRebirth();
            return Task.FromResult(CommandResult.Success);
        });
    }

    public string Name => "mqtt";

    public bool IsConnected => _client.IsConnected;

    /// <summary>The QoS 1 queue (the outbox).</summary>
    public IMessageStore Store => _store;

    /// <summary>Null while connected; otherwise the broker, the last connection error and what waits in the outbox.</summary>
    public string? NotReadyReason => IsConnected ? null : $"mqtt: not connected to {_options.Broker} ({LastError ?? "connecting"}); {_store.Pending} messages wait in the outbox";

    /// <summary>The client options used to connect (built fresh for every attempt: the will carries the current state).</summary>
    internal MqttClientOptions ClientOptions()
    {
        var will = _format.Will();
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Broker.Host, _options.Port)
            .WithClientId(_options.ClientId ?? _context.AgentId)
            // Sparkplug 3.0 requires a clean session (its state is the bdSeq/seq session); JSON keeps the broker session.
            .WithCleanSession(_options.Format == "sparkplug")
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(TimeSpan.FromSeconds(10))
            // One socket write per packet instead of header and payload apart: ~3x the QoS 1 rate on loopback.
            .WithoutPacketFragmentation()
            .WithProtocolVersion(_options.Protocol == "5" ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311)
            .WithWillTopic(will.Topic)
            .WithWillPayload(will.Payload.ToArray())
            .WithWillQualityOfServiceLevel(will.QualityOfServiceLevel)
            .WithWillRetain(will.Retain);
        if (_options.Protocol == "5" && _options.Format != "sparkplug")
        {
            builder = builder.WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds);
        }

        if (_options.Username is not null)
        {
            builder = builder.WithCredentials(_options.Username, _options.Password ?? string.Empty);
        }

        if (_tls is not null)
        {
            builder = builder.WithTlsOptions(_tls.Build());
        }

        return builder.Build();
    }

    private static IMessageStore OpenStore(MqttOptions options, MqttContext context)
    {
        if (!options.Outbox.Enabled)
        {
            return new MemoryOutbox(options.Outbox.MaxMessages, context.Metrics);
        }

        var path = options.Outbox.Path ?? Path.Combine(context.Data, "outbox.db");
        return SqliteOutbox.Open(options.Outbox, path, context.Metrics, context.Logger, context.Time);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public void OnSamples(ReadOnlySpan<Sample> samples) => _format.OnSamples(samples);

    public void OnEvent(AgentEvent agentEvent) => _format.OnEvent(agentEvent);

    // ---- IMqttEmitter --------------------------------------------------------------------------------------

    void IMqttEmitter.Emit(MessageClass @class, int qos, string topic, byte[] payload, bool retain, bool sparkplug)
    {
        if (qos > 0)
        {
            _store.TryEnqueue(new OutboxMessage(@class, topic, payload, retain, _context.Time.GetUtcNow().UtcTicks, sparkplug));
            return;
        }

        if (!_client.IsConnected)
        {
            _dropped.Inc(); // QoS 0 is "at most once": not connected means not sent, counted
            return;
        }

        var message = MqttMessages.Create(topic, sparkplug ? _format.Prepare(new OutboxMessage(@class, topic, payload, retain, 0, true), false) : payload, 0, retain);
        _direct.Writer.TryWrite(message);
        Wake();
    }

    public void SendDirect(MqttApplicationMessage message)
    {
        _direct.Writer.TryWrite(message);
        Wake();
    }

    public void RequestRebirth()
    {
        _rebirth = true;
        Wake();
    }

    public void Wake() => _wake.Writer.TryWrite(0);

    // ---- stop ----------------------------------------------------------------------------------------------

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The pipeline is drained before sinks stop: commit what was queued, then give the loop until the caller's
        // deadline to deliver it. What is not acknowledged by then stays in the outbox for the next start.
        try
        {
            await _store.FlushAsync(cancellationToken).ConfigureAwait(false);
            while (_client.IsConnected && _store.Pending > 0 && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (_client.IsConnected)
        {
            try
            {
                // A clean disconnect suppresses the last will, so say goodbye ourselves first.
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _client.PublishAsync(_format.Goodbye(), cts.Token).ConfigureAwait(false);
                await _client.DisconnectAsync(new MqttClientDisconnectOptions(), cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogDisconnectFailed(_logger, ex);
            }
        }

        _connected.Set(0);
    }

    /// <summary>Stops the loop and closes the outbox. Idempotent: the component that owns the sink may dispose it before the host does.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

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
        await _store.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    // ---- delivery loop -------------------------------------------------------------------------------------

    private async Task RunAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    await ConnectAsync(ct).ConfigureAwait(false);
                    backoff = TimeSpan.FromMilliseconds(250);
                }

                await PumpAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _connected.Set(0);
                var reason = MqttConnectionException.Describe(ex, _tls);
                if (_wasConnected || _lastError != reason)
                {
                    LogConnectionLost(_logger, _options.Broker.ToString(), reason, ex);
                }

                _wasConnected = false;
                _lastError = reason;
                LastError = reason;
                try
                {
                    if (_client.IsConnected)
                    {
                        await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
                    }

                    await Task.Delay(backoff, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception)
                {
                    // the connection is being torn down anyway
                }

                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, _options.ReconnectMax.TotalMilliseconds));
            }
        }
    }

    /// <summary>The reason of the last failed connection (TLS, credentials, refused), for tests and health.</summary>
    public string? LastError { get; private set; }

    /// <summary>Raised (on the delivery task) after every successful connect, once births are sent.</summary>
    public event Action? Connected;

    private async Task ConnectAsync(CancellationToken ct)
    {
        _tls?.ResetReason();
        var result = await _client.ConnectAsync(ClientOptions(), ct).ConfigureAwait(false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new MqttConnectionException(_options.Broker.ToString(), $"the broker refused the connection: {result.ResultCode} {result.ReasonString}".TrimEnd(), isTransient: false);
        }

        foreach (var filter in _format.Subscriptions)
        {
            var subscribe = new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build();
            await _client.SubscribeAsync(subscribe, ct).ConfigureAwait(false);
        }

        _sessionStartId = _store.CommittedThrough;
        if (_format.ReadyToSend)
        {
            await SendBirthsAsync(rebirth: false, ct).ConfigureAwait(false);
        }

        _connected.Set(1);
        if (!_wasConnected)
        {
            LogConnected(_logger, _options.Broker.ToString(), _store.Pending);
        }

        _wasConnected = true;
        _lastError = null;
        LastError = null;
        Connected?.Invoke();
    }

    private bool _birthSent;

    private async Task SendBirthsAsync(bool rebirth, CancellationToken ct)
    {
        foreach (var birth in _format.Births(rebirth))
        {
            await _client.PublishAsync(birth, ct).ConfigureAwait(false);
        }

        _birthSent = true;
    }

    /// <summary>
    /// Sends while connected: births when asked, direct messages, then the outbox in id order with a window of
    /// in-flight PUBLISHes. Acknowledges to the store in order (the head of the window first), so the store's
    /// watermark never passes a message the broker has not acknowledged.
    /// </summary>
    private async Task PumpAsync(CancellationToken ct)
    {
        var cursor = _store.AcknowledgedThrough;
        var inflight = new Queue<(long Id, Task<MqttClientPublishResult> Ack)>(_options.MaxInflight);
        var page = new List<OutboxMessage>(PageSize);
        var next = 0;
        _birthSent = _format.ReadyToSend;
        while (_client.IsConnected)
        {
            ct.ThrowIfCancellationRequested();
            if (_rebirth || !_birthSent)
            {
                if (!_format.ReadyToSend)
                {
                    await WaitAsync(cursor, inflight.Count == 0, ct).ConfigureAwait(false);
                    continue;
                }

                await DrainAsync(inflight).ConfigureAwait(false);
                _rebirth = false;
                _sessionStartId = _store.CommittedThrough;
                await SendBirthsAsync(rebirth: _birthSent, ct).ConfigureAwait(false);
            }

            while (_direct.Reader.TryRead(out var direct))
            {
                await _client.PublishAsync(direct, ct).ConfigureAwait(false);
                _published.Inc();
            }

            var ready = _format.ReadyToSend;
            while (ready && inflight.Count < _options.MaxInflight)
            {
                if (next == page.Count)
                {
                    page.Clear();
                    next = 0;
                    if (_store.Read(cursor, page, PageSize) == 0)
                    {
                        break;
                    }
                }

                var m = page[next++];
                cursor = m.Id;
                _latency.ObserveTicks(_context.Time.GetUtcNow().UtcTicks - m.Ticks); // made → handed to the broker connection
                var message = new MqttApplicationMessage
                {
                    Topic = m.Topic,
                    Payload = new ReadOnlySequence<byte>(_format.Prepare(m, m.Id <= _sessionStartId)),
                    QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
                    Retain = m.Retain,
                };
                inflight.Enqueue((m.Id, _client.PublishAsync(message, ct)));
            }

            if (inflight.Count == 0)
            {
                await WaitAsync(cursor, ready, ct).ConfigureAwait(false);
                continue;
            }

            // Wait for the oldest acknowledgement, then take every one already in, and move the watermark once.
            var acked = await CompleteHeadAsync(inflight).ConfigureAwait(false);
            while (inflight.Count > 0 && inflight.Peek().Ack.IsCompleted)
            {
                acked = await CompleteHeadAsync(inflight).ConfigureAwait(false);
            }

            _store.Acknowledge(acked);
        }

        throw new MqttConnectionException(_options.Broker.ToString(), "connection to the broker lost", isTransient: true);
    }

    private async Task<long> CompleteHeadAsync(Queue<(long Id, Task<MqttClientPublishResult> Ack)> inflight)
    {
        var (id, ack) = inflight.Peek();
        MqttClientPublishResult result;
        try
        {
            result = await ack.ConfigureAwait(false);
        }
        catch
        {
            // The rest of the window fails the same way; observe it so nothing goes unobserved.
            foreach (var (_, other) in inflight)
            {
                _ = other.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            }

            throw;
        }

        inflight.Dequeue();
        _published.Inc();
        if (!result.IsSuccess)
        {
            // MQTT 5 PUBACK with an error (not authorized, quota, …): sending it again would fail again.
            _rejected.Inc();
            _dropped.Inc();
            LogRejected(_logger, result.ReasonCode.ToString(), result.ReasonString ?? string.Empty);
        }

        return id;
    }

    private async Task DrainAsync(Queue<(long Id, Task<MqttClientPublishResult> Ack)> inflight)
    {
        long acked = -1;
        while (inflight.Count > 0)
        {
            acked = await CompleteHeadAsync(inflight).ConfigureAwait(false);
        }

        if (acked >= 0)
        {
            _store.Acknowledge(acked);
        }
    }

    /// <summary>Waits for new outbox messages, a direct message, a rebirth or a readiness change.</summary>
    private async Task WaitAsync(long cursor, bool watchStore, CancellationToken ct)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tasks = new List<Task>(4)
        {
            _wake.Reader.WaitToReadAsync(wake.Token).AsTask(),
            _direct.Reader.WaitToReadAsync(wake.Token).AsTask(),
            Task.Delay(TimeSpan.FromSeconds(1), wake.Token), // notices a lost connection while idle
        };
        if (watchStore)
        {
            tasks.Add(_store.WaitAsync(cursor, wake.Token).AsTask());
        }

        await Task.WhenAny(tasks).ConfigureAwait(false);
        _wake.Reader.TryRead(out _);
        await wake.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(static _ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        try
        {
            await _format.OnMessageAsync(e.ApplicationMessage, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCommandFailed(_logger, e.ApplicationMessage.Topic, ex);
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "MQTT connected to {Broker}; {Pending} queued messages to deliver")]
    private static partial void LogConnected(ILogger logger, string broker, long pending);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "MQTT broker {Broker} unreachable: {Reason}; retrying with backoff")]
    private static partial void LogConnectionLost(ILogger logger, string broker, string reason, Exception exception);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "MQTT clean disconnect failed")]
    private static partial void LogDisconnectFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "MQTT broker rejected a message: {ReasonCode} {Reason}")]
    private static partial void LogRejected(ILogger logger, string reasonCode, string reason);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "MQTT message on {Topic} could not be handled")]
    private static partial void LogCommandFailed(ILogger logger, string topic, Exception exception);
}
