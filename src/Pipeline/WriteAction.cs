namespace EdgeAgent.Pipeline;

/// <summary>
/// One closed-loop action of an alarm (<c>actions: - { on: active, write: press1.quality_hold, value: 1 }</c>): when the
/// alarm enters <see cref="On"/>, <see cref="Value"/> is written to the tag. Bound and checked at load: the tag exists,
/// is <c>writable: true</c>, and the value fits its type.
/// </summary>
public sealed record WriteAction(AlarmState On, int TagId, string Tag, double Value, TimeSpan Timeout);
