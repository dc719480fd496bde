namespace EdgeAgent.Drivers.OpcUa.Services;

public sealed record SubscriptionParameters(double PublishingInterval, uint LifetimeCount, uint MaxKeepAliveCount, uint MaxNotificationsPerPublish = 0, byte Priority = 0);

public sealed record SubscriptionRevised(uint SubscriptionId, double PublishingInterval, uint LifetimeCount, uint MaxKeepAliveCount);
