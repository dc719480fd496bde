using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.Services;

public enum BrowseDirection
{
    Forward = 0,
    Inverse = 1,
    Both = 2,
}

public sealed record BrowseDescription(
    NodeId NodeId,
    BrowseDirection Direction = BrowseDirection.Forward,
    NodeId? ReferenceTypeId = null,
    bool IncludeSubtypes = true,
    uint NodeClassMask = 0,
    uint ResultMask = 0x3F);
