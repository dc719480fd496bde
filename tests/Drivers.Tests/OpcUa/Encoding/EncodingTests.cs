using CsCheck;
using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.Tests.Encoding;

public sealed class EncodingTests
{
    private static byte[] Encode(Variant v)
    {
        using var w = new UaBinaryWriter(64);
        w.WriteVariant(v);
        return w.ToArray();
    }

    private static byte[] Encode(DataValue v)
    {
        using var w = new UaBinaryWriter(64);
        w.WriteDataValue(v);
        return w.ToArray();
    }

    [Fact]
    public void Every_variant_round_trips_byte_for_byte()
    {
        Generators.Any.Sample(v =>
        {
            var bytes = Encode(v);
            var r = new UaBinaryReader(bytes);
            var back = r.ReadVariant();
            Assert.Equal(bytes.Length, r.Position);
            Assert.Equal(bytes, Encode(back));
            Assert.Equal(v.Type, back.Type);
            Assert.Equal(v.IsArray, back.IsArray);
            if (v.IsNumeric)
            {
                Assert.Equal(v.ToDouble(), back.ToDouble());
            }
        });
    }

    [Fact]
    public void Every_data_value_round_trips_byte_for_byte()
    {
        Generators.DataValue.Sample(v =>
        {
            var bytes = Encode(v);
            var r = new UaBinaryReader(bytes);
            var back = r.ReadDataValue();
            Assert.Equal(bytes, Encode(back));
            Assert.Equal(v.StatusCode, back.StatusCode);
            Assert.Equal(v.SourceTimestamp, back.SourceTimestamp);
        });
    }

    [Fact]
    public void Node_ids_round_trip_in_binary_and_text()
    {
        Generators.ExpandedNodeId.Sample(id =>
        {
            using var w = new UaBinaryWriter();
            w.WriteExpandedNodeId(id);
            var r = new UaBinaryReader(w.WrittenSpan);
            Assert.Equal(id, r.ReadExpandedNodeId());
            if (id.NodeId.IdType != IdType.String || !id.NodeId.StringId!.Contains(';'))
            {
                Assert.Equal(id.NodeId, NodeId.Parse(id.NodeId.ToString()));
            }
        });
    }

