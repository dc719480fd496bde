namespace EdgeAgent.Pipeline;

/// <summary>
/// What an alarm is about, fixed at config load: id (one alarm per id: dedupe), priority, where it comes from, the
/// context tags to capture at activation, and its on/off delays.
/// </summary>
public sealed record AlarmDefinition
{
    /// <summary>Unique id: <c>{equipment}/{name}</c>, <c>{characteristic}/{rule}</c>, <c>{characteristic}/usl</c>, <c>{source}/comm-loss</c>.</summary>
    public required string Id { get; init; }
    public required string Source { get; init; }
    public string Priority { get; init; } = "medium";
    public string? Characteristic { get; init; }
    public string? Rule { get; init; }
    public string? Message { get; init; }
    public IReadOnlyList<ContextTag> Context { get; init; } = [];
    public TimeSpan OnDelay { get; init; }
    public TimeSpan OffDelay { get; init; }

    /// <summary>Writes to make when the alarm becomes active, is acknowledged or clears (the closed loop); none by default.</summary>
    public IReadOnlyList<WriteAction> Actions { get; init; } = [];
}
