namespace EdgeAgent.Drivers.OpcUa.Services;

public enum DataChangeTrigger
{
    Status = 0,
    StatusValue = 1,
    StatusValueTimestamp = 2,
}

public enum DeadbandType : uint
{
    None = 0,
    Absolute = 1,
    Percent = 2,
}

/// <summary>DataChangeFilter (Part 4 §7.22.2).</summary>
public sealed record DataChangeFilter(DataChangeTrigger Trigger = DataChangeTrigger.StatusValue, DeadbandType DeadbandType = DeadbandType.None, double DeadbandValue = 0);
