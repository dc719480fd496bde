using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;

namespace EdgeAgent.Drivers.OpcUa.Services;

/// <summary>Encoders and decoders of the structures the services exchange (Part 4 §5 and §7).</summary>
internal static class ServiceCodec
{
    public static EndpointDescription ReadEndpointDescription(ref UaBinaryReader r)
    {
        var url = r.ReadString();
        // ApplicationDescription
        var appUri = r.ReadString();
        _ = r.ReadString(); // ProductUri
        var appName = r.ReadLocalizedText();
        _ = r.ReadInt32(); // ApplicationType
        _ = r.ReadString(); // GatewayServerUri
        _ = r.ReadString(); // DiscoveryProfileUri
        _ = r.ReadStringArray(); // DiscoveryUrls
        var cert = r.ReadByteString();
        var mode = (MessageSecurityMode)r.ReadInt32();
        var policy = r.ReadString();
        var n = r.ReadArrayLength();
        var tokens = new UserTokenPolicy[Math.Max(n, 0)];
        for (var i = 0; i < n; i++)
        {
            var id = r.ReadString();
            var type = (UserTokenType)r.ReadInt32();
            _ = r.ReadString(); // IssuedTokenType
            _ = r.ReadString(); // IssuerEndpointUrl
            tokens[i] = new UserTokenPolicy(id, type, r.ReadString());
        }

        var transport = r.ReadString();
        var level = r.ReadByte();
        return new EndpointDescription(url, appUri, appName.Text, cert, mode, policy, tokens, transport, level);
    }

    public static EndpointDescription[] ReadEndpointDescriptions(ref UaBinaryReader r)
    {
        var n = r.ReadArrayLength();
        var result = new EndpointDescription[Math.Max(n, 0)];
        for (var i = 0; i < n; i++)
        {
            result[i] = ReadEndpointDescription(ref r);
        }

        return result;
    }

    public static DataValue[] ReadDataValues(ref UaBinaryReader r)
    {
        var n = r.ReadArrayLength();
        var result = new DataValue[Math.Max(n, 0)];
        for (var i = 0; i < n; i++)
        {
            result[i] = r.ReadDataValue();
        }

        return result;
    }

    public static void WriteBrowseDescription(UaBinaryWriter w, BrowseDescription d)
    {
        w.WriteNodeId(d.NodeId);
        w.WriteInt32((int)d.Direction);
        w.WriteNodeId(d.ReferenceTypeId ?? WellKnownNodes.HierarchicalReferences);
        w.WriteBoolean(d.IncludeSubtypes);
        w.WriteUInt32(d.NodeClassMask);
        w.WriteUInt32(d.ResultMask);
    }

    public static BrowseResult[] ReadBrowseResults(ref UaBinaryReader r)
    {
        var n = r.ReadArrayLength();
        var results = new BrowseResult[Math.Max(n, 0)];
        for (var i = 0; i < n; i++)
        {
            var status = r.ReadStatusCode();
            var cp = r.ReadByteString();
            var m = r.ReadArrayLength();
            var refs = new ReferenceDescription[Math.Max(m, 0)];
            for (var j = 0; j < m; j++)
            {
                var refType = r.ReadNodeId();
                var forward = r.ReadBoolean();
                var node = r.ReadExpandedNodeId();
                var browseName = r.ReadQualifiedName();
                var display = r.ReadLocalizedText();
                var nodeClass = (NodeClass)r.ReadInt32();
                var typeDef = r.ReadExpandedNodeId();
                refs[j] = new ReferenceDescription(refType, forward, node, browseName, display, nodeClass, typeDef);
            }

            results[i] = new BrowseResult(status, cp is { Length: > 0 } ? cp : null, refs);
        }

        return results;
    }

    public static void WriteMonitoredItemCreateRequest(UaBinaryWriter w, MonitoredItemRequest item)
    {
        // ReadValueId
        w.WriteNodeId(item.NodeId);
        w.WriteUInt32(item.AttributeId);
        w.WriteString(null);
        w.WriteQualifiedName(default);
        w.WriteInt32((int)MonitoringMode.Reporting);
        // MonitoringParameters
        w.WriteUInt32(item.ClientHandle);
        w.WriteDouble(item.SamplingInterval);
        if (item.Filter is { } f)
        {
            w.WriteExtensionObject(EncodingIds.DataChangeFilter, f, static (w, f) =>
            {
                w.WriteInt32((int)f.Trigger);
                w.WriteUInt32((uint)f.DeadbandType);
                w.WriteDouble(f.DeadbandValue);
            });
        }
        else
        {
            w.WriteExtensionObject(ExtensionObject.Null);
        }

        w.WriteUInt32(item.QueueSize);
        w.WriteBoolean(item.DiscardOldest);
    }
}

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

