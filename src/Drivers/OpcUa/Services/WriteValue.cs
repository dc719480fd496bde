using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.Services;

public sealed record WriteValue(NodeId NodeId, DataValue Value, uint AttributeId = AttributeId.Value, string? IndexRange = null);
