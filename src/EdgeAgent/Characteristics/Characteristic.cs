using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;
using EdgeAgent.Spc;

namespace EdgeAgent.Characteristics;

/// <summary>
/// One <c>characteristics:</c> entry on the live stream (router thread): each Good sample of its tag (or, with
/// <c>trigger:</c>, the tag's latest value at each rising edge of the part-complete tag) is a measurement. It is checked
/// against the spec (LSL/USL alarms with deadband) and fed to the src/Spc streaming chart; each completed subgroup
/// updates one alarm per enabled run rule (active on a violating point, cleared on the next point without it) and is
/// published as an <see cref="SpcPointEvent"/> with capability over the rolling window.
/// Per measurement that completes no subgroup and changes no alarm: O(1), no allocation.
/// </summary>
public sealed class Characteristic : ISampleConsumer
{
    private static readonly string[] NoViolations = [];

    private readonly CharacteristicConfig _config;
    private readonly TagDirectory _directory;
    private readonly Action<AgentEvent> _publish;
    private readonly bool _attribute;
    private readonly double _size;
    private readonly IAlarmCondition? _usl;
    private readonly IAlarmCondition? _lsl;
    private readonly (SpcRules Bit, string Name, IAlarmCondition Condition)[] _rules;
    private readonly bool _hasSpec;
    private SpcChart _chart;
    private PendingLimits? _pending;
    private double _lastTrigger;
    private bool _hadLimits;
    private long _lastSaveTicks;

    public Characteristic(CharacteristicConfig config, SpcChart chart, IAlarmService alarms, TagDirectory directory, Action<AgentEvent> publish)
    {
        _config = config;
        _chart = chart;
        _directory = directory;
        _publish = publish;
        _attribute = chart.Spec.Chart is ChartType.P or ChartType.Np or ChartType.U;
        _size = config.Subgroup;
        _hadLimits = chart.HasLimits;
        _hasSpec = config.Lsl is not null || config.Usl is not null;
        var source = (uint)config.TagId < (uint)directory.Count ? directory.Tags[config.TagId].Source : config.Tag;
        AlarmDefinition Define(string rule, string priority, string message) => new()
        {
            Id = $"{config.Name}/{rule}",
            Source = source,
            Characteristic = config.Name,
            Rule = rule,
            Priority = priority,
            Message = message,
            Context = config.Context,
            Actions = config.Actions,
        };

        if (config.Usl is { } usl)
        {
            _usl = alarms.Define(Define("usl", config.SpecPriority, $"{config.Name} above the upper spec limit {usl}"));
        }

        if (config.Lsl is { } lsl)
        {
            _lsl = alarms.Define(Define("lsl", config.SpecPriority, $"{config.Name} below the lower spec limit {lsl}"));
        }

        _rules = SpcRuleNames.Each(chart.Spec.Rules)
            .Select(bit => (bit, SpcRuleNames.Name(bit), alarms.Define(Define(SpcRuleNames.Name(bit), config.Priority, $"{config.Name}: rule {SpcRuleNames.Name(bit)}"))))
            .ToArray();
    }

    public CharacteristicConfig Config => _config;

    public SpcChart Chart => _chart;

    /// <summary>Set when the chart's limits changed or 10 s passed since the last save with new points: the component persists it.</summary>
    public Action<Characteristic>? SaveRequested { get; set; }

    /// <summary>False to leave out the <see cref="SpcPointEvent"/> (benchmarks of the decision path alone).</summary>
    public bool PublishPoints { get; set; } = true;

    public void OnSample(in Sample sample)
    {
        if (_pending is not null)
        {
            ApplyPending();
        }

        if (_config.TriggerTagId >= 0)
        {
            if (sample.TagId != _config.TriggerTagId)
            {
                return;
            }

            var rising = Expressions.Expression.IsTrue(sample.Value) && !Expressions.Expression.IsTrue(_lastTrigger);
            _lastTrigger = sample.Quality == Quality.Bad ? 0 : sample.Value;
            if (!rising || sample.Quality == Quality.Bad)
            {
                return;
            }

            ref readonly var measured = ref _directory.Latest(_config.TagId);
            if (measured.Quality != Quality.Bad && measured.SourceTicks != 0)
            {
                Measure(measured.Value, sample.ReceiveTicks);
            }

            return;
        }

        if (sample.Quality != Quality.Bad)
        {
            Measure(sample.Value, sample.ReceiveTicks);
        }
    }

