using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace EdgeAgent.Drivers.OpcUa.Encoding;

/// <summary>
/// Writes the OPC UA binary encoding (Part 6 §5.2, little-endian) into a growable buffer rented from
/// <see cref="ArrayPool{T}.Shared"/> and returned on <see cref="Dispose"/>. Reusable: <see cref="Reset"/> keeps the buffer.
/// </summary>
public sealed class UaBinaryWriter : IDisposable
{
    private byte[] _buffer;

    public UaBinaryWriter(int initialCapacity = 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    public int Position { get; set; }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, Position);
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Position);

    /// <summary>The underlying buffer (valid until the next write that grows it).</summary>
    internal byte[] Buffer => _buffer;

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Reset() => Position = 0;

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Span<byte> GetSpan(int size)
    {
        if (Position + size > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Position + size));
            _buffer.AsSpan(0, Position).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        return _buffer.AsSpan(Position, size);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Position += bytes.Length;
    }

    public void WriteBoolean(bool v) => WriteByte(v ? (byte)1 : (byte)0);
    public void WriteSByte(sbyte v) => WriteByte((byte)v);

    public void WriteByte(byte v)
    {
        GetSpan(1)[0] = v;
        Position++;
    }

    public void WriteInt16(short v) { BinaryPrimitives.WriteInt16LittleEndian(GetSpan(2), v); Position += 2; }
    public void WriteUInt16(ushort v) { BinaryPrimitives.WriteUInt16LittleEndian(GetSpan(2), v); Position += 2; }
    public void WriteInt32(int v) { BinaryPrimitives.WriteInt32LittleEndian(GetSpan(4), v); Position += 4; }
    public void WriteUInt32(uint v) { BinaryPrimitives.WriteUInt32LittleEndian(GetSpan(4), v); Position += 4; }
    public void WriteInt64(long v) { BinaryPrimitives.WriteInt64LittleEndian(GetSpan(8), v); Position += 8; }
    public void WriteUInt64(ulong v) { BinaryPrimitives.WriteUInt64LittleEndian(GetSpan(8), v); Position += 8; }
    public void WriteFloat(float v) { BinaryPrimitives.WriteSingleLittleEndian(GetSpan(4), v); Position += 4; }
    public void WriteDouble(double v) { BinaryPrimitives.WriteDoubleLittleEndian(GetSpan(8), v); Position += 8; }
    public void WriteStatusCode(StatusCode v) => WriteUInt32(v.Code);

    /// <summary>Patches a UInt32 written earlier (message sizes, chunk headers).</summary>
    public void PatchUInt32(int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(at, 4), v);

    public void WriteDateTime(DateTime v)
    {
        if (v == DateTime.MinValue)
        {
            WriteInt64(0);
        }
        else if (v == DateTime.MaxValue)
        {
            WriteInt64(long.MaxValue);
        }
        else
        {
            var utc = v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : v;
            WriteInt64(Math.Max(0, utc.Ticks - UaBinaryReader.UaEpochTicks));
        }
    }

    public void WriteGuid(Guid v)
    {
        v.TryWriteBytes(GetSpan(16));
        Position += 16;
    }

    public void WriteString(string? v)
    {
        if (v is null)
        {
            WriteInt32(-1);
            return;
        }

        var max = System.Text.Encoding.UTF8.GetMaxByteCount(v.Length);
        var start = Position;
        var span = GetSpan(4 + max);
        var n = System.Text.Encoding.UTF8.GetBytes(v, span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, n);
        Position = start + 4 + n;
    }

    public void WriteByteString(ReadOnlySpan<byte> v)
    {
        WriteInt32(v.Length);
        WriteRaw(v);
    }

    public void WriteByteString(byte[]? v)
    {
        if (v is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteByteString(v.AsSpan());
    }

    public void WriteNodeId(NodeId id) => WriteNodeId(id, 0);

    private void WriteNodeId(NodeId id, byte flags)
    {
        switch (id.IdType)
        {
            case IdType.Numeric when id.NamespaceIndex == 0 && id.Numeric <= byte.MaxValue:
                WriteByte((byte)(0 | flags));
                WriteByte((byte)id.Numeric);
                break;
            case IdType.Numeric when id.NamespaceIndex <= byte.MaxValue && id.Numeric <= ushort.MaxValue:
                WriteByte((byte)(1 | flags));
                WriteByte((byte)id.NamespaceIndex);
                WriteUInt16((ushort)id.Numeric);
                break;
            case IdType.Numeric:
                WriteByte((byte)(2 | flags));
                WriteUInt16(id.NamespaceIndex);
                WriteUInt32(id.Numeric);
                break;
            case IdType.String:
                WriteByte((byte)(3 | flags));
                WriteUInt16(id.NamespaceIndex);
                WriteString(id.StringId);
                break;
            case IdType.Guid:
                WriteByte((byte)(4 | flags));
                WriteUInt16(id.NamespaceIndex);
                WriteGuid(id.GuidId);
                break;
            default:
                WriteByte((byte)(5 | flags));
                WriteUInt16(id.NamespaceIndex);
                WriteByteString(id.OpaqueId);
                break;
        }
    }

    public void WriteExpandedNodeId(ExpandedNodeId id)
    {
        byte flags = 0;
        if (id.NamespaceUri is not null)
        {
            flags |= 0x80;
        }

        if (id.ServerIndex != 0)
        {
            flags |= 0x40;
        }

        WriteNodeId(id.NodeId, flags);
        if (id.NamespaceUri is not null)
        {
            WriteString(id.NamespaceUri);
        }

        if (id.ServerIndex != 0)
        {
            WriteUInt32(id.ServerIndex);
        }
    }

    public void WriteQualifiedName(QualifiedName v)
    {
        WriteUInt16(v.NamespaceIndex);
        WriteString(v.Name);
    }

    public void WriteLocalizedText(LocalizedText v)
    {
        byte mask = 0;
        if (v.Locale is not null)
        {
            mask |= 0x01;
        }

        if (v.Text is not null)
        {
            mask |= 0x02;
        }

        WriteByte(mask);
        if (v.Locale is not null)
        {
            WriteString(v.Locale);
        }

        if (v.Text is not null)
        {
            WriteString(v.Text);
        }
    }

    public void WriteDiagnosticInfo(DiagnosticInfo? v)
    {
        if (v is null)
        {
            WriteByte(0);
            return;
        }

        byte mask = 0;
        if (v.SymbolicId.HasValue) { mask |= 0x01; }
        if (v.NamespaceUri.HasValue) { mask |= 0x02; }
        if (v.LocalizedText.HasValue) { mask |= 0x04; }
        if (v.Locale.HasValue) { mask |= 0x08; }
        if (v.AdditionalInfo is not null) { mask |= 0x10; }
        if (v.InnerStatusCode.HasValue) { mask |= 0x20; }
        if (v.InnerDiagnosticInfo is not null) { mask |= 0x40; }
        WriteByte(mask);
        if (v.SymbolicId is { } s) { WriteInt32(s); }
        if (v.NamespaceUri is { } n) { WriteInt32(n); }
        if (v.Locale is { } l) { WriteInt32(l); }
        if (v.LocalizedText is { } t) { WriteInt32(t); }
        if (v.AdditionalInfo is not null) { WriteString(v.AdditionalInfo); }
        if (v.InnerStatusCode is { } c) { WriteStatusCode(c); }
        if (v.InnerDiagnosticInfo is not null) { WriteDiagnosticInfo(v.InnerDiagnosticInfo); }
    }

    public void WriteExtensionObject(ExtensionObject? v)
    {
        v ??= ExtensionObject.Null;
        WriteNodeId(v.TypeId);
        if (v.Encoding == ExtensionObjectEncoding.None || v.Body is null)
        {
            WriteByte(0);
            return;
        }

        WriteByte((byte)v.Encoding);
        WriteByteString(v.Body);
    }

    /// <summary>
    /// Writes an ExtensionObject whose body is encoded by <paramref name="body"/> in place: type id, encoding 1,
    /// then a length patched after the body is written (no intermediate buffer).
    /// </summary>
    public void WriteExtensionObject<TState>(uint binaryEncodingId, TState state, Action<UaBinaryWriter, TState> body)
    {
        WriteNodeId(new NodeId(0, binaryEncodingId));
        WriteByte(1);
        var lengthAt = Position;
        WriteInt32(0);
        body(this, state);
        PatchUInt32(lengthAt, (uint)(Position - lengthAt - 4));
    }

    public void WriteDataValue(DataValue v)
    {
        byte mask = 0;
        if (!v.Value.IsNull) { mask |= 0x01; }
        if (v.StatusCode.Code != 0) { mask |= 0x02; }
        if (v.SourceTimestamp != default) { mask |= 0x04; }
        if (v.ServerTimestamp != default) { mask |= 0x08; }
        if (v.SourcePicoseconds != 0) { mask |= 0x10; }
        if (v.ServerPicoseconds != 0) { mask |= 0x20; }
        WriteByte(mask);
        if ((mask & 0x01) != 0) { WriteVariant(v.Value); }
        if ((mask & 0x02) != 0) { WriteStatusCode(v.StatusCode); }
        if ((mask & 0x04) != 0) { WriteDateTime(v.SourceTimestamp); }
        if ((mask & 0x10) != 0) { WriteUInt16(v.SourcePicoseconds); }
        if ((mask & 0x08) != 0) { WriteDateTime(v.ServerTimestamp); }
        if ((mask & 0x20) != 0) { WriteUInt16(v.ServerPicoseconds); }
    }

    public void WriteVariant(Variant v)
    {
        var mask = (byte)v.Type;
        if (v.IsArray)
        {
            mask |= 0x80;
            if (v.ArrayDimensions is not null)
            {
                mask |= 0x40;
            }
        }

        WriteByte(mask);
        if (!v.IsArray)
        {
            WriteScalar(v);
            return;
        }

        WriteArray(v.Type, v.Reference as Array);
        if (v.ArrayDimensions is { } dims)
        {
            WriteInt32(dims.Length);
            foreach (var d in dims)
            {
                WriteInt32(d);
            }
        }
    }

    private void WriteScalar(Variant v)
    {
        switch (v.Type)
        {
            case BuiltInType.Null: break;
            case BuiltInType.Boolean: WriteBoolean(v.Bits != 0); break;
            case BuiltInType.SByte: WriteSByte((sbyte)v.Bits); break;
            case BuiltInType.Byte: WriteByte((byte)v.Bits); break;
            case BuiltInType.Int16: WriteInt16((short)v.Bits); break;
            case BuiltInType.UInt16: WriteUInt16((ushort)v.Bits); break;
            case BuiltInType.Int32: WriteInt32((int)v.Bits); break;
            case BuiltInType.UInt32: WriteUInt32((uint)v.Bits); break;
            case BuiltInType.Int64: WriteInt64(v.Bits); break;
            case BuiltInType.UInt64: WriteUInt64(unchecked((ulong)v.Bits)); break;
            case BuiltInType.Float: WriteInt32((int)v.Bits); break;
            case BuiltInType.Double: WriteInt64(v.Bits); break;
            case BuiltInType.String:
            case BuiltInType.XmlElement: WriteString((string?)v.Reference); break;
            case BuiltInType.DateTime: WriteDateTime(new DateTime(v.Bits, DateTimeKind.Utc)); break;
            case BuiltInType.Guid: WriteGuid((Guid)v.Reference!); break;
            case BuiltInType.ByteString: WriteByteString((byte[]?)v.Reference); break;
            case BuiltInType.NodeId: WriteNodeId((NodeId)v.Reference!); break;
            case BuiltInType.ExpandedNodeId: WriteExpandedNodeId((ExpandedNodeId)v.Reference!); break;
            case BuiltInType.StatusCode: WriteUInt32((uint)v.Bits); break;
            case BuiltInType.QualifiedName: WriteQualifiedName((QualifiedName)v.Reference!); break;
            case BuiltInType.LocalizedText: WriteLocalizedText((LocalizedText)v.Reference!); break;
            case BuiltInType.ExtensionObject: WriteExtensionObject((ExtensionObject?)v.Reference); break;
            case BuiltInType.DataValue: WriteDataValue((DataValue)v.Reference!); break;
            case BuiltInType.DiagnosticInfo: WriteDiagnosticInfo((DiagnosticInfo?)v.Reference); break;
            default: throw new ArgumentException($"a Variant scalar cannot hold {v.Type}");
        }
    }

    private void WriteArray(BuiltInType type, Array? array)
    {
        if (array is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteInt32(array.Length);
        switch (array)
        {
            case bool[] a: foreach (var x in a) { WriteBoolean(x); } break;
            case sbyte[] a: foreach (var x in a) { WriteSByte(x); } break;
            case byte[] a: WriteRaw(a); break;
            case short[] a: foreach (var x in a) { WriteInt16(x); } break;
            case ushort[] a: foreach (var x in a) { WriteUInt16(x); } break;
            case int[] a: foreach (var x in a) { WriteInt32(x); } break;
            case uint[] a: foreach (var x in a) { WriteUInt32(x); } break;
            case long[] a: foreach (var x in a) { WriteInt64(x); } break;
            case ulong[] a: foreach (var x in a) { WriteUInt64(x); } break;
            case float[] a: foreach (var x in a) { WriteFloat(x); } break;
            case double[] a: foreach (var x in a) { WriteDouble(x); } break;
            case string?[] a: foreach (var x in a) { WriteString(x); } break;
            case DateTime[] a: foreach (var x in a) { WriteDateTime(x); } break;
            case Guid[] a: foreach (var x in a) { WriteGuid(x); } break;
            case byte[]?[] a: foreach (var x in a) { WriteByteString(x); } break;
            case NodeId[] a: foreach (var x in a) { WriteNodeId(x); } break;
            case ExpandedNodeId[] a: foreach (var x in a) { WriteExpandedNodeId(x); } break;
            case StatusCode[] a: foreach (var x in a) { WriteStatusCode(x); } break;
            case QualifiedName[] a: foreach (var x in a) { WriteQualifiedName(x); } break;
            case LocalizedText[] a: foreach (var x in a) { WriteLocalizedText(x); } break;
            case ExtensionObject[] a: foreach (var x in a) { WriteExtensionObject(x); } break;
            case DataValue[] a: foreach (var x in a) { WriteDataValue(x); } break;
            case Variant[] a: foreach (var x in a) { WriteVariant(x); } break;
            case DiagnosticInfo?[] a: foreach (var x in a) { WriteDiagnosticInfo(x); } break;
            default: throw new ArgumentException($"cannot encode an array of {type} held as {array.GetType().Name}");
        }
    }

    public void WriteStringArray(IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteInt32(values.Count);
        foreach (var v in values)
        {
            WriteString(v);
        }
    }
}