/// <summary>
/// Decodes PublishResponse / RepublishResponse bodies straight into a reused buffer of
/// <see cref="MonitoredItemNotification"/> (Part 4 §5.13.5 and §7.21): per value nothing is allocated except what
/// the value itself needs (strings, arrays).
/// </summary>
public sealed class NotificationDecoder
{
    private MonitoredItemNotification[] _items = new MonitoredItemNotification[64];
    private uint[] _available = new uint[16];

    /// <summary>The AvailableSequenceNumbers of the last PublishResponse.</summary>
    public ReadOnlySpan<uint> AvailableSequenceNumbers => _available.AsSpan(0, AvailableCount);

    public int AvailableCount { get; private set; }

    /// <summary>Decodes a PublishResponse body (after the encoding id). Returns the subscription id and message info.</summary>
    public PublishResult DecodePublishResponse(ref UaBinaryReader r, INotificationHandler handler)
    {
        var header = ResponseHeader.Read(ref r);
        if (header.ServiceResult.IsBad)
        {
            return new PublishResult(header.ServiceResult, 0, 0, false, false);
        }

        var subscriptionId = r.ReadUInt32();
        var n = r.ReadArrayLength(4);
        if (n > _available.Length)
        {
            _available = new uint[Math.Max(n, _available.Length * 2)];
        }

        AvailableCount = Math.Max(n, 0);
        for (var i = 0; i < n; i++)
        {
            _available[i] = r.ReadUInt32();
        }

        var more = r.ReadBoolean();
        var (sequence, hasData) = DecodeNotificationMessage(ref r, subscriptionId, handler);
        var results = r.ReadArrayLength(4);
        r.Skip(Math.Max(results, 0) * 4);
        r.SkipDiagnosticInfos();
        return new PublishResult(header.ServiceResult, subscriptionId, sequence, hasData, more);
    }

    /// <summary>Decodes a NotificationMessage: SequenceNumber, PublishTime, NotificationData[] (ExtensionObjects).</summary>
    public (uint Sequence, bool HasData) DecodeNotificationMessage(ref UaBinaryReader r, uint subscriptionId, INotificationHandler handler)
    {
        var sequence = r.ReadUInt32();
        var publishTime = r.ReadDateTime();
        var count = r.ReadArrayLength(3);
        if (count <= 0)
        {
            handler.OnKeepAlive(subscriptionId, sequence);
            return (sequence, false);
        }

        for (var i = 0; i < count; i++)
        {
            var body = r.ReadExtensionObjectBody(out var typeId);
            var br = new UaBinaryReader(body, r.Limits);
            switch (typeId)
            {
                case EncodingIds.DataChangeNotification:
                    {
                        var m = br.ReadArrayLength(2);
                        if (m > _items.Length)
                        {
                            _items = new MonitoredItemNotification[Math.Max(m, _items.Length * 2)];
                        }

                        for (var j = 0; j < m; j++)
                        {
                            var handle = br.ReadUInt32();
                            _items[j] = new MonitoredItemNotification(handle, br.ReadDataValue());
                        }

                        br.SkipDiagnosticInfos();
                        handler.OnDataChange(subscriptionId, sequence, publishTime, _items.AsSpan(0, Math.Max(m, 0)));
                        _items.AsSpan(0, Math.Max(m, 0)).Clear(); // drop references to strings/arrays
                        break;
                    }

                case EncodingIds.StatusChangeNotification:
                    handler.OnStatusChange(subscriptionId, br.ReadStatusCode());
                    break;
                default:
                    // Events and unknown notification types are skipped: their body was length-delimited.
                    break;
            }
        }

        return (sequence, true);
    }
}

public readonly record struct PublishResult(StatusCode ServiceResult, uint SubscriptionId, uint SequenceNumber, bool HasData, bool MoreNotifications);
