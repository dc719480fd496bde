using EdgeAgent.Drivers;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Low-rate events the pipeline hands to sinks (per state change, subgroup or alarm — never per sample,
/// so these may allocate). Each kind maps to one MQTT topic, one InfluxDB measurement.
/// </summary>
public abstract record AgentEvent(DateTime Ts);

/// <summary>A source went up or down (one event per change, not per retry).</summary>
public sealed record SourceStateEvent(DateTime Ts, string Source, SourceState State, string? Reason) : AgentEvent(Ts);

/// <summary>
/// One completed subgroup (or individual point) of a characteristic's chart: <c>{site}/spc/{characteristic}</c>,
/// InfluxDB <c>spc</c> (and <c>capability</c> when <see cref="Capability"/> is set).
/// </summary>
public sealed record SpcPointEvent(
    DateTime Ts,
    string Characteristic,
    string Chart,
    long Index,
    double Value,
    double Center,
    double Ucl,
    double Lcl,
    IReadOnlyList<string> Violations) : AgentEvent(Ts)
{
    /// <summary>Secondary chart (mr, r, s) statistic and limits, when the chart has one.</summary>
    public string? SecondaryChart { get; init; }
    public double? Secondary { get; init; }
    public double? SecondaryCenter { get; init; }
    public double? SecondaryUcl { get; init; }
    public double? SecondaryLcl { get; init; }

    /// <summary>Subgroup size (n) of this point (variable for p/u charts).</summary>
    public int Size { get; init; } = 1;

    /// <summary>True while limits are still being learned from the baseline (no rule evaluation yet).</summary>
    public bool Baseline { get; init; }

    public CapabilitySnapshot? Capability { get; init; }
}

/// <summary>Capability over the rolling window; null members where not defined (one-sided spec, too few points).</summary>
public sealed record CapabilitySnapshot(double? Cp, double? Cpk, double? Pp, double? Ppk, double? Cpm, int N);

/// <summary>ISA-18.2 style alarm state as published: active (unacknowledged), acknowledged, cleared.</summary>
public enum AlarmState : byte
{
    Active,
    Acknowledged,
    Cleared,
}

/// <summary>
/// An alarm lifecycle event: <c>{site}/alarms</c> as
/// <c>{"id","state","priority","source","characteristic","rule","value","context":{…},"ts"}</c>; InfluxDB <c>alarms</c>.
/// Must never be lost: sinks deliver it through the durable outbox.
/// </summary>
public sealed record AlarmEvent(
    DateTime Ts,
    string Id,
    AlarmState State,
    string Priority,
    string Source,
    string? Characteristic,
    string? Rule,
    double? Value) : AgentEvent(Ts)
{
    /// <summary>Tags read at the moment of the alarm (part serial, batch, operator, recipe), by name.</summary>
    public IReadOnlyDictionary<string, object?> Context { get; init; } = new Dictionary<string, object?>();

    public string? Message { get; init; }

    /// <summary>Who acknowledged, and their comment (state acknowledged).</summary>
    public string? By { get; init; }
    public string? Comment { get; init; }

    /// <summary>Still unacknowledged when cleared (returned to normal unacknowledged).</summary>
    public bool Unacknowledged { get; init; }
}

/// <summary>An equipment state change: retained <c>{site}/{equipment}/status</c>; InfluxDB <c>equipment_state</c>.</summary>
public sealed record EquipmentStatusEvent(DateTime Ts, string Equipment, string State, DateTime Since) : AgentEvent(Ts)
{
    public string? Previous { get; init; }

    /// <summary>Numeric code of the state (offline 0, idle 1, running 2, setup 3, fault 4) for time series.</summary>
    public int Code { get; init; }

    /// <summary>Availability and part counters for OEE (seconds per state, good/total parts).</summary>
    public IReadOnlyDictionary<string, double> Counters { get; init; } = new Dictionary<string, double>();
}
