using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Writes;

/// <summary>
/// The agent's writes to the machine, with the safety rules of the closed loop:
/// <list type="bullet">
/// <item>only tags marked <c>writable: true</c>, with a value that fits the tag's type (checked again here, whoever asks);</item>
/// <item>never queued durably, never replayed: a write retries transient faults (timeout, device down, busy) with backoff
/// (50 ms doubling to 1 s) inside its timeout, then ends as <see cref="WriteStatus.Expired"/> and is not sent later;</item>
/// <item>each write is read back and compared by the driver; a difference is a failure;</item>
/// <item>writes to one tag run one at a time in the order asked, and a newer one supersedes an older one still retrying, so
/// a hold released by an operator is never re-applied by a late retry;</item>
/// <item>every write, whatever its end, is published as a <see cref="WriteEvent"/> (the audit, through the outbox), counted in
/// <c>edgeagent_writes_total{result}</c>, and logged: each write at Information, a tag that starts or stops failing once.</item>
/// </list>
/// Writes go through the running source's own connection and never touch the pipeline's router thread.
/// </summary>
public sealed partial class TagWriter : ITagWriter, IAsyncDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);
    private readonly IReadOnlyList<TagConfig> _tags;
    private readonly ITagResolver _resolver;
    private readonly ISource?[] _sourceOf;
    private readonly TagBinding[] _bindings;
    private readonly Slot[] _slots;
    private readonly Func<TagConfig, double, string?> _valueCheck;
    private readonly Action<AgentEvent> _publish;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AgentMetrics _metrics;
    private readonly AgentMetrics.Counter _retries;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<Task> _pending = new();

    /// <param name="tags">Every tag of the configuration, indexed by id.</param>
    /// <param name="sources">The source of each tag by source name (created, running or not).</param>
    /// <param name="valueCheck">The driver's check that a value fits a writable tag (null: fits).</param>
    public TagWriter(IReadOnlyList<TagConfig> tags, IReadOnlyDictionary<string, ISource> sources, Func<TagConfig, double, string?> valueCheck,
        Action<AgentEvent> publish, TimeProvider time, AgentMetrics metrics, ILogger logger)
    {
        _tags = tags;
        _resolver = DictionaryTagResolver.From(tags);
        _sourceOf = tags.Select(t => sources.GetValueOrDefault(t.Source)).ToArray();
        _bindings = tags.Select(t => new TagBinding(t.Id, t.Name, t.Options)).ToArray();
        _slots = tags.Select(_ => new Slot()).ToArray();
        _valueCheck = valueCheck;
        _publish = publish;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _retries = metrics.Gauge("edgeagent_write_retries_total");
        foreach (var status in Enum.GetValues<WriteStatus>())
        {
            Counter(status); // every result series exists from the start (0), so a rate() over it works at once
        }
    }

    public Task<WriteEvent> WriteAsync(string tag, double value, string by, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var id = _resolver.Resolve(tag);
        if (id < 0)
        {
            var hint = Suggest.Closest(tag, _resolver.Names);
            return Task.FromResult(Refuse(tag, value, by, $"no tag '{tag}' (tags are named source.tag){(hint is null ? string.Empty : $"; did you mean '{hint}'?")}"));
        }

        return WriteCoreAsync(id, value, by, timeout ?? AlarmActions.DefaultTimeout, cancellationToken);
    }

    public void Submit(int tagId, double value, string by, TimeSpan timeout)
    {
        Task task;
        lock (_pending)
        {
            task = Task.Run(() => WriteCoreAsync(tagId, value, by, timeout, CancellationToken.None), CancellationToken.None);
            _pending.Add(task);
        }

        task.ContinueWith(t => { lock (_pending) { _pending.Remove(t); } }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Writes started by <see cref="Submit"/> and not yet ended.</summary>
    public int Pending
    {
        get
        {
            lock (_pending)
            {
                return _pending.Count;
            }
        }
    }

    private async Task<WriteEvent> WriteCoreAsync(int tagId, double value, string by, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var requested = _time.GetUtcNow().UtcDateTime;
        if ((uint)tagId >= (uint)_tags.Count)
        {
            return Refuse($"#{tagId}", value, by, "no such tag");
        }

        var tag = _tags[tagId];
        if (!tag.Writable)
        {
            return Refuse(tag.FullName, value, by, $"tag '{tag.FullName}' is not writable (it needs writable: true in its source's tags)");
        }

        if (_valueCheck(tag, value) is { } problem)
        {
            return Refuse(tag.FullName, value, by, problem);
        }

        if (_sourceOf[tagId] is not IWritableSource source)
        {
            return Refuse(tag.FullName, value, by, $"source '{tag.Source}' cannot write");
        }

        var slot = _slots[tagId];
        var generation = Interlocked.Increment(ref slot.Generation);
        using var expiry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        expiry.CancelAfter(timeout);
        var attempts = 0;
        string? lastError = null;
        double? readBack = null;
        WriteStatus status;
        var entered = false;
        try
        {
            await slot.Gate.WaitAsync(expiry.Token).ConfigureAwait(false);
            entered = true;
            var backoff = FirstBackoff;
            while (true)
            {
                if (Interlocked.Read(ref slot.Generation) != generation)
                {
                    status = WriteStatus.Superseded;
                    lastError = "a newer write to this tag was requested";
                    break;
                }

                attempts++;
                try
                {
                    var result = await source.WriteAsync(_bindings[tagId], value, expiry.Token).ConfigureAwait(false);
                    readBack = result.ReadBack;
                    status = result.Matches ? WriteStatus.Ok : WriteStatus.Failed;
                    lastError = result.Matches ? null : $"read back {result.ReadBack}, expected {value}";
                    break;
                }
                catch (SourceException e) when (e.IsTransient)
                {
                    lastError = e.Message;
                    _retries.Inc();
                    await Task.Delay(backoff, _time, expiry.Token).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                }
                catch (SourceException e)
                {
                    status = WriteStatus.Failed;
                    lastError = e.Message;
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            status = WriteStatus.Expired;
            var why = _stop.IsCancellationRequested || cancellationToken.IsCancellationRequested ? "the agent is stopping" : $"not acknowledged within {Durations.Format(timeout)}";
            lastError = $"{why}; not sent later ({lastError ?? (entered ? "no answer" : "an earlier write to this tag was still running")})";
        }
        finally
        {
            if (entered)
            {
                slot.Gate.Release();
            }
        }

        var done = new WriteEvent(_time.GetUtcNow().UtcDateTime, tag.FullName, value, by, status)
        {
            ReadBack = readBack,
            Error = lastError,
            Attempts = attempts,
            Requested = requested,
        };
        Report(slot, done);
        return done;
    }

    private WriteEvent Refuse(string tag, double value, string by, string reason)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var refused = new WriteEvent(now, tag, value, by, WriteStatus.Refused) { Error = reason, Requested = now };
        Report(null, refused);
        return refused;
    }

    private void Report(Slot? slot, WriteEvent e)
    {
        Counter(e.Status).Inc();
        if (e.Ok)
        {
            LogWritten(_logger, e.Tag, e.Value, e.By, e.Attempts);
        }
        else if (e.Status == WriteStatus.Refused)
        {
            LogRefused(_logger, e.Tag, e.Value, e.By, e.Error ?? string.Empty);
        }

        if (slot is not null)
        {
            // One line per change of state of the tag's writes (failing ↔ ok), not per failed write.
            var failing = e.Status is WriteStatus.Failed or WriteStatus.Expired;
            if (failing && !slot.Failing)
            {
                LogFailing(_logger, e.Tag, e.Value, e.By, e.Status.ToString().ToLowerInvariant(), e.Error ?? string.Empty);
            }
            else if (e.Ok && slot.Failing)
            {
                LogRecovered(_logger, e.Tag);
            }

            if (failing || e.Ok)
            {
                slot.Failing = failing;
            }
        }

        _publish(e);
    }

    private AgentMetrics.Counter Counter(WriteStatus status) => _metrics.Get("edgeagent_writes_total", "result", status.ToString().ToLowerInvariant());

    /// <summary>Ends every write still running as expired (the agent stops): none of them is sent later.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task[] pending;
        lock (_pending)
        {
            pending = _pending.ToArray();
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class Slot
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public long Generation;
        public bool Failing;
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Wrote {Value} to {Tag} for {By} (read back equal, {Attempts} attempts)")]
    private static partial void LogWritten(ILogger logger, string tag, double value, string by, int attempts);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Refused to write {Value} to {Tag} for {By}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string tag, double value, string by, string reason);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Writes to {Tag} failing: {Value} for {By} {Status}: {Reason}")]
    private static partial void LogFailing(ILogger logger, string tag, double value, string by, string status, string reason);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "Writes to {Tag} succeed again")]
    private static partial void LogRecovered(ILogger logger, string tag);
}
