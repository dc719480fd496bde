using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.Services;

public sealed record ReadValueId(NodeId NodeId, uint AttributeId = AttributeId.Value, string? IndexRange = null);
