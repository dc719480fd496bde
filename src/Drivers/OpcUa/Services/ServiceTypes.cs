using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;

namespace EdgeAgent.Drivers.OpcUa.Services;

/// <summary>Binary encoding ids (ns=0) of the services this client speaks (Part 6 Annex A / NodeIds.csv).</summary>
public static class EncodingIds
{
    public const uint ServiceFault = 397;
    public const uint GetEndpointsRequest = 428, GetEndpointsResponse = 431;
    public const uint CreateSessionRequest = 461, CreateSessionResponse = 464;
    public const uint ActivateSessionRequest = 467, ActivateSessionResponse = 470;
    public const uint CloseSessionRequest = 473, CloseSessionResponse = 476;
    public const uint BrowseRequest = 527, BrowseResponse = 530;
    public const uint BrowseNextRequest = 533, BrowseNextResponse = 536;
    public const uint TranslateBrowsePathsToNodeIdsRequest = 554, TranslateBrowsePathsToNodeIdsResponse = 557;
    public const uint ReadRequest = 631, ReadResponse = 634;
    public const uint WriteRequest = 673, WriteResponse = 676;
    public const uint DataChangeFilter = 724;
    public const uint CreateMonitoredItemsRequest = 751, CreateMonitoredItemsResponse = 754;
    public const uint CreateSubscriptionRequest = 787, CreateSubscriptionResponse = 790;
    public const uint DataChangeNotification = 811;
    public const uint StatusChangeNotification = 820;
    public const uint PublishRequest = 826, PublishResponse = 829;
    public const uint RepublishRequest = 832, RepublishResponse = 835;
    public const uint TransferSubscriptionsRequest = 841, TransferSubscriptionsResponse = 844;
    public const uint DeleteSubscriptionsRequest = 847, DeleteSubscriptionsResponse = 850;
    public const uint EventNotificationList = 916;
    public const uint AnonymousIdentityToken = 321;
    public const uint UserNameIdentityToken = 324;
}

/// <summary>Well-known nodes of namespace 0 (Part 6 Annex A).</summary>
public static class WellKnownNodes
{
    public static readonly NodeId RootFolder = new(0, 84);
    public static readonly NodeId ObjectsFolder = new(0, 85);
    public static readonly NodeId HierarchicalReferences = new(0, 33);
    public static readonly NodeId Organizes = new(0, 35);
    public static readonly NodeId HasComponent = new(0, 47);
    public static readonly NodeId HasTypeDefinition = new(0, 40);
    public static readonly NodeId Server_NamespaceArray = new(0, 2255);
    public static readonly NodeId Server_ServerStatus_State = new(0, 2259);
}

public enum UserTokenType
{
    Anonymous = 0,
    UserName = 1,
    Certificate = 2,
    IssuedToken = 3,
}

public sealed record UserTokenPolicy(string? PolicyId, UserTokenType TokenType, string? SecurityPolicyUri);

public sealed record EndpointDescription(
    string? EndpointUrl,
    string? ServerApplicationUri,
    string? ServerName,
    byte[]? ServerCertificate,
    MessageSecurityMode SecurityMode,
    string? SecurityPolicyUri,
    UserTokenPolicy[] UserIdentityTokens,
    string? TransportProfileUri,
    byte SecurityLevel);

public sealed record ReadValueId(NodeId NodeId, uint AttributeId = AttributeId.Value, string? IndexRange = null);

public sealed record WriteValue(NodeId NodeId, DataValue Value, uint AttributeId = AttributeId.Value, string? IndexRange = null);

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

public sealed record ReferenceDescription(
    NodeId ReferenceTypeId,
    bool IsForward,
    ExpandedNodeId NodeId,
    QualifiedName BrowseName,
    LocalizedText DisplayName,
    NodeClass NodeClass,
    ExpandedNodeId TypeDefinition);

public sealed record BrowseResult(StatusCode StatusCode, byte[]? ContinuationPoint, ReferenceDescription[] References);

public sealed record RelativePathElement(QualifiedName TargetName, NodeId? ReferenceTypeId = null, bool IsInverse = false, bool IncludeSubtypes = true);

public sealed record BrowsePath(NodeId StartingNode, IReadOnlyList<RelativePathElement> Elements);

public sealed record BrowsePathTarget(ExpandedNodeId TargetId, uint RemainingPathIndex);

public sealed record BrowsePathResult(StatusCode StatusCode, BrowsePathTarget[] Targets);

public enum TimestampsToReturn
{
    Source = 0,
    Server = 1,
    Both = 2,
    Neither = 3,
}

public enum MonitoringMode
{
    Disabled = 0,
    Sampling = 1,
    Reporting = 2,
}

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

public sealed record MonitoredItemRequest(
    NodeId NodeId,
    uint ClientHandle,
    double SamplingInterval = -1,
    uint QueueSize = 1,
    bool DiscardOldest = true,
    DataChangeFilter? Filter = null,
    uint AttributeId = AttributeId.Value);

public sealed record MonitoredItemResult(StatusCode StatusCode, uint MonitoredItemId, double RevisedSamplingInterval, uint RevisedQueueSize);

public sealed record SubscriptionParameters(double PublishingInterval, uint LifetimeCount, uint MaxKeepAliveCount, uint MaxNotificationsPerPublish = 0, byte Priority = 0);

public sealed record SubscriptionRevised(uint SubscriptionId, double PublishingInterval, uint LifetimeCount, uint MaxKeepAliveCount);

/// <summary>One value change of one monitored item, as decoded from a DataChangeNotification (no allocation for numbers).</summary>
public readonly record struct MonitoredItemNotification(uint ClientHandle, DataValue Value);