    /// <summary>One measurement (public for tests and benchmarks).</summary>
    public void Measure(double value, long ticks)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        if (_hasSpec)
        {
            _usl?.UpdateMargin(value - _config.Usl!.Value, inclusive: false, _config.Deadband, value, ticks);
            _lsl?.UpdateMargin(_config.Lsl!.Value - value, inclusive: false, _config.Deadband, value, ticks);
        }

        SubgroupResult point;
        if (_attribute)
        {
            if (!_chart.Add(value, _size, out point))
            {
                return;
            }
        }
        else if (!_chart.Add(value, out point))
        {
            return;
        }

        OnPoint(point, ticks);
    }

    private void OnPoint(in SubgroupResult point, long ticks)
    {
        var violations = point.Violations;
        string[]? names = null;
        if (violations != SpcRules.None)
        {
            names = SpcRuleNames.Each(violations).Select(SpcRuleNames.Name).ToArray();
        }

        foreach (var (bit, name, condition) in _rules)
        {
            if ((violations & bit) != 0)
            {
                if (!condition.IsActive)
                {
                    condition.Raise(point.Value, ticks, $"{_config.Name}: rule {name} violated at point {point.Index} (value {point.Value:G6}, center {point.Center:G6}, ucl {point.Ucl:G6}, lcl {point.Lcl:G6})");
                }
            }
            else if (condition.IsActive)
            {
                condition.Normal(point.Value, ticks);
            }
        }

        if (PublishPoints)
        {
            _publish(ToEvent(point, ticks, names ?? NoViolations));
        }

        if (point.HasLimits != _hadLimits || (ticks - _lastSaveTicks > TimeSpan.TicksPerSecond * 10))
        {
            _hadLimits = point.HasLimits;
            _lastSaveTicks = ticks;
            SaveRequested?.Invoke(this);
        }
    }

    private SpcPointEvent ToEvent(in SubgroupResult p, long ticks, string[] violations)
    {
        var secondary = _chart.Spec.Chart.SecondaryKey();
        CapabilitySnapshot? capability = null;
        if (_hasSpec && !_attribute)
        {
            var c = _chart.GetCapability();
            capability = new CapabilitySnapshot(Num(c.Cp), Num(c.Cpk), Num(c.Pp), Num(c.Ppk), Num(c.Cpm), (int)Math.Min(c.N, int.MaxValue));
        }

        return new SpcPointEvent(new DateTime(ticks, DateTimeKind.Utc), _config.Name, _config.Chart, p.Index, p.Value, p.Center, p.Ucl, p.Lcl, violations)
        {
            SecondaryChart = secondary,
            Secondary = secondary is null ? null : Num(p.Secondary),
            SecondaryCenter = secondary is null ? null : Num(p.SecondaryCenter),
            SecondaryUcl = secondary is null ? null : Num(p.SecondaryUcl),
            SecondaryLcl = secondary is null ? null : Num(p.SecondaryLcl),
            Size = (int)p.Size,
            Baseline = !p.HasLimits,
            Capability = capability,
        };
    }

    private static double? Num(double v) => double.IsFinite(v) ? v : null;

    /// <summary>Limits pushed by the QMS (any thread): applied on the router thread before the next measurement.</summary>
    public void Push(PendingLimits limits)
    {
        Volatile.Write(ref _pending, limits);
    }

    private void ApplyPending()
    {
        var pending = Interlocked.Exchange(ref _pending, null);
        if (pending is null)
        {
            return;
        }

        if (pending.RestartBaseline)
        {
            _chart.RestartBaseline();
        }
        else
        {
            _chart.SetLimits(pending.Ucl, pending.Cl, pending.Lcl);
        }

        _hadLimits = _chart.HasLimits;
        SaveRequested?.Invoke(this);
    }
}
