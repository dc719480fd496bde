using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Drivers.OpcUa;

/// <summary>
/// An OPC UA server as a source: subscribes to (or polls) each tag's node, maps status codes to quality, and on a lost
/// connection reconnects with backoff, recreates the session and subscription, and logs one line saying what was lost.
/// </summary>
public sealed partial class OpcUaSource : ISource
{
    private readonly OpcUaSourceOptions _options;
    private readonly IReadOnlyList<TagBinding> _tags;
    private readonly ILogger _logger;

    public OpcUaSource(string name, OpcUaSourceOptions options, IReadOnlyList<TagBinding> tags, ILogger? logger = null)
    {
        Name = name;
        // Reads are what keep a poll-mode session alive: never let it time out between two polls.
        if (options.Mode == OpcUaMode.Poll && options.Client.SessionTimeout < options.Poll * 3)
        {
            options = options with { Client = options.Client with { SessionTimeout = options.Poll * 3 } };
        }

        _options = options;
        _tags = tags;
        _logger = logger ?? NullLogger.Instance;
    }

    public string Name { get; }

    /// <summary>Raised after a reconnect with the gap in the data (also logged as one warning line).</summary>
    public event Action<OpcUaGap>? GapReported;

    /// <summary>Notifications lost for good (sequence gaps Republish could not fill) since start.</summary>
    public long LostNotifications { get; private set; }

    public long Reconnects { get; private set; }

    private string Endpoint => _options.Client.EndpointUrl;

    public async Task RunAsync(ISampleWriter writer, CancellationToken cancellationToken)
    {
        var backoff = _options.ReconnectMin;
        DateTime? downSince = null;
        string? downReason = null;
        long lostAtDown = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var client = await UaClient.ConnectAsync(_options.Client, _logger, cancellationToken).ConfigureAwait(false);
                _live = client; // writes share this session while it lasts
                var nodes = await ResolveAsync(client, cancellationToken).ConfigureAwait(false);
                var handler = new SampleHandler(this, writer, _tags.Count);
                await using var subscriptions = _options.Mode == OpcUaMode.Subscribe ? new UaSubscriptions(client, handler, 3, _logger) : null;
                if (subscriptions is not null)
                {
                    await SubscribeAsync(subscriptions, nodes, writer, cancellationToken).ConfigureAwait(false);
                }

                writer.SetState(SourceState.Up);
                backoff = _options.ReconnectMin;
                if (downSince is { } since)
                {
                    Reconnects++;
                    var gap = new OpcUaGap(since, DateTime.UtcNow, LostNotifications - lostAtDown, downReason ?? "connection lost");
                    Log.Resumed(_logger, Name, Endpoint, (gap.To - gap.From).TotalSeconds, gap.From, gap.To, gap.LostNotifications, gap.Reason);
                    GapReported?.Invoke(gap);
                    downSince = null;
                }
                else
                {
                    Log.Connected(_logger, Name, Endpoint, _tags.Count, _options.Mode);
                }

                if (subscriptions is not null)
                {
                    var done = await Task.WhenAny(subscriptions.Completion, client.Completion, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
                    await done.ConfigureAwait(false); // rethrows the fault of the one that ended
                    if (!cancellationToken.IsCancellationRequested)
                    {
                        throw new OpcUaException(Endpoint, StatusCode.BadConnectionClosed, "the connection ended", true);
                    }
                }
                else
                {
                    await PollAsync(client, nodes, writer, handler, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is OpcUaException or SourceException)
            {
                _live = null;
                if (downSince is null)
                {
                    downSince = DateTime.UtcNow;
                    downReason = e.Message;
                    lostAtDown = LostNotifications;
                    Log.Down(_logger, Name, Endpoint, e.Message);
                    WriteAllBad(writer);
                }

                writer.SetState(SourceState.Down, e.Message);
                try
                {
                    // A refusal that a retry cannot fix (wrong password, untrusted certificate) waits the longest: servers
                    // lock accounts after a few failed logins, and the operator's fix is picked up at the next attempt.
                    await Task.Delay(e is SourceException { IsTransient: false } ? _options.ReconnectMax : backoff, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.ReconnectMax.Ticks));
            }
        }

        _live = null;
    }

    private async Task<NodeId?[]> ResolveAsync(UaClient client, CancellationToken cancellationToken)
    {
        var nodes = new NodeId?[_tags.Count];
        for (var i = 0; i < _tags.Count; i++)
        {
            var text = ((OpcUaTagOptions)_tags[i].Options!).Node;
            if (!ExpandedNodeId.TryParse(text, out var id, out var error))
            {
                Log.BadTag(_logger, Name, _tags[i].Name, error);
                continue;
            }

            try
            {
                nodes[i] = await client.ResolveAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (OpcUaException e) when (e.StatusCode.Code == StatusCode.BadNodeIdUnknown)
            {
                Log.BadTag(_logger, Name, _tags[i].Name, e.Message);
            }
        }

        return nodes;
    }

    private async Task SubscribeAsync(UaSubscriptions subscriptions, NodeId?[] nodes, ISampleWriter writer, CancellationToken cancellationToken)
    {
        var items = new List<MonitoredItemRequest>(nodes.Length);
        for (var i = 0; i < nodes.Length; i++)
        {
            if (nodes[i] is { } node)
            {
                items.Add(new MonitoredItemRequest(node, (uint)i, _options.Sampling.TotalMilliseconds, _options.QueueSize, true, _options.Filter));
            }
        }

        var publishing = _options.PublishingInterval.TotalMilliseconds;
        // Keep-alive about every 5 s at most; lifetime three keep-alives (Part 4 §5.13.1.1: lifetime ≥ 3 × keep-alive).
        var keepAlive = (uint)Math.Clamp(5000 / Math.Max(publishing, 1), 1, 1000);
        var (_, results) = await subscriptions.AddAsync(new SubscriptionParameters(publishing, keepAlive * 3, keepAlive), items, cancellationToken).ConfigureAwait(false);
        var now = DateTime.UtcNow.Ticks;
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].StatusCode.IsBad)
            {
                var tag = (int)items[i].ClientHandle;
                Log.BadTag(_logger, Name, _tags[tag].Name, $"cannot monitor {items[i].NodeId}: {results[i].StatusCode}");
                writer.TryWrite([Sample.Bad(_tags[tag].Id, now)]);
            }
        }

