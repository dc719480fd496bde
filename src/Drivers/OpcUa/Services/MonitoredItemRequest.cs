using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.Services;

public enum MonitoringMode
{
    Disabled = 0,
    Sampling = 1,
    Reporting = 2,
}

public sealed record MonitoredItemRequest(
    NodeId NodeId,
    uint ClientHandle,
    double SamplingInterval = -1,
    uint QueueSize = 1,
    bool DiscardOldest = true,
    DataChangeFilter? Filter = null,
    uint AttributeId = AttributeId.Value);

public sealed record MonitoredItemResult(StatusCode StatusCode, uint MonitoredItemId, double RevisedSamplingInterval, uint RevisedQueueSize);