    [Theory]
    [InlineData("i=85", 0, "i=85")]
    [InlineData("ns=2;s=Line7.Cell3.Bore", 2, "ns=2;s=Line7.Cell3.Bore")]
    [InlineData("ns=1;i=1001", 1, "ns=1;i=1001")]
    [InlineData("ns=3;g=09087e75-8e5e-499b-954f-f2a9603db28a", 3, "ns=3;g=09087e75-8e5e-499b-954f-f2a9603db28a")]
    [InlineData("ns=4;b=AQID", 4, "ns=4;b=AQID")]
    [InlineData("s=with;semicolon", 0, "s=with;semicolon")]
    public void Parses_the_node_id_string_syntax(string text, ushort ns, string canonical)
    {
        var id = NodeId.Parse(text);
        Assert.Equal(ns, id.NamespaceIndex);
        Assert.Equal(canonical, id.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("ns=x;i=1", "ns=<0-65535>")]
    [InlineData("ns=2;i=-1", "unsigned 32-bit")]
    [InlineData("ns=2;q=1", "unknown identifier type 'q'")]
    [InlineData("ns=2;g=nope", "GUID")]
    [InlineData("Bore", "expected i=, s=, g= or b=")]
    public void Rejects_bad_node_ids_saying_what_is_expected(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => NodeId.Parse(text));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Resolves_nsu_through_the_namespace_array()
    {
        var id = ExpandedNodeId.Parse("nsu=urn:edgeagent:test;s=Demo.Double");
        Assert.Equal("urn:edgeagent:test", id.NamespaceUri);
        var local = id.Resolve(["http://opcfoundation.org/UA/", "urn:server", "urn:edgeagent:test"]);
        Assert.Equal(new NodeId(2, "Demo.Double"), local);
        Assert.Equal("nsu=urn:edgeagent:test;s=Demo.Double", id.ToString());
        var e = Assert.Throws<FormatException>(() => id.Resolve(["http://opcfoundation.org/UA/"]));
        Assert.Contains("not in the server's namespace array", e.Message);
    }

    [Fact]
    public void Numeric_node_ids_use_the_smallest_encoding()
    {
        Assert.Equal(new byte[] { 0x00, 0x55 }, EncodeNodeId(new NodeId(0, 85)));
        Assert.Equal(new byte[] { 0x01, 0x02, 0xE9, 0x03 }, EncodeNodeId(new NodeId(2, 1001)));
        Assert.Equal(new byte[] { 0x02, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00 }, EncodeNodeId(new NodeId(256, 65536)));

        static byte[] EncodeNodeId(NodeId id)
        {
            using var w = new UaBinaryWriter();
            w.WriteNodeId(id);
            return w.ToArray();
        }
    }

    [Fact]
    public void Rejects_a_string_length_over_the_cap_before_allocating()
    {
        var bytes = new byte[] { 0x0C, 0xFF, 0xFF, 0xFF, 0x7F };
        var e = Assert.Throws<UaDecodingException>(() => new UaBinaryReader(bytes).ReadVariant());
        Assert.Equal(StatusCode.BadEncodingLimitsExceeded, e.StatusCode);
        Assert.Equal(1, e.Offset);
    }

    [Fact]
    public void Rejects_an_array_longer_than_its_bytes()
    {
        var bytes = new byte[] { 0x8B, 0x00, 0x00, 0x01, 0x00, 1, 2, 3 };
        var e = Assert.Throws<UaDecodingException>(() => new UaBinaryReader(bytes).ReadVariant());
        Assert.Contains("65536 elements", e.Message);
    }

    [Fact]
    public void Rejects_nesting_deeper_than_the_limit()
    {
        // A Variant array of one Variant array of one … 100 deep.
        var bytes = new List<byte>();
        for (var i = 0; i < 100; i++)
        {
            bytes.AddRange([0x98, 1, 0, 0, 0]);
        }

        var e = Assert.Throws<UaDecodingException>(() => new UaBinaryReader(bytes.ToArray()).ReadVariant());
        Assert.Equal(StatusCode.BadEncodingLimitsExceeded, e.StatusCode);
    }

    [Fact]
    public void Unknown_extension_object_bodies_are_kept_as_bytes()
    {
        var eo = new ExtensionObject(new NodeId(7, "MyStruct"), ExtensionObjectEncoding.ByteString, [1, 2, 3, 4]);
        using var w = new UaBinaryWriter();
        w.WriteVariant(Variant.From(eo));
        w.WriteVariant(Variant.From(42));
        var r = new UaBinaryReader(w.WrittenSpan);
        var back = (ExtensionObject)r.ReadVariant().Value!;
        Assert.Equal(eo.TypeId, back.TypeId);
        Assert.Equal(eo.Body, back.Body);
        Assert.Equal(42, r.ReadVariant().Value);
    }

    [Fact]
    public void Date_times_map_zero_and_max_to_the_spec_limits()
    {
        using var w = new UaBinaryWriter();
        w.WriteInt64(0);
        w.WriteInt64(long.MaxValue);
        w.WriteDateTime(new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc));
        var r = new UaBinaryReader(w.WrittenSpan);
        Assert.Equal(DateTime.MinValue, r.ReadDateTime());
        Assert.Equal(DateTime.MaxValue, r.ReadDateTime());
        Assert.Equal(new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc), r.ReadDateTime());
    }

    [Fact]
    public void Random_bytes_never_crash_the_decoder()
    {
        Gen.Byte.Array[0, 200].SampleWithDeadline(bytes =>
        {
            DecodeAll(bytes);
        }, iter: 20_000);
    }

    [Fact]
    public void Mutated_valid_values_never_crash_the_decoder()
    {
        Gen.Select(Generators.DataValue, Gen.Int[0, 1000], Gen.Byte, Gen.Int[1, 4]).SampleWithDeadline(t =>
        {
            var (value, at, b, flips) = t;
            var bytes = Encode(value);
            if (bytes.Length == 0)
            {
                return;
            }

            for (var i = 0; i < flips; i++)
            {
                bytes[(at + (i * 7)) % bytes.Length] ^= b == 0 ? (byte)0xFF : b;
            }

            DecodeAll(bytes);
        }, iter: 20_000);
    }

    /// <summary>Every entry point either decodes or throws <see cref="UaDecodingException"/>; nothing else escapes.</summary>
    internal static void DecodeAll(byte[] bytes)
    {
        Try(bytes, (ref UaBinaryReader r) => r.ReadVariant());
        Try(bytes, (ref UaBinaryReader r) => r.ReadDataValue());
        Try(bytes, (ref UaBinaryReader r) => r.ReadDiagnosticInfo());
        Try(bytes, (ref UaBinaryReader r) => r.ReadExpandedNodeId());
        Try(bytes, (ref UaBinaryReader r) => r.ReadExtensionObject());
        Try(bytes, (ref UaBinaryReader r) => r.ReadLocalizedText());
    }

    private delegate object? Decode(ref UaBinaryReader r);

    private static void Try(byte[] bytes, Decode decode)
    {
        var r = new UaBinaryReader(bytes, new UaDecodingLimits { MaxArrayLength = 10_000, MaxStringLength = 10_000 });
        try
        {
            decode(ref r);
        }
        catch (UaDecodingException)
        {
        }
    }
}
