using EdgeAgent.Drivers;

namespace EdgeAgent.Pipeline;

/// <summary>A source went up or down (one event per change, not per retry).</summary>
public sealed record SourceStateEvent(DateTime Ts, string Source, SourceState State, string? Reason) : AgentEvent(Ts);
