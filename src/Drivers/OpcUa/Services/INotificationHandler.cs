using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.Services;

/// <summary>Receives what a Publish response carries; called on the publish loop, so keep it short.</summary>
public interface INotificationHandler
{
    /// <summary>
    /// Value changes of one NotificationMessage. <paramref name="items"/> is valid only during the call (the buffer is
    /// reused for the next message).
    /// </summary>
    void OnDataChange(uint subscriptionId, uint sequenceNumber, DateTime publishTime, ReadOnlySpan<MonitoredItemNotification> items);

    /// <summary>The server changed the subscription's state (e.g. BadTimeout: the subscription expired).</summary>
    void OnStatusChange(uint subscriptionId, StatusCode status) { }

    /// <summary>A keep-alive: nothing changed during the keep-alive interval.</summary>
    void OnKeepAlive(uint subscriptionId, uint nextSequenceNumber) { }

    /// <summary>Notification messages the client could not get back, neither in order nor by Republish.</summary>
    void OnLost(uint subscriptionId, uint firstSequenceNumber, uint count) { }
}
