using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;

namespace EdgeAgent.Drivers.OpcUa.Services;

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