        subscriptions.Start();
    }

    private async Task PollAsync(UaClient client, NodeId?[] nodes, ISampleWriter writer, SampleHandler handler, CancellationToken cancellationToken)
    {
        var reads = new List<ReadValueId>();
        var index = new List<int>();
        for (var i = 0; i < nodes.Length; i++)
        {
            if (nodes[i] is { } node)
            {
                reads.Add(new ReadValueId(node));
                index.Add(i);
            }
        }

        using var timer = new PeriodicTimer(_options.Poll);
        do
        {
            if (reads.Count > 0)
            {
                var began = System.Diagnostics.Stopwatch.GetTimestamp();
                var values = await client.ReadAsync(reads, cancellationToken).ConfigureAwait(false);
                writer.ObservePoll(System.Diagnostics.Stopwatch.GetElapsedTime(began));
                handler.WriteRead(values, index);
            }

            writer.SetState(SourceState.Up);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    private void WriteAllBad(ISampleWriter writer)
    {
        var now = DateTime.UtcNow.Ticks;
        var samples = new Sample[_tags.Count];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = Sample.Bad(_tags[i].Id, now);
        }

        writer.TryWrite(samples);
    }

    public async ValueTask<Sample[]> ReadOnceAsync(CancellationToken cancellationToken)
    {
        await using var client = await UaClient.ConnectAsync(_options.Client, _logger, cancellationToken).ConfigureAwait(false);
        var nodes = await ResolveAsync(client, cancellationToken).ConfigureAwait(false);
        var reads = new List<ReadValueId>();
        var index = new List<int>();
        for (var i = 0; i < nodes.Length; i++)
        {
            if (nodes[i] is { } node)
            {
                reads.Add(new ReadValueId(node));
                index.Add(i);
            }
        }

        var now = DateTime.UtcNow.Ticks;
        var result = new Sample[_tags.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Sample.Bad(_tags[i].Id, now);
        }

        if (reads.Count > 0)
        {
            var values = await client.ReadAsync(reads, cancellationToken).ConfigureAwait(false);
            for (var k = 0; k < values.Length; k++)
            {
                result[index[k]] = ToSample(_tags[index[k]].Id, values[k], now);
            }
        }

        return result;
    }

    /// <summary>Nothing to release: <see cref="RunAsync"/> owns its connection and closes it when cancelled.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>A DataValue as a sample: numbers as Value, text-like values as Text, status severity as quality.</summary>
    public static Sample ToSample(int tagId, in DataValue value, long receiveTicks)
    {
        var source = value.SourceTimestamp != default ? value.SourceTimestamp.Ticks
            : value.ServerTimestamp != default ? value.ServerTimestamp.Ticks : receiveTicks;
        var quality = value.StatusCode.ToQuality();
        if (value.Value.IsNumeric)
        {
            return new Sample(tagId, value.Value.ToDouble(), quality, source, receiveTicks);
        }

        if (value.Value.IsNull && quality == Quality.Good)
        {
            quality = Quality.Bad;
        }

        return new Sample(tagId, double.NaN, quality, source, receiveTicks) { Text = value.Value.IsNull ? null : value.Value.ToString() };
    }

    /// <summary>Turns notifications into samples in a reused buffer (nothing allocated per value).</summary>
    private sealed class SampleHandler(OpcUaSource source, ISampleWriter writer, int tagCount) : INotificationHandler
    {
        private Sample[] _buffer = new Sample[Math.Max(16, tagCount)];

        public void OnDataChange(uint subscriptionId, uint sequenceNumber, DateTime publishTime, ReadOnlySpan<MonitoredItemNotification> items)
        {
            if (items.Length > _buffer.Length)
            {
                _buffer = new Sample[items.Length];
            }

            var now = DateTime.UtcNow.Ticks;
            var n = 0;
            foreach (ref readonly var item in items)
            {
                if (item.ClientHandle < (uint)source._tags.Count)
                {
                    _buffer[n++] = ToSample(source._tags[(int)item.ClientHandle].Id, item.Value, now);
                }
            }

            writer.TryWrite(_buffer.AsSpan(0, n));
        }

        public void OnStatusChange(uint subscriptionId, StatusCode status) =>
            Log.SubscriptionStatus(source._logger, source.Name, source.Endpoint, subscriptionId, status.ToString());

        public void OnLost(uint subscriptionId, uint firstSequenceNumber, uint count) => source.LostNotifications += count;

        public void WriteRead(DataValue[] values, List<int> index)
        {
            var now = DateTime.UtcNow.Ticks;
            if (values.Length > _buffer.Length)
            {
                _buffer = new Sample[values.Length];
            }

            for (var k = 0; k < values.Length; k++)
            {
                _buffer[k] = ToSample(source._tags[index[k]].Id, values[k], now);
            }

            writer.TryWrite(_buffer.AsSpan(0, values.Length));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "{Source}: connected to {Endpoint}, {Tags} tags ({Mode})")]
        public static partial void Connected(ILogger logger, string source, string endpoint, int tags, OpcUaMode mode);

        [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "{Source}: {Endpoint} down: {Reason}")]
        public static partial void Down(ILogger logger, string source, string endpoint, string reason);

        [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "{Source}: reconnected to {Endpoint} after {Seconds:0.0} s with a new session and subscription; changes between {From:O} and {To:O} were not received ({Lost} notifications lost before the drop); cause: {Reason}")]
        public static partial void Resumed(ILogger logger, string source, string endpoint, double seconds, DateTime from, DateTime to, long lost, string reason);

        [LoggerMessage(EventId = 123, Level = LogLevel.Warning, Message = "{Source}: tag {Tag} unusable: {Reason}")]
        public static partial void BadTag(ILogger logger, string source, string tag, string reason);

        [LoggerMessage(EventId = 124, Level = LogLevel.Warning, Message = "{Source}: {Endpoint} subscription {SubscriptionId} status {Status}")]
        public static partial void SubscriptionStatus(ILogger logger, string source, string endpoint, uint subscriptionId, string status);
    }
}
