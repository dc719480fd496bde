using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Alarms;

/// <summary>
/// The alarm list after ISA-18.2 (§ alarm states): one record per alarm id (dedupe — a condition that stays true is one
/// alarm, not one per sample), with the lifecycle
/// <code>
///   normal ──activate──▶ active (unacknowledged) ──ack──▶ acknowledged ──clear──▶ cleared (removed)
///                         │                                                    ▲
///                         └──clear──▶ returned-to-normal unacknowledged ──ack───┘   (re-activate: back to active)
/// </code>
/// Each transition is published as an <see cref="AlarmEvent"/> (state active / acknowledged / cleared, with
/// <see cref="AlarmEvent.Unacknowledged"/> for return-to-normal-unacknowledged) and persisted to
/// <c>{agent.data}/alarms.json</c> by a background writer, so active alarms survive a restart. Shelved alarms are
/// tracked but not announced until the shelf expires. Transitions come from the router thread, acks from commands:
/// the list is guarded by one lock, taken only on transitions, never per sample.
/// </summary>
public sealed partial class AlarmEngine : IAlarmService
{
    private readonly object _gate = new();
    private readonly Dictionary<string, AlarmRecord> _records = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _shelved = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AlarmCondition> _conditions = new(StringComparer.Ordinal);
    private readonly TagDirectory _directory;
    private readonly Action<AgentEvent> _publish;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AgentMetrics.Counter _activeGauge;
    private readonly SemaphoreSlim _dirty = new(0, 1);
    private readonly ITagWriter? _writes;

    public AlarmEngine(string dataDir, TagDirectory directory, Action<AgentEvent> publish, TimeProvider time, AgentMetrics metrics, ILogger logger, ITagWriter? writes = null)
    {
        _writes = writes;
        DataDir = dataDir;
        _directory = directory;
        _publish = publish;
        _time = time;
        _logger = logger;
        _activeGauge = metrics.Gauge("edgeagent_alarms_active");
        var file = AlarmStore.Load(dataDir);
        foreach (var record in file.Alarms)
        {
            _records[record.Id] = record;
        }

        foreach (var (id, until) in file.Shelved)
        {
            _shelved[id] = until;
        }

        UpdateGauge();
    }

    public string DataDir { get; }

    /// <summary>Signalled (at most once pending) when the list changed and must be written.</summary>
    internal SemaphoreSlim Dirty => _dirty;

    /// <summary>
    /// Declares a condition. If the persisted list holds this alarm as active, the condition starts active, so a restart
    /// neither re-announces it nor loses it: it clears when the condition is seen false.
    /// </summary>
    public IAlarmCondition Define(AlarmDefinition definition)
    {
        lock (_gate)
        {
            if (_conditions.ContainsKey(definition.Id))
            {
                throw new InvalidOperationException($"alarm '{definition.Id}' is defined twice");
            }

            var active = _records.TryGetValue(definition.Id, out var record) && record.Active;
            var condition = new AlarmCondition(this, definition, active);
            _conditions.Add(definition.Id, condition);
            return condition;
        }
    }

    /// <summary>Every alarm not yet back to normal-and-acknowledged, most urgent and newest first.</summary>
    public IReadOnlyList<AlarmRecord> Snapshot()
    {
        lock (_gate)
        {
            return Order(_records.Values.Select(r => r with { Context = new(r.Context, StringComparer.Ordinal) }));
        }
    }

    public static IReadOnlyList<AlarmRecord> Order(IEnumerable<AlarmRecord> records) =>
        records.OrderBy(r => Array.IndexOf(AlarmPriorities.All, r.Priority)).ThenByDescending(r => r.ActivatedAt).ToList();

    internal AlarmFile ToFile()
    {
        lock (_gate)
        {
            return new AlarmFile
            {
                Alarms = _records.Values.Select(r => r with { Context = new(r.Context, StringComparer.Ordinal) }).ToList(),
                Shelved = new Dictionary<string, DateTime>(_shelved, StringComparer.Ordinal),
            };
        }
    }

    /// <summary>Router thread: the condition became active (after its on-delay).</summary>
    internal void Activate(AlarmCondition condition, double value, long ticks, string? message)
    {
        var d = condition.Definition;
        var ts = new DateTime(ticks <= 0 ? _time.GetUtcNow().UtcTicks : ticks, DateTimeKind.Utc);
        var context = CaptureContext(d.Context);
        AlarmEvent? announce = null;
        lock (_gate)
        {
            var shelved = IsShelved(d.Id, ts);
            if (!_records.TryGetValue(d.Id, out var record))
            {
                record = new AlarmRecord { Id = d.Id };
                _records.Add(d.Id, record);
            }

            record.Priority = d.Priority;
            record.Source = d.Source;
            record.Characteristic = d.Characteristic;
            record.Rule = d.Rule;
            record.Message = message ?? d.Message;
            record.Value = double.IsFinite(value) ? value : null;
            record.Context = context.ToDictionary(kv => kv.Key, kv => AlarmStore.ToJson(kv.Value), StringComparer.Ordinal);
            record.Active = true;
            record.Acknowledged = false;
            record.ActivatedAt = ts;
            record.ClearedAt = null;
            record.AcknowledgedAt = null;
            record.By = null;
            record.Comment = null;
            record.Unannounced = shelved;
            record.ShelvedUntil = shelved ? _shelved[d.Id] : null;
            if (!shelved)
            {
                announce = ToEvent(record, AlarmState.Active, ts, context);
            }

            UpdateGauge();
        }

        MarkDirty();
        if (announce is not null)
        {
            LogActivated(_logger, d.Id, d.Priority, announce.Message ?? string.Empty, value);
            _publish(announce);
            Act(d, AlarmState.Active);
        }
    }

