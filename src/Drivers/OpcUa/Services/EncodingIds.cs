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
    public const uint X509IdentityToken = 327;
}
