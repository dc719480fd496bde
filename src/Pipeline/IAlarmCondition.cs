namespace EdgeAgent.Pipeline;

/// <summary>
/// The live state of one alarm condition, fed on the router thread. Each call is O(1) and allocates nothing unless the
/// alarm changes state; delays are measured on the sample timestamps (UTC ticks).
/// </summary>
public interface IAlarmCondition
{
    AlarmDefinition Definition { get; }

    /// <summary>The debounced state (after delays and deadband), as last decided on the router thread.</summary>
    bool IsActive { get; }

    /// <summary>Feeds the condition's raw truth at <paramref name="ticks"/>; <paramref name="value"/> is reported.</summary>
    void Update(bool condition, double value, long ticks);

    /// <summary>
    /// Feeds a margin (positive: beyond the limit) with a deadband: active when the margin is above 0 (or at 0 when
    /// <paramref name="inclusive"/>), cleared only once it is back below -<paramref name="deadband"/>.
    /// </summary>
    void UpdateMargin(double margin, bool inclusive, double deadband, double value, long ticks);

    /// <summary>Activates now (no on-delay) with <paramref name="message"/>: one event per violation, e.g. an SPC rule.</summary>
    void Raise(double value, long ticks, string message);

    /// <summary>The condition is false again.</summary>
    void Normal(double value, long ticks);
}