    /// <summary>Router thread: the condition returned to normal (after its off-delay and deadband).</summary>
    internal void Clear(AlarmCondition condition, double value, long ticks)
    {
        var ts = new DateTime(ticks <= 0 ? _time.GetUtcNow().UtcTicks : ticks, DateTimeKind.Utc);
        AlarmEvent? announce;
        lock (_gate)
        {
            if (!_records.TryGetValue(condition.Id, out var record))
            {
                return;
            }

            record.Active = false;
            record.ClearedAt = ts;
            if (record.Unannounced)
            {
                // Came and went while shelved: never announced, nothing to acknowledge.
                _records.Remove(record.Id);
                announce = null;
            }
            else if (record.Acknowledged)
            {
                _records.Remove(record.Id);
                announce = ToEvent(record, AlarmState.Cleared, ts, null) with { By = record.By, Comment = record.Comment, Value = double.IsFinite(value) ? value : null };
            }
            else
            {
                announce = ToEvent(record, AlarmState.Cleared, ts, null) with { Unacknowledged = true, Value = double.IsFinite(value) ? value : null };
            }

            UpdateGauge();
        }

        MarkDirty();
        if (announce is not null)
        {
            LogCleared(_logger, condition.Id, announce.Unacknowledged);
            _publish(announce);
            Act(condition.Definition, AlarmState.Cleared);
        }
    }

    /// <summary>
    /// Operator acknowledgement (MQTT <c>cmd/alarm/ack</c>, CLI). Active → acknowledged; returned-to-normal
    /// unacknowledged → cleared. Acknowledging an acknowledged alarm is a no-op that succeeds.
    /// </summary>
    public CommandResult Acknowledge(string id, string? by, string? comment)
    {
        var ts = _time.GetUtcNow().UtcDateTime;
        AlarmEvent announce;
        AlarmDefinition? definition;
        lock (_gate)
        {
            definition = _conditions.TryGetValue(id, out var known) ? known.Definition : null;
            if (!_records.TryGetValue(id, out var record))
            {
                var hint = Config.Suggest.Closest(id, _records.Keys);
                return CommandResult.Fail($"no alarm '{id}' is active or unacknowledged{(hint is null ? string.Empty : $"; did you mean '{hint}'?")}");
            }

            if (record.Acknowledged)
            {
                return CommandResult.Success;
            }

            record.Acknowledged = true;
            record.AcknowledgedAt = ts;
            record.By = by;
            record.Comment = comment;
            if (record.Active && _conditions.ContainsKey(id))
            {
                announce = ToEvent(record, AlarmState.Acknowledged, ts, null) with { By = by, Comment = comment };
            }
            else
            {
                // Returned to normal (or its condition is no longer configured): the acknowledgement ends it.
                _records.Remove(id);
                announce = ToEvent(record, AlarmState.Cleared, ts, null) with { By = by, Comment = comment };
            }

            UpdateGauge();
        }

        MarkDirty();
        LogAcknowledged(_logger, id, by ?? "unknown", comment ?? string.Empty);
        _publish(announce);
        if (definition is not null)
        {
            Act(definition, AlarmState.Acknowledged);
        }

        return CommandResult.Success;
    }

    /// <summary>Shelves <paramref name="id"/> (active or not) for <paramref name="duration"/>: activations are not announced.</summary>
    public CommandResult Shelve(string id, TimeSpan duration, string? by)
    {
        if (duration <= TimeSpan.Zero || duration > TimeSpan.FromDays(30))
        {
            return CommandResult.Fail($"shelve duration must be between 1s and 30d, found {duration}");
        }

        var until = _time.GetUtcNow().UtcDateTime + duration;
        lock (_gate)
        {
            if (!_conditions.ContainsKey(id) && !_records.ContainsKey(id))
            {
                var hint = Config.Suggest.Closest(id, _conditions.Keys);
                return CommandResult.Fail($"no alarm '{id}' is configured{(hint is null ? string.Empty : $"; did you mean '{hint}'?")}");
            }

            _shelved[id] = until;
            if (_records.TryGetValue(id, out var record))
            {
                record.ShelvedUntil = until;
            }
        }

        LogShelved(_logger, id, until, by ?? "unknown");
        MarkDirty();
        return CommandResult.Success;
    }

