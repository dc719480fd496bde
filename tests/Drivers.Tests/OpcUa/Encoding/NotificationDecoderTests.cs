using CsCheck;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.Services;

namespace EdgeAgent.Drivers.OpcUa.Tests.Encoding;

public sealed class NotificationDecoderTests
{
    private sealed class Collect : INotificationHandler
    {
        public readonly List<(uint, DataValue)> Items = [];
        public uint Sequence;
        public int KeepAlives;

        public void OnDataChange(uint subscriptionId, uint sequenceNumber, DateTime publishTime, ReadOnlySpan<MonitoredItemNotification> items)
        {
            Sequence = sequenceNumber;
            foreach (var i in items)
            {
                Items.Add((i.ClientHandle, i.Value));
            }
        }

        public void OnKeepAlive(uint subscriptionId, uint nextSequenceNumber) => KeepAlives++;
    }

    internal static byte[] PublishResponse(IReadOnlyList<DataValue> values, uint sequence = 7, bool withEvent = false)
    {
        using var w = new UaBinaryWriter();
        w.WriteDateTime(DateTime.UtcNow);
        w.WriteUInt32(42);
        w.WriteUInt32(0);
        w.WriteByte(0);
        w.WriteInt32(-1);
        w.WriteExtensionObject(ExtensionObject.Null);
        w.WriteUInt32(1);
        w.WriteInt32(1);
        w.WriteUInt32(sequence);
        w.WriteBoolean(false);
        w.WriteUInt32(sequence);
        w.WriteDateTime(DateTime.UtcNow);
        w.WriteInt32(values.Count == 0 ? 0 : withEvent ? 2 : 1);
        if (withEvent)
        {
            w.WriteExtensionObject(new ExtensionObject(new NodeId(0, EncodingIds.EventNotificationList), ExtensionObjectEncoding.ByteString, [0, 0, 0, 0]));
        }

        if (values.Count > 0)
        {
            w.WriteExtensionObject(EncodingIds.DataChangeNotification, values, static (w, vs) =>
            {
                w.WriteInt32(vs.Count);
                for (var i = 0; i < vs.Count; i++)
                {
                    w.WriteUInt32((uint)i);
                    w.WriteDataValue(vs[i]);
                }

                w.WriteInt32(-1);
            });
        }

        w.WriteInt32(1);
        w.WriteUInt32(0);
        w.WriteInt32(-1);
        return w.ToArray();
    }

    [Fact]
    public void Decodes_a_data_change_and_skips_event_notifications()
    {
        var values = new[] { new DataValue(Variant.From(1.5)), new DataValue(Variant.From("x"), new StatusCode(StatusCode.UncertainLastUsableValue)) };
        var handler = new Collect();
        var r = new UaBinaryReader(PublishResponse(values, 9, withEvent: true));
        var result = new NotificationDecoder().DecodePublishResponse(ref r, handler);
        Assert.Equal((1u, 9u, true), (result.SubscriptionId, result.SequenceNumber, result.HasData));
        Assert.Equal(0, r.Remaining);
        Assert.Equal(2, handler.Items.Count);
        Assert.Equal(1.5, handler.Items[0].Item2.Value.ToDouble());
        Assert.Equal(Quality.Uncertain, handler.Items[1].Item2.StatusCode.ToQuality());
    }

    [Fact]
    public void A_message_without_notification_data_is_a_keep_alive()
    {
        var handler = new Collect();
        var r = new UaBinaryReader(PublishResponse([], 12));
        var result = new NotificationDecoder().DecodePublishResponse(ref r, handler);
        Assert.False(result.HasData);
        Assert.Equal(1, handler.KeepAlives);
    }

    [Fact]
    public void Mutated_publish_responses_never_crash_the_decoder()
    {
        var decoder = new NotificationDecoder();
        Gen.Select(Generators.DataValue.Array[1, 5], Gen.Int[0, 10_000], Gen.Byte[1, 255], Gen.Int[1, 3]).SampleWithDeadline(t =>
        {
            var (values, at, mask, flips) = t;
            var bytes = PublishResponse(values);
            for (var i = 0; i < flips; i++)
            {
                bytes[(at + (i * 13)) % bytes.Length] ^= mask;
            }

            var r = new UaBinaryReader(bytes, new UaDecodingLimits { MaxArrayLength = 10_000, MaxStringLength = 10_000 });
            try
            {
                decoder.DecodePublishResponse(ref r, new Collect());
            }
            catch (UaDecodingException)
            {
            }
        }, iter: 10_000);
    }
}
