using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using EdgeAgent.Drivers;
using EdgeAgent.Drivers.OpcUa;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.Services;

// dotnet run -c Release --project bench/OpcUa.Benchmarks -- --filter '*NotificationDecode*' --job short
BenchmarkSwitcher.FromAssembly(typeof(NotificationDecodeBenchmarks).Assembly).Run(args);

/// <summary>
/// Decoding one PublishResponse carrying a DataChangeNotification of <see cref="Values"/> Double values into samples,
/// as the source's publish loop does it. The goal: 0 bytes allocated per value (and per message).
/// </summary>
[MemoryDiagnoser]
public class NotificationDecodeBenchmarks
{
    private byte[] _message = [];
    private readonly NotificationDecoder _decoder = new();
    private SampleSink _sink = null!;

    [Params(1, 100, 1000)]
    public int Values { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _message = Messages.PublishResponse(Values);
        _sink = new SampleSink(Values);
    }

    [Benchmark]
    public int DecodePublishResponse()
    {
        var r = new UaBinaryReader(_message);
        _decoder.DecodePublishResponse(ref r, _sink);
        return _sink.Count;
    }

    /// <summary>Turns notifications into samples in a reused buffer, like OpcUaSource's handler.</summary>
    private sealed class SampleSink(int capacity) : INotificationHandler
    {
        private readonly Sample[] _samples = new Sample[capacity];
        public int Count;

        public void OnDataChange(uint subscriptionId, uint sequenceNumber, DateTime publishTime, ReadOnlySpan<MonitoredItemNotification> items)
        {
            var now = DateTime.UtcNow.Ticks;
            for (var i = 0; i < items.Length; i++)
            {
                _samples[i] = OpcUaSource.ToSample((int)items[i].ClientHandle, items[i].Value, now);
            }

            Count = items.Length;
        }
    }
}

internal static class Messages
{
    /// <summary>A PublishResponse body (after its encoding id) as a server sends it: source+server timestamps per value.</summary>
    public static byte[] PublishResponse(int values)
    {
        using var w = new UaBinaryWriter(64 + (values * 40));
        // ResponseHeader
        w.WriteDateTime(DateTime.UtcNow);
        w.WriteUInt32(42);
        w.WriteUInt32(0);
        w.WriteByte(0);
        w.WriteInt32(-1);
        w.WriteExtensionObject(ExtensionObject.Null);
        w.WriteUInt32(1); // SubscriptionId
        w.WriteInt32(1); // AvailableSequenceNumbers
        w.WriteUInt32(7);
        w.WriteBoolean(false);
        // NotificationMessage
        w.WriteUInt32(7);
        w.WriteDateTime(DateTime.UtcNow);
        w.WriteInt32(1);
        w.WriteExtensionObject(EncodingIds.DataChangeNotification, values, static (w, n) =>
        {
            w.WriteInt32(n);
            var t = DateTime.UtcNow;
            for (var i = 0; i < n; i++)
            {
                w.WriteUInt32((uint)i);
                w.WriteDataValue(new DataValue(Variant.From(i * 1.5), default, t, 0, t, 0));
            }

            w.WriteInt32(-1);
        });
        w.WriteInt32(0); // Results
        w.WriteInt32(-1); // DiagnosticInfos
        return w.ToArray();
    }
}