    /// <summary>Ends a shelf; an alarm that activated while shelved and is still active is announced now.</summary>
    public CommandResult Unshelve(string id)
    {
        AlarmEvent? announce = null;
        lock (_gate)
        {
            _shelved.Remove(id);
            if (_records.TryGetValue(id, out var record))
            {
                record.ShelvedUntil = null;
                announce = AnnounceIfPending(record);
            }
        }

        MarkDirty();
        if (announce is not null)
        {
            _publish(announce);
            if (_conditions.TryGetValue(id, out var condition))
            {
                Act(condition.Definition, AlarmState.Active);
            }
        }

        return CommandResult.Success;
    }

    /// <summary>Periodic housekeeping (background): expired shelves end.</summary>
    internal void ExpireShelves()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        List<string>? expired = null;
        lock (_gate)
        {
            foreach (var (id, until) in _shelved)
            {
                if (until <= now)
                {
                    (expired ??= new()).Add(id);
                }
            }
        }

        foreach (var id in expired ?? [])
        {
            Unshelve(id);
        }
    }

    /// <summary>Applies a request the CLI dropped into the request folder.</summary>
    internal CommandResult Apply(AlarmRequest request) => request.Action switch
    {
        "ack" => Acknowledge(request.Id, request.By, request.Comment),
        "shelve" => Shelve(request.Id, TimeSpan.FromSeconds(request.Seconds ?? 3600), request.By),
        "unshelve" => Unshelve(request.Id),
        _ => CommandResult.Fail($"unknown alarm request '{request.Action}'"),
    };

    /// <summary>
    /// The closed loop: starts the writes of <paramref name="definition"/> for <paramref name="state"/> (never waits: the
    /// writer retries and expires them on its own tasks, and audits each one), on behalf of the alarm id.
    /// </summary>
    private void Act(AlarmDefinition definition, AlarmState state)
    {
        if (_writes is null)
        {
            return;
        }

        foreach (var action in definition.Actions)
        {
            if (action.On == state)
            {
                _writes.Submit(action.TagId, action.Value, definition.Id, action.Timeout);
            }
        }
    }

    private AlarmEvent? AnnounceIfPending(AlarmRecord record)
    {
        if (!record.Unannounced || !record.Active)
        {
            return null;
        }

        record.Unannounced = false;
        var context = record.Context.ToDictionary(kv => kv.Key, kv => AlarmStore.FromJson(kv.Value), StringComparer.Ordinal);
        return ToEvent(record, AlarmState.Active, _time.GetUtcNow().UtcDateTime, context);
    }

    private bool IsShelved(string id, DateTime now)
    {
        if (!_shelved.TryGetValue(id, out var until))
        {
            return false;
        }

        if (until > now)
        {
            return true;
        }

        _shelved.Remove(id);
        return false;
    }

    private Dictionary<string, object?> CaptureContext(IReadOnlyList<ContextTag> tags)
    {
        var context = new Dictionary<string, object?>(tags.Count, StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if ((uint)tag.TagId >= (uint)_directory.Count)
            {
                continue;
            }

            ref readonly var s = ref _directory.Latest(tag.TagId);
            context[tag.Name] = s.Quality == Quality.Bad || s.SourceTicks == 0 ? null : s.Text ?? (object)s.Value;
        }

        return context;
    }

    private static AlarmEvent ToEvent(AlarmRecord r, AlarmState state, DateTime ts, Dictionary<string, object?>? context) =>
        new(ts, r.Id, state, r.Priority, r.Source, r.Characteristic, r.Rule, r.Value)
        {
            Context = context ?? r.Context.ToDictionary(kv => kv.Key, kv => AlarmStore.FromJson(kv.Value), StringComparer.Ordinal),
            Message = r.Message,
        };

    private void UpdateGauge()
    {
        var n = 0;
        foreach (var r in _records.Values)
        {
            if (r.Active)
            {
                n++;
            }
        }

        _activeGauge.Set(n);
    }

    private void MarkDirty()
    {
        if (_dirty.CurrentCount == 0)
        {
            try
            {
                _dirty.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    /// <summary>Writes the list now (also on stop).</summary>
    public void Persist() => AlarmStore.Save(DataDir, ToFile());

    [LoggerMessage(EventId = 800, Level = LogLevel.Warning, Message = "Alarm {AlarmId} active ({Priority}): {Text} value {Value}")]
    private static partial void LogActivated(ILogger logger, string alarmId, string priority, string text, double value);

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "Alarm {AlarmId} cleared (unacknowledged: {Unacknowledged})")]
    private static partial void LogCleared(ILogger logger, string alarmId, bool unacknowledged);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "Alarm {AlarmId} acknowledged by {By}: {Comment}")]
    private static partial void LogAcknowledged(ILogger logger, string alarmId, string by, string comment);

    [LoggerMessage(EventId = 803, Level = LogLevel.Information, Message = "Alarm {AlarmId} shelved until {Until:o} by {By}")]
    private static partial void LogShelved(ILogger logger, string alarmId, DateTime until, string by);
}
