using EdgeAgent.Pipeline;

namespace EdgeAgent.Alarms;

/// <summary>
/// The live state of one alarm condition, updated on the router thread. <see cref="Update"/> is O(1) and allocates
/// nothing unless the alarm changes state: the on-delay ("true for 5s") and off-delay are measured on the sample
/// timestamps, a deadband is applied by <see cref="UpdateMargin"/>, and only a transition calls into the
/// <see cref="AlarmEngine"/> (which publishes, captures context and persists).
/// </summary>
public sealed class AlarmCondition : IAlarmCondition
{
    private const long NotPending = long.MinValue;
    private readonly AlarmEngine _engine;
    private readonly long _onDelay;
    private readonly long _offDelay;
    private long _onSince = NotPending;
    private long _offSince = NotPending;
    private bool _active;

    internal AlarmCondition(AlarmEngine engine, AlarmDefinition definition, bool active)
    {
        _engine = engine;
        Definition = definition;
        _onDelay = definition.OnDelay.Ticks;
        _offDelay = definition.OffDelay.Ticks;
        _active = active;
    }

    public AlarmDefinition Definition { get; }

    public string Id => Definition.Id;

    /// <summary>The condition's debounced state (after delays and deadband), as last decided on the router thread.</summary>
    public bool IsActive => _active;

    /// <summary>Feeds the condition's raw truth at <paramref name="ticks"/> (UTC ticks); <paramref name="value"/> is reported.</summary>
    public void Update(bool condition, double value, long ticks)
    {
        if (condition)
        {
            _offSince = NotPending;
            if (_active)
            {
                return;
            }

            if (_onSince == NotPending)
            {
                _onSince = ticks;
            }

            if (ticks - _onSince >= _onDelay)
            {
                _active = true;
                _onSince = NotPending;
                _engine.Activate(this, value, ticks, null);
            }
        }
        else
        {
            _onSince = NotPending;
            if (!_active)
            {
                return;
            }

            if (_offSince == NotPending)
            {
                _offSince = ticks;
            }

            if (ticks - _offSince >= _offDelay)
            {
                _active = false;
                _offSince = NotPending;
                _engine.Clear(this, value, ticks);
            }
        }
    }

    /// <summary>
    /// Feeds how far the value is into the alarm region (<paramref name="margin"/> &gt; 0, or ≥ 0 when
    /// <paramref name="inclusive"/>): an inactive alarm activates on entering the region; an active one clears only once the
    /// margin falls below −<paramref name="deadband"/>. NaN (value unknown) counts as outside.
    /// </summary>
    public void UpdateMargin(double margin, bool inclusive, double deadband, double value, long ticks)
    {
        bool condition;
        if (_active)
        {
            condition = inclusive ? margin >= -deadband : margin > -deadband;
        }
        else
        {
            condition = inclusive ? margin >= 0 : margin > 0;
        }

        Update(condition, value, ticks);
    }

    /// <summary>An event-like condition (SPC rule on a subgroup): active at once with a message, no delays.</summary>
    public void Raise(double value, long ticks, string message)
    {
        _offSince = NotPending;
        if (_active)
        {
            return;
        }

        _active = true;
        _engine.Activate(this, value, ticks, message);
    }

    /// <summary>The condition is false now (e.g. a subgroup without the violation): clears after the off-delay.</summary>
    public void Normal(double value, long ticks) => Update(false, value, ticks);
}
