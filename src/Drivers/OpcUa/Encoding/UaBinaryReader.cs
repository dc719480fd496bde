using System.Buffers.Binary;
using System.Text;

namespace EdgeAgent.Drivers.OpcUa.Encoding;

/// <summary>
/// Caps on what one decoded message may contain (Part 6 §5.2.2: "decoders shall check length fields against
/// their limits"). Every length is also checked against the bytes that remain, so a decoder never allocates
/// more than a small multiple of its input.
/// </summary>
public sealed record UaDecodingLimits
{
    public static readonly UaDecodingLimits Default = new();

    public int MaxStringLength { get; init; } = 1 << 20;
    public int MaxByteStringLength { get; init; } = 4 << 20;
    public int MaxArrayLength { get; init; } = 1 << 20;

    /// <summary>Nesting of Variant / DataValue / DiagnosticInfo / ExtensionObject inside each other.</summary>
    public int MaxNestingDepth { get; init; } = 32;
}

/// <summary>A message that does not follow the UA binary encoding: says what was expected, what was found and where.</summary>
public sealed class UaDecodingException : Exception
{
    public UaDecodingException(string message, int offset, uint statusCode = Encoding.StatusCode.BadDecodingError)
        : base($"{message} (at byte {offset})")
    {
        Offset = offset;
        StatusCode = statusCode;
    }

    /// <summary>Offset of the bad field in the decoded buffer.</summary>
    public int Offset { get; }

    /// <summary>BadDecodingError, or BadEncodingLimitsExceeded for a length over its cap.</summary>
    public uint StatusCode { get; }
}

