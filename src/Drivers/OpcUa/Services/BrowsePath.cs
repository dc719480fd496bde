using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.Services;

public sealed record RelativePathElement(QualifiedName TargetName, NodeId? ReferenceTypeId = null, bool IsInverse = false, bool IncludeSubtypes = true);

public sealed record BrowsePath(NodeId StartingNode, IReadOnlyList<RelativePathElement> Elements);

public sealed record BrowsePathTarget(ExpandedNodeId TargetId, uint RemainingPathIndex);

public sealed record BrowsePathResult(StatusCode StatusCode, BrowsePathTarget[] Targets);
