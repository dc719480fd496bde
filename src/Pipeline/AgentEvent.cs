namespace EdgeAgent.Pipeline;

/// <summary>
/// Low-rate events the pipeline hands to sinks (per state change, subgroup or alarm — never per sample,
/// so these may allocate). Each kind maps to one MQTT topic, one InfluxDB measurement.
/// </summary>
public abstract record AgentEvent(DateTime Ts);
