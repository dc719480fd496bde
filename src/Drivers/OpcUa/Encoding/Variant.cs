using System.Globalization;

namespace EdgeAgent.Drivers.OpcUa.Encoding;

/// <summary>
/// A value of any built-in type, scalar or array (Part 6 §5.2.2.16). Numeric scalars are held in a 64-bit field so
/// that decoding a Double notification does not box; strings, structures and arrays (typed .NET arrays:
/// <c>double[]</c>, <c>string?[]</c>, <c>NodeId[]</c>, …) are held by reference. <see cref="Value"/> boxes on demand.
/// </summary>
public readonly struct Variant
{
    private readonly long _bits;
    private readonly object? _ref;

    private Variant(BuiltInType type, long bits, object? reference, bool isArray, int[]? dimensions)
    {
        Type = type;
        _bits = bits;
        _ref = reference;
        IsArray = isArray;
        ArrayDimensions = dimensions;
    }

    public static readonly Variant Null;

    public BuiltInType Type { get; }
    public bool IsArray { get; }

    /// <summary>Dimensions of a multi-dimensional array (the values are then flattened, last index fastest).</summary>
    public int[]? ArrayDimensions { get; }

    public bool IsNull => Type == BuiltInType.Null;

    public static Variant From(bool v) => new(BuiltInType.Boolean, v ? 1 : 0, null, false, null);
    public static Variant From(sbyte v) => new(BuiltInType.SByte, v, null, false, null);
    public static Variant From(byte v) => new(BuiltInType.Byte, v, null, false, null);
    public static Variant From(short v) => new(BuiltInType.Int16, v, null, false, null);
    public static Variant From(ushort v) => new(BuiltInType.UInt16, v, null, false, null);
    public static Variant From(int v) => new(BuiltInType.Int32, v, null, false, null);
    public static Variant From(uint v) => new(BuiltInType.UInt32, v, null, false, null);
    public static Variant From(long v) => new(BuiltInType.Int64, v, null, false, null);
    public static Variant From(ulong v) => new(BuiltInType.UInt64, unchecked((long)v), null, false, null);
    public static Variant From(float v) => new(BuiltInType.Float, BitConverter.SingleToInt32Bits(v), null, false, null);
    public static Variant From(double v) => new(BuiltInType.Double, BitConverter.DoubleToInt64Bits(v), null, false, null);
    public static Variant From(DateTime v) => new(BuiltInType.DateTime, v.Ticks, null, false, null);
    public static Variant From(StatusCode v) => new(BuiltInType.StatusCode, v.Code, null, false, null);
    public static Variant From(string? v) => v is null ? Null : new(BuiltInType.String, 0, v, false, null);
    public static Variant FromXml(string v) => new(BuiltInType.XmlElement, 0, v, false, null);
    public static Variant From(Guid v) => new(BuiltInType.Guid, 0, v, false, null);
    public static Variant FromByteString(byte[]? v) => new(BuiltInType.ByteString, 0, v, false, null);
    public static Variant From(NodeId v) => new(BuiltInType.NodeId, 0, v, false, null);
    public static Variant From(ExpandedNodeId v) => new(BuiltInType.ExpandedNodeId, 0, v, false, null);
    public static Variant From(QualifiedName v) => new(BuiltInType.QualifiedName, 0, v, false, null);
    public static Variant From(LocalizedText v) => new(BuiltInType.LocalizedText, 0, v, false, null);
    public static Variant From(ExtensionObject v) => new(BuiltInType.ExtensionObject, 0, v, false, null);
    public static Variant From(DataValue v) => new(BuiltInType.DataValue, 0, v, false, null);
    public static Variant From(DiagnosticInfo v) => new(BuiltInType.DiagnosticInfo, 0, v, false, null);

    /// <summary>
    /// An array of <paramref name="elementType"/>; <paramref name="array"/> must be the matching .NET array type
    /// (see <see cref="ElementArrayType"/>) or null for a null array.
    /// </summary>
    public static Variant FromArray(BuiltInType elementType, Array? array, int[]? dimensions = null)
    {
        if (array is not null && array.GetType() != ElementArrayType(elementType))
        {
            throw new ArgumentException($"an array of {elementType} must be {ElementArrayType(elementType).Name}, not {array.GetType().Name}", nameof(array));
        }

        return new(elementType, 0, array, true, dimensions);
    }

    /// <summary>The .NET array type that holds an array of <paramref name="type"/>.</summary>
    public static Type ElementArrayType(BuiltInType type) => type switch
    {
        BuiltInType.Boolean => typeof(bool[]),
        BuiltInType.SByte => typeof(sbyte[]),
        BuiltInType.Byte => typeof(byte[]),
        BuiltInType.Int16 => typeof(short[]),
        BuiltInType.UInt16 => typeof(ushort[]),
        BuiltInType.Int32 => typeof(int[]),
        BuiltInType.UInt32 => typeof(uint[]),
        BuiltInType.Int64 => typeof(long[]),
        BuiltInType.UInt64 => typeof(ulong[]),
        BuiltInType.Float => typeof(float[]),
        BuiltInType.Double => typeof(double[]),
        BuiltInType.String or BuiltInType.XmlElement => typeof(string[]),
        BuiltInType.DateTime => typeof(DateTime[]),
        BuiltInType.Guid => typeof(Guid[]),
        BuiltInType.ByteString => typeof(byte[][]),
        BuiltInType.NodeId => typeof(NodeId[]),
        BuiltInType.ExpandedNodeId => typeof(ExpandedNodeId[]),
        BuiltInType.StatusCode => typeof(StatusCode[]),
        BuiltInType.QualifiedName => typeof(QualifiedName[]),
        BuiltInType.LocalizedText => typeof(LocalizedText[]),
        BuiltInType.ExtensionObject => typeof(ExtensionObject[]),
        BuiltInType.DataValue => typeof(DataValue[]),
        BuiltInType.Variant => typeof(Variant[]),
        BuiltInType.DiagnosticInfo => typeof(DiagnosticInfo[]),
        _ => typeof(object[]),
    };

    internal long Bits => _bits;
    internal object? Reference => _ref;

    /// <summary>The value as a .NET object (boxes scalars): bool, sbyte, …, double, string, DateTime, Guid, byte[], NodeId, arrays.</summary>
    public object? Value => IsArray ? _ref : Type switch
    {
        BuiltInType.Null => null,
        BuiltInType.Boolean => _bits != 0,
        BuiltInType.SByte => (sbyte)_bits,
        BuiltInType.Byte => (byte)_bits,
        BuiltInType.Int16 => (short)_bits,
        BuiltInType.UInt16 => (ushort)_bits,
        BuiltInType.Int32 => (int)_bits,
        BuiltInType.UInt32 => (uint)_bits,
        BuiltInType.Int64 => _bits,
        BuiltInType.UInt64 => unchecked((ulong)_bits),
        BuiltInType.Float => BitConverter.Int32BitsToSingle((int)_bits),
        BuiltInType.Double => BitConverter.Int64BitsToDouble(_bits),
        BuiltInType.DateTime => new DateTime(_bits, DateTimeKind.Utc),
        BuiltInType.StatusCode => new StatusCode((uint)_bits),
        _ => _ref,
    };

    /// <summary>True for a numeric or Boolean scalar that <see cref="ToDouble"/> converts without loss of meaning.</summary>
    public bool IsNumeric => !IsArray && Type is >= BuiltInType.Boolean and <= BuiltInType.Double;

    /// <summary>
    /// A numeric or Boolean scalar as a double (no boxing); NaN for every other value. A Float yields the double of
    /// its shortest decimal (10.3, not 10.300000190734863; see <see cref="SampleValue.FromSingle"/>).
    /// </summary>
    public double ToDouble()
    {
        if (IsArray)
        {
            return double.NaN;
        }

        return Type switch
        {
            BuiltInType.Boolean => _bits != 0 ? 1 : 0,
            BuiltInType.SByte or BuiltInType.Int16 or BuiltInType.Int32 or BuiltInType.Int64 => _bits,
            BuiltInType.Byte or BuiltInType.UInt16 or BuiltInType.UInt32 => _bits,
            BuiltInType.UInt64 => unchecked((ulong)_bits),
            BuiltInType.Float => SampleValue.FromSingle(BitConverter.Int32BitsToSingle((int)_bits)),
            BuiltInType.Double => BitConverter.Int64BitsToDouble(_bits),
            BuiltInType.DateTime => _bits,
            BuiltInType.StatusCode => (uint)_bits,
            _ => double.NaN,
        };
    }

    /// <summary>Text for string-like values (String, XmlElement, LocalizedText, QualifiedName, NodeId, Guid); null otherwise.</summary>
    public string? ToText() => IsArray ? null : Type switch
    {
        BuiltInType.String or BuiltInType.XmlElement => (string?)_ref,
        BuiltInType.LocalizedText or BuiltInType.QualifiedName or BuiltInType.NodeId or BuiltInType.ExpandedNodeId or BuiltInType.Guid => _ref?.ToString(),
        BuiltInType.ByteString => _ref is byte[] b ? Convert.ToBase64String(b) : null,
        _ => null,
    };

    public override string ToString()
    {
        if (IsArray)
        {
            return _ref is Array a ? $"{Type}[{a.Length}]" : $"{Type}[null]";
        }

        return Type switch
        {
            BuiltInType.Null => "null",
            BuiltInType.Float or BuiltInType.Double => ToDouble().ToString("R", CultureInfo.InvariantCulture),
            BuiltInType.DateTime => new DateTime(_bits, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture),
            _ when IsNumeric => Convert.ToString(Value, CultureInfo.InvariantCulture) ?? "",
            _ => ToText() ?? Value?.ToString() ?? "null",
        };
    }
}
