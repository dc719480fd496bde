namespace EdgeAgent.Pipeline;

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
