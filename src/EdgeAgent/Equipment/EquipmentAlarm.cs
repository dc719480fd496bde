using EdgeAgent.Drivers;
using EdgeAgent.Expressions;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Equipment;

/// <summary>An expression alarm on the router thread: re-evaluated on each sample of a tag it reads (O(size of the expression)).</summary>
public sealed class EquipmentAlarm(EquipmentAlarmConfig config, IAlarmCondition condition, TagDirectory directory) : ISampleConsumer
{
    private readonly Expression _when = config.When;
    private readonly int _valueTag = config.When.TagIds.Length > 0 ? config.When.TagIds[0] : -1;
    private readonly double _deadband = config.Deadband;

    public void OnSample(in Sample sample)
    {
        var values = new DirectoryValues(directory);
        var value = _valueTag >= 0 ? values.Value(_valueTag) : sample.Value;
        if (_deadband > 0)
        {
            condition.UpdateMargin(_when.Margin(values), _when.IsInclusive, _deadband, value, sample.ReceiveTicks);
        }
        else
        {
            condition.Update(_when.IsTrue(values), value, sample.ReceiveTicks);
        }
    }
}
