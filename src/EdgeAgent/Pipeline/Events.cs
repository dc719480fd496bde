using EdgeAgent.Drivers;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Low-rate events the pipeline hands to sinks (per state change, subgroup or alarm — never per sample,
/// so these may allocate). Each kind maps to one MQTT topic, one InfluxDB measurement.
/// </summary>
public abstract record AgentEvent(DateTime Ts);

/// <summary>A source went up or down (one event per change, not per retry).</summary>
public sealed record SourceStateEvent(DateTime Ts, string Source, SourceState State, string? Reason) : AgentEvent(Ts);
