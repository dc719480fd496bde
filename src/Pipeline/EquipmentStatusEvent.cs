namespace EdgeAgent.Pipeline;

/// <summary>An equipment state change: retained <c>{site}/{equipment}/status</c>; InfluxDB <c>equipment_state</c>.</summary>
public sealed record EquipmentStatusEvent(DateTime Ts, string Equipment, string State, DateTime Since) : AgentEvent(Ts)
{
    public string? Previous { get; init; }

    /// <summary>Numeric code of the state (offline 0, idle 1, running 2, setup 3, fault 4) for time series.</summary>
    public int Code { get; init; }

    /// <summary>Availability and part counters for OEE (seconds per state, good/total parts).</summary>
    public IReadOnlyDictionary<string, double> Counters { get; init; } = new Dictionary<string, double>();
}