/// <summary>
/// Reads the OPC UA binary encoding (Part 6 §5.2) from a span. UA binary is little-endian, so numbers are read with
/// <see cref="BinaryPrimitives"/> ReadXxxLittleEndian. Every read checks the remaining length first and throws
/// <see cref="UaDecodingException"/> naming the offset; nothing reads past the end or trusts a length field.
/// </summary>
public ref struct UaBinaryReader
{
    // 1601-01-01T00:00:00Z in .NET ticks: UA DateTime is 100 ns ticks since then (Part 6 §5.2.2.5).
    internal const long UaEpochTicks = 504911232000000000;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _depth;

    public UaBinaryReader(ReadOnlySpan<byte> buffer, UaDecodingLimits? limits = null)
    {
        _buffer = buffer;
        Position = 0;
        Limits = limits ?? UaDecodingLimits.Default;
        _depth = 0;
    }

    public int Position { get; private set; }
    public readonly int Remaining => _buffer.Length - Position;
    public readonly int Length => _buffer.Length;
    public UaDecodingLimits Limits { get; }

    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)Remaining)
        {
            throw new UaDecodingException($"expected {count} more bytes but only {Remaining} remain", Position);
        }

        var span = _buffer.Slice(Position, count);
        Position += count;
        return span;
    }

    public void Skip(int count) => Take(count);

    public ReadOnlySpan<byte> ReadRaw(int count) => Take(count);

    public bool ReadBoolean() => Take(1)[0] != 0;
    public sbyte ReadSByte() => (sbyte)Take(1)[0];
    public byte ReadByte() => Take(1)[0];
    public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));
    public StatusCode ReadStatusCode() => new(ReadUInt32());

    /// <summary>UA DateTime: 0 and values before 1601 are <see cref="DateTime.MinValue"/>, values past 9999 are MaxValue.</summary>
    public DateTime ReadDateTime()
    {
        var raw = ReadInt64();
        if (raw <= 0)
        {
            return DateTime.MinValue;
        }

        if (raw >= DateTime.MaxValue.Ticks - UaEpochTicks)
        {
            return DateTime.MaxValue;
        }

        return new DateTime(raw + UaEpochTicks, DateTimeKind.Utc);
    }

    /// <summary>Guid: Data1 UInt32, Data2 UInt16, Data3 UInt16 little-endian, Data4 8 bytes — the layout of <see cref="Guid(ReadOnlySpan{byte})"/>.</summary>
    public Guid ReadGuid() => new(Take(16));

    private int ReadLength(int max, string what)
    {
        var at = Position;
        var length = ReadInt32();
        if (length < -1)
        {
            throw new UaDecodingException($"{what} length {length} is negative", at);
        }

        if (length > max)
        {
            throw new UaDecodingException($"{what} length {length} exceeds the limit {max}", at, StatusCode.BadEncodingLimitsExceeded);
        }

        return length;
    }

    public string? ReadString()
    {
        var length = ReadLength(Limits.MaxStringLength, "String");
        if (length < 0)
        {
            return null;
        }

        var at = Position;
        var bytes = Take(length);
        try
        {
            return Utf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new UaDecodingException("String is not valid UTF-8", at);
        }
    }

    /// <summary>Skips a String without decoding it.</summary>
    public void ReadStringSpanSkip()
    {
        var length = ReadLength(Limits.MaxStringLength, "String");
        if (length > 0)
        {
            Take(length);
        }
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public byte[]? ReadByteString()
    {
        var length = ReadLength(Limits.MaxByteStringLength, "ByteString");
        return length < 0 ? null : Take(length).ToArray();
    }

    /// <summary>A ByteString as a slice of the input (no copy); empty with <paramref name="isNull"/> for a null one.</summary>
    public ReadOnlySpan<byte> ReadByteStringSpan(out bool isNull)
    {
        var length = ReadLength(Limits.MaxByteStringLength, "ByteString");
        isNull = length < 0;
        return length < 0 ? default : Take(length);
    }

    /// <summary>An array length: -1 is a null array; checked against the cap and the remaining bytes (each element takes ≥ 1).</summary>
    public int ReadArrayLength(int minElementSize = 1)
    {
        var at = Position;
        var length = ReadLength(Limits.MaxArrayLength, "Array");
        if (length > 0 && (long)length * minElementSize > Remaining)
        {
            throw new UaDecodingException($"Array of {length} elements needs at least {(long)length * minElementSize} bytes but only {Remaining} remain", at);
        }

        return length;
    }

    public NodeId ReadNodeId()
    {
        var at = Position;
        var encoding = ReadByte();
        if ((encoding & 0x3F) > 5)
        {
            throw new UaDecodingException($"NodeId encoding byte 0x{encoding:X2} is not one of 0-5", at);
        }

        if ((encoding & 0xC0) != 0)
        {
            throw new UaDecodingException($"NodeId encoding byte 0x{encoding:X2} has ExpandedNodeId flags", at);
        }

        return ReadNodeIdBody(encoding);
    }

    private NodeId ReadNodeIdBody(byte encoding)
    {
        switch (encoding & 0x3F)
        {
            case 0:
                return new NodeId(0, ReadByte());
            case 1:
                {
                    var ns = ReadByte();
                    return new NodeId(ns, ReadUInt16());
                }

            case 2:
                {
                    var ns = ReadUInt16();
                    return new NodeId(ns, ReadUInt32());
                }

            case 3:
                {
                    var ns = ReadUInt16();
                    var at = Position;
                    return new NodeId(ns, ReadString() ?? throw new UaDecodingException("String NodeId has a null identifier", at));
                }

            case 4:
                {
                    var ns = ReadUInt16();
                    return new NodeId(ns, ReadGuid());
                }

            default:
                {
                    var ns = ReadUInt16();
                    return new NodeId(ns, ReadByteString() ?? []);
                }
        }
    }

    public ExpandedNodeId ReadExpandedNodeId()
    {
        var at = Position;
        var encoding = ReadByte();
        if ((encoding & 0x3F) > 5)
        {
            throw new UaDecodingException($"ExpandedNodeId encoding byte 0x{encoding:X2} is not one of 0-5", at);
        }

        var node = ReadNodeIdBody(encoding);
        var uri = (encoding & 0x80) != 0 ? ReadString() : null;
        var server = (encoding & 0x40) != 0 ? ReadUInt32() : 0;
        return new ExpandedNodeId(node, uri, server);
    }

    public QualifiedName ReadQualifiedName()
    {
        var ns = ReadUInt16();
        return new QualifiedName(ns, ReadString());
    }

    public LocalizedText ReadLocalizedText()
    {
        var mask = ReadByte();
        var locale = (mask & 0x01) != 0 ? ReadString() : null;
        var text = (mask & 0x02) != 0 ? ReadString() : null;
        return new LocalizedText(locale, text);
    }

    private void Enter()
    {
        if (++_depth > Limits.MaxNestingDepth)
        {
            throw new UaDecodingException($"nesting deeper than {Limits.MaxNestingDepth}", Position, StatusCode.BadEncodingLimitsExceeded);
        }
    }

    private void Leave() => _depth--;

    public DiagnosticInfo? ReadDiagnosticInfo()
    {
        var mask = ReadByte();
        if (mask == 0)
        {
            return null;
        }

        Enter();
        try
        {
            int? symbolicId = (mask & 0x01) != 0 ? ReadInt32() : null;
            int? namespaceUri = (mask & 0x02) != 0 ? ReadInt32() : null;
            int? locale = (mask & 0x08) != 0 ? ReadInt32() : null;
            int? localizedText = (mask & 0x04) != 0 ? ReadInt32() : null;
            var additional = (mask & 0x10) != 0 ? ReadString() : null;
            StatusCode? inner = (mask & 0x20) != 0 ? ReadStatusCode() : null;
            var innerInfo = (mask & 0x40) != 0 ? ReadDiagnosticInfo() : null;
            return new DiagnosticInfo(symbolicId, namespaceUri, locale, localizedText, additional, inner, innerInfo);
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Skips a DiagnosticInfo array without allocating (responses carry one; we never use it).</summary>
    public void SkipDiagnosticInfos()
    {
        var count = ReadArrayLength();
        for (var i = 0; i < count; i++)
        {
            ReadDiagnosticInfo();
        }
    }

    /// <summary>An ExtensionObject with its body kept as bytes (capped); XML bodies are kept the same way.</summary>
    public ExtensionObject ReadExtensionObject()
    {
        var typeId = ReadNodeId();
        var at = Position;
        var encoding = ReadByte();
        switch (encoding)
        {
            case 0:
                return typeId.IsNull ? ExtensionObject.Null : new ExtensionObject(typeId, ExtensionObjectEncoding.None, null);
            case 1:
            case 2:
                return new ExtensionObject(typeId, (ExtensionObjectEncoding)encoding, ReadByteString());
            default:
                throw new UaDecodingException($"ExtensionObject encoding {encoding} is not 0, 1 or 2", at);
        }
    }

    /// <summary>
    /// Reads an ExtensionObject header and returns its body as a sub-reader's span (no copy); the caller decodes
    /// known types from it. <paramref name="typeId"/> is the numeric ns=0 encoding id, or 0 when it is not one.
    /// </summary>
    public ReadOnlySpan<byte> ReadExtensionObjectBody(out uint typeId)
    {
        typeId = ReadTypeIdWithoutAllocating();
        var at = Position;
        var encoding = ReadByte();
        if (encoding == 0)
        {
            return default;
        }

        if (encoding > 2)
        {
            throw new UaDecodingException($"ExtensionObject encoding {encoding} is not 0, 1 or 2", at);
        }

        if (encoding == 2)
        {
            typeId = 0;
        }

        return ReadByteStringSpan(out _);
    }

    /// <summary>A NodeId read only for its numeric ns=0 value (the encoding ids of structures): 0 for any other id.</summary>
    private uint ReadTypeIdWithoutAllocating()
    {
        var at = Position;
        var encoding = ReadByte();
        switch (encoding)
        {
            case 0:
                return ReadByte();
            case 1:
                {
                    var ns = ReadByte();
                    var id = ReadUInt16();
                    return ns == 0 ? id : 0u;
                }

            case 2:
                {
                    var ns = ReadUInt16();
                    var id = ReadUInt32();
                    return ns == 0 ? id : 0u;
                }

            default:
                Position = at;
                ReadNodeId();
                return 0;
        }
    }

    public DataValue ReadDataValue()
    {
        var mask = ReadByte();
        Enter();
        try
        {
            var value = (mask & 0x01) != 0 ? ReadVariant() : Variant.Null;
            var status = (mask & 0x02) != 0 ? ReadStatusCode() : StatusCode.Good;
            var source = (mask & 0x04) != 0 ? ReadDateTime() : default;
            var sourcePico = (mask & 0x10) != 0 ? ReadUInt16() : (ushort)0;
            var server = (mask & 0x08) != 0 ? ReadDateTime() : default;
            var serverPico = (mask & 0x20) != 0 ? ReadUInt16() : (ushort)0;
            return new DataValue(value, status, source, sourcePico, server, serverPico);
        }
        finally
        {
            Leave();
        }
    }

    public Variant ReadVariant()
    {
        var at = Position;
        var mask = ReadByte();
        var typeId = mask & 0x3F;
        if (typeId > (int)BuiltInType.DiagnosticInfo)
        {
            throw new UaDecodingException($"Variant type id {typeId} is not a built-in type (0-25)", at);
        }

        var type = (BuiltInType)typeId;
        Enter();
        try
        {
            if ((mask & 0x80) == 0)
            {
                if ((mask & 0x40) != 0)
                {
                    throw new UaDecodingException("Variant has array dimensions but is not an array", at);
                }

                return ReadScalar(type, at);
            }

            var array = ReadArray(type);
            int[]? dims = null;
            if ((mask & 0x40) != 0)
            {
                var dimAt = Position;
                var count = ReadArrayLength(4);
                if (count > 0)
                {
                    dims = new int[count];
                    long product = 1;
                    for (var i = 0; i < count; i++)
                    {
                        dims[i] = ReadInt32();
                        if (dims[i] < 0)
                        {
                            throw new UaDecodingException($"array dimension {dims[i]} is negative", dimAt);
                        }

                        product = Math.Min(product * dims[i], int.MaxValue);
                    }

                    if (product != (array?.Length ?? 0))
                    {
                        throw new UaDecodingException($"array dimensions give {product} elements but the array has {array?.Length ?? 0}", dimAt);
                    }
                }
            }

            return Variant.FromArray(type, array, dims);
        }
        finally
        {
            Leave();
        }
    }

    private Variant ReadScalar(BuiltInType type, int at) => type switch
    {
        BuiltInType.Null => Variant.Null,
        BuiltInType.Boolean => Variant.From(ReadBoolean()),
        BuiltInType.SByte => Variant.From(ReadSByte()),
        BuiltInType.Byte => Variant.From(ReadByte()),
        BuiltInType.Int16 => Variant.From(ReadInt16()),
        BuiltInType.UInt16 => Variant.From(ReadUInt16()),
        BuiltInType.Int32 => Variant.From(ReadInt32()),
        BuiltInType.UInt32 => Variant.From(ReadUInt32()),
        BuiltInType.Int64 => Variant.From(ReadInt64()),
        BuiltInType.UInt64 => Variant.From(ReadUInt64()),
        BuiltInType.Float => Variant.From(ReadFloat()),
        BuiltInType.Double => Variant.From(ReadDouble()),
        BuiltInType.String => ReadString() is { } s ? Variant.From(s) : Variant.Null,
        BuiltInType.DateTime => Variant.From(ReadDateTime()),
        BuiltInType.Guid => Variant.From(ReadGuid()),
        BuiltInType.ByteString => Variant.FromByteString(ReadByteString()),
        BuiltInType.XmlElement => ReadString() is { } x ? Variant.FromXml(x) : Variant.Null,
        BuiltInType.NodeId => Variant.From(ReadNodeId()),
        BuiltInType.ExpandedNodeId => Variant.From(ReadExpandedNodeId()),
        BuiltInType.StatusCode => Variant.From(ReadStatusCode()),
        BuiltInType.QualifiedName => Variant.From(ReadQualifiedName()),
        BuiltInType.LocalizedText => Variant.From(ReadLocalizedText()),
        BuiltInType.ExtensionObject => Variant.From(ReadExtensionObject()),
        BuiltInType.DataValue => Variant.From(ReadDataValue()),
        BuiltInType.Variant => throw new UaDecodingException("a Variant scalar cannot hold a Variant", at),
        BuiltInType.DiagnosticInfo => ReadDiagnosticInfo() is { } d ? Variant.From(d) : Variant.Null,
        _ => throw new UaDecodingException($"Variant type {type} unknown", at),
    };

    private static int MinSize(BuiltInType type) => type switch
    {
        BuiltInType.Int16 or BuiltInType.UInt16 => 2,
        BuiltInType.Int32 or BuiltInType.UInt32 or BuiltInType.Float or BuiltInType.StatusCode or BuiltInType.String
            or BuiltInType.ByteString or BuiltInType.XmlElement => 4,
        BuiltInType.Int64 or BuiltInType.UInt64 or BuiltInType.Double or BuiltInType.DateTime => 8,
        BuiltInType.Guid => 16,
        _ => 1,
    };

    private Array? ReadArray(BuiltInType type)
    {
        var n = ReadArrayLength(MinSize(type));
        if (n < 0)
        {
            return null;
        }

        switch (type)
        {
            case BuiltInType.Boolean: { var a = new bool[n]; for (var i = 0; i < n; i++) { a[i] = ReadBoolean(); } return a; }
            case BuiltInType.SByte: { var a = new sbyte[n]; for (var i = 0; i < n; i++) { a[i] = ReadSByte(); } return a; }
            case BuiltInType.Byte: return Take(n).ToArray();
            case BuiltInType.Int16: { var a = new short[n]; for (var i = 0; i < n; i++) { a[i] = ReadInt16(); } return a; }
            case BuiltInType.UInt16: { var a = new ushort[n]; for (var i = 0; i < n; i++) { a[i] = ReadUInt16(); } return a; }
            case BuiltInType.Int32: { var a = new int[n]; for (var i = 0; i < n; i++) { a[i] = ReadInt32(); } return a; }
            case BuiltInType.UInt32: { var a = new uint[n]; for (var i = 0; i < n; i++) { a[i] = ReadUInt32(); } return a; }
            case BuiltInType.Int64: { var a = new long[n]; for (var i = 0; i < n; i++) { a[i] = ReadInt64(); } return a; }
            case BuiltInType.UInt64: { var a = new ulong[n]; for (var i = 0; i < n; i++) { a[i] = ReadUInt64(); } return a; }
            case BuiltInType.Float: { var a = new float[n]; for (var i = 0; i < n; i++) { a[i] = ReadFloat(); } return a; }
            case BuiltInType.Double: { var a = new double[n]; for (var i = 0; i < n; i++) { a[i] = ReadDouble(); } return a; }
            case BuiltInType.String:
            case BuiltInType.XmlElement: { var a = new string?[n]; for (var i = 0; i < n; i++) { a[i] = ReadString(); } return a; }
            case BuiltInType.DateTime: { var a = new DateTime[n]; for (var i = 0; i < n; i++) { a[i] = ReadDateTime(); } return a; }
            case BuiltInType.Guid: { var a = new Guid[n]; for (var i = 0; i < n; i++) { a[i] = ReadGuid(); } return a; }
            case BuiltInType.ByteString: { var a = new byte[]?[n]; for (var i = 0; i < n; i++) { a[i] = ReadByteString(); } return a; }
            case BuiltInType.NodeId: { var a = new NodeId[n]; for (var i = 0; i < n; i++) { a[i] = ReadNodeId(); } return a; }
            case BuiltInType.ExpandedNodeId: { var a = new ExpandedNodeId[n]; for (var i = 0; i < n; i++) { a[i] = ReadExpandedNodeId(); } return a; }
            case BuiltInType.StatusCode: { var a = new StatusCode[n]; for (var i = 0; i < n; i++) { a[i] = ReadStatusCode(); } return a; }
            case BuiltInType.QualifiedName: { var a = new QualifiedName[n]; for (var i = 0; i < n; i++) { a[i] = ReadQualifiedName(); } return a; }
            case BuiltInType.LocalizedText: { var a = new LocalizedText[n]; for (var i = 0; i < n; i++) { a[i] = ReadLocalizedText(); } return a; }
            case BuiltInType.ExtensionObject: { var a = new ExtensionObject[n]; for (var i = 0; i < n; i++) { a[i] = ReadExtensionObject(); } return a; }
            case BuiltInType.DataValue: { var a = new DataValue[n]; for (var i = 0; i < n; i++) { a[i] = ReadDataValue(); } return a; }
            case BuiltInType.Variant: { var a = new Variant[n]; for (var i = 0; i < n; i++) { a[i] = ReadVariant(); } return a; }
            case BuiltInType.DiagnosticInfo: { var a = new DiagnosticInfo?[n]; for (var i = 0; i < n; i++) { a[i] = ReadDiagnosticInfo(); } return a; }
            default: throw new UaDecodingException("an array of Null is not allowed", Position);
        }
    }

    public string?[]? ReadStringArray()
    {
        var n = ReadArrayLength(4);
        if (n < 0)
        {
            return null;
        }

        var a = new string?[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = ReadString();
        }

        return a;
    }

    public StatusCode[] ReadStatusCodeArray()
    {
        var n = ReadArrayLength(4);
        if (n <= 0)
        {
            return [];
        }

        var a = new StatusCode[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = ReadStatusCode();
        }

        return a;
    }
}
