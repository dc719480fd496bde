using EdgeAgent.Drivers;
using EdgeAgent.Expressions;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Equipment;

/// <summary>
/// One <c>equipment:</c> entry's state machine. The state is decided from the compiled conditions over the latest tag
/// values with the priority fault &gt; setup &gt; running &gt; idle (idle also when none holds), and is <c>offline</c>
/// while a source feeding the conditions is down or a tag they read is Bad. It is decided again on every sample of a
/// tag it reads (router thread) and on source state changes (source threads), hence the lock — never contended on
/// the hot path of other components. A change publishes an <see cref="EquipmentStatusEvent"/> (retained on MQTT);
/// availability seconds per state and good/total part counts ride along as counters for OEE.
/// </summary>
public sealed class EquipmentMachine : ISampleConsumer
{
    public static readonly string[] StateNames = ["offline", "idle", "running", "setup", "fault"];

    private readonly EquipmentConfig _config;
    private readonly TagDirectory _directory;
    private readonly Action<AgentEvent> _publish;
    private readonly TimeProvider _time;
    private readonly int[] _tags;
    private readonly bool[] _sourceDown;
    private readonly int[] _sourceIndex;
    private readonly double[] _seconds = new double[StateNames.Length];
    private readonly object _gate = new();
    private EquipmentState? _state;
    private DateTime _since;
    private DateTime _accounted;
    private double _lastTotal = double.NaN;
    private double _lastGood = double.NaN;
    private double _partsTotal;
    private double _partsGood;
    private DateTime _lastReport;

    public EquipmentMachine(EquipmentConfig config, TagDirectory directory, Action<AgentEvent> publish, TimeProvider time)
    {
        _config = config;
        _directory = directory;
        _publish = publish;
        _time = time;
        var tags = new List<int>();
        foreach (var e in new[] { config.FaultWhen, config.SetupWhen, config.RunningWhen, config.IdleWhen })
        {
            foreach (var id in e?.TagIds ?? [])
            {
                if (!tags.Contains(id))
                {
                    tags.Add(id);
                }
            }
        }

        _tags = tags.ToArray();
        _sourceIndex = config.Sources.Select(s => Array.IndexOf(directory.Sources, s)).ToArray();
        _sourceDown = new bool[directory.Sources.Length];
    }

    public string Name => _config.Name;

    public EquipmentConfig Config => _config;

    /// <summary>Tags whose samples this machine needs (conditions and part counters).</summary>
    public IEnumerable<int> Subscriptions => _tags
        .Concat(_config.PartsTotalTagId >= 0 ? [_config.PartsTotalTagId] : [])
        .Concat(_config.PartsGoodTagId >= 0 ? [_config.PartsGoodTagId] : [])
        .Distinct();

    /// <summary>The current state, or null before every tag it reads has been seen once.</summary>
    public EquipmentState? State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public void OnSample(in Sample sample)
    {
        lock (_gate)
        {
            if (sample.TagId == _config.PartsTotalTagId)
            {
                Count(sample, ref _lastTotal, ref _partsTotal);
            }

            if (sample.TagId == _config.PartsGoodTagId)
            {
                Count(sample, ref _lastGood, ref _partsGood);
            }

            Decide(sample.ReceiveTicks > 0 ? new DateTime(sample.ReceiveTicks, DateTimeKind.Utc) : _time.GetUtcNow().UtcDateTime);
        }
    }

    /// <summary>A source feeding this equipment went up or down.</summary>
    public void OnSourceState(int sourceIndex, SourceState state, DateTime ts)
    {
        if ((uint)sourceIndex >= (uint)_sourceDown.Length || Array.IndexOf(_sourceIndex, sourceIndex) < 0)
        {
            return;
        }

        lock (_gate)
        {
            _sourceDown[sourceIndex] = state == SourceState.Down;
            Decide(ts);
        }
    }

    /// <summary>Republishes the current state with fresh counters when <see cref="EquipmentConfig.Report"/> is due.</summary>
    public void ReportIfDue(DateTime now)
    {
        EquipmentStatusEvent? e = null;
        lock (_gate)
        {
            if (_state is null || _config.Report <= TimeSpan.Zero || now - _lastReport < _config.Report)
            {
                return;
            }

            Account(now);
            _lastReport = now;
            e = Event(now, null);
        }

        _publish(e);
    }

    /// <summary>Counters as published: seconds per state (<c>running_s</c> …) and parts (<c>parts_total</c>, <c>parts_good</c>).</summary>
    public IReadOnlyDictionary<string, double> Counters()
    {
        lock (_gate)
        {
            Account(_time.GetUtcNow().UtcDateTime);
            return BuildCounters();
        }
    }

    private static void Count(in Sample sample, ref double last, ref double total)
    {
        if (sample.Quality == Quality.Bad || !double.IsFinite(sample.Value))
        {
            return;
        }

        if (!double.IsNaN(last))
        {
            // A counter going down was reset (PLC restart, shift change): everything since the reset counts.
            total += sample.Value >= last ? sample.Value - last : Math.Max(sample.Value, 0);
        }

        last = sample.Value;
    }

    private void Decide(DateTime now)
    {
        EquipmentState next;
        var down = false;
        foreach (var i in _sourceIndex)
        {
            down |= i >= 0 && _sourceDown[i];
        }

        if (down)
        {
            next = EquipmentState.Offline;
        }
        else
        {
            var unseen = false;
            var bad = false;
            foreach (var id in _tags)
            {
                ref readonly var s = ref _directory.Latest(id);
                if (s.SourceTicks == 0 && s.ReceiveTicks == 0 && s.Quality == Quality.Bad)
                {
                    unseen = true;
                }
                else if (s.Quality == Quality.Bad)
                {
                    bad = true;
                }
            }

            if (bad)
            {
                next = EquipmentState.Offline;
            }
            else if (unseen)
            {
                return; // not every tag seen yet: no state to announce
            }
            else
            {
                var values = new DirectoryValues(_directory);
                next = _config.FaultWhen?.IsTrue(values) == true ? EquipmentState.Fault
                    : _config.SetupWhen?.IsTrue(values) == true ? EquipmentState.Setup
                    : _config.RunningWhen?.IsTrue(values) == true ? EquipmentState.Running
                    : EquipmentState.Idle;
            }
        }

        if (next == _state)
        {
            return;
        }

        Account(now);
        var previous = _state;
        _state = next;
        _since = now;
        _lastReport = now;
        _publish(Event(now, previous));
    }

    private void Account(DateTime now)
    {
        if (_state is { } s && now > _accounted)
        {
            _seconds[(int)s] += (now - _accounted).TotalSeconds;
        }

        if (now > _accounted)
        {
            _accounted = now;
        }
    }

    private EquipmentStatusEvent Event(DateTime now, EquipmentState? previous) =>
        new(now, _config.Name, StateNames[(int)_state!.Value], _since)
        {
            Previous = previous is { } p ? StateNames[(int)p] : null,
            Code = (int)_state.Value,
            Counters = BuildCounters(),
        };

    private Dictionary<string, double> BuildCounters()
    {
        var counters = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < StateNames.Length; i++)
        {
            counters[StateNames[i] + "_s"] = Math.Round(_seconds[i], 3);
        }

        if (_config.PartsTotalTagId >= 0)
        {
            counters["parts_total"] = _partsTotal;
        }

        if (_config.PartsGoodTagId >= 0)
        {
            counters["parts_good"] = _partsGood;
        }

        return counters;
    }
}
