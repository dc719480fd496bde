using CsCheck;
using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.Tests.Encoding;

/// <summary>CsCheck generators of every built-in type, scalars and arrays, with one level of nesting.</summary>
internal static class Generators
{
    public static readonly Gen<string?> Text = Gen.Frequency((1, Gen.Const((string?)null)), (6, Gen.String[0, 20].Select(s => (string?)s)));
    public static readonly Gen<string> NonNullText = Gen.String[0, 20];
    public static readonly Gen<DateTime> Time = Gen.Long[UaBinaryReaderEpoch + 1, DateTime.MaxValue.Ticks - 1].Select(t => new DateTime(t, DateTimeKind.Utc));
    public const long UaBinaryReaderEpoch = 504911232000000000;

    public static readonly Gen<NodeId> NodeId = Gen.OneOf(
        Gen.Select(Gen.UShort, Gen.UInt, (ns, i) => new NodeId(ns, i)),
        Gen.Select(Gen.UShort[0, 3], Gen.UInt[0, 300], (ns, i) => new NodeId(ns, i)),
        Gen.Select(Gen.UShort, NonNullText, (ns, s) => new NodeId(ns, s)),
        Gen.Select(Gen.UShort, Gen.Guid, (ns, g) => new NodeId(ns, g)),
        Gen.Select(Gen.UShort, Gen.Byte.Array[0, 16], (ns, b) => new NodeId(ns, b)));

    public static readonly Gen<ExpandedNodeId> ExpandedNodeId = Gen.Select(NodeId, Text, Gen.Frequency((3, Gen.Const(0u)), (1, Gen.UInt)),
        (n, uri, svr) => new ExpandedNodeId(n, uri, svr));

    public static readonly Gen<QualifiedName> QualifiedName = Gen.Select(Gen.UShort, Text, (ns, n) => new QualifiedName(ns, n));
    public static readonly Gen<LocalizedText> LocalizedText = Gen.Select(Text, Text, (l, t) => new LocalizedText(l, t));

    public static readonly Gen<DiagnosticInfo> DiagnosticInfo = Gen.Select(
        Gen.Int.Nullable(), Gen.Int.Nullable(), Gen.Int.Nullable(), Gen.Int.Nullable(), Text, Gen.UInt.Nullable(), Gen.Bool,
        (a, b, c, d, e, f, inner) => new DiagnosticInfo(a, b, c, d, e, f.HasValue ? new StatusCode(f.Value) : null,
            inner ? new DiagnosticInfo(SymbolicId: 1, AdditionalInfo: "inner") : null));

    public static readonly Gen<ExtensionObject> ExtensionObject = Gen.OneOf(
        Gen.Const(EdgeAgent.Drivers.OpcUa.Encoding.ExtensionObject.Null),
        Gen.Select(NodeId, Gen.Byte.Array[0, 32], (id, body) => new ExtensionObject(id, ExtensionObjectEncoding.ByteString, body)));

    public static readonly Gen<Variant> Scalar = Gen.OneOf(
        Gen.Const(Variant.Null),
        Gen.Bool.Select(Variant.From),
        Gen.SByte.Select(Variant.From),
        Gen.Byte.Select(Variant.From),
        Gen.Short.Select(Variant.From),
        Gen.UShort.Select(Variant.From),
        Gen.Int.Select(Variant.From),
        Gen.UInt.Select(Variant.From),
        Gen.Long.Select(Variant.From),
        Gen.ULong.Select(Variant.From),
        Gen.Float.Select(Variant.From),
        Gen.Double.Select(Variant.From),
        NonNullText.Select(s => Variant.From(s)),
        Time.Select(Variant.From),
        Gen.Guid.Select(Variant.From),
        Gen.Byte.Array[0, 32].Select(b => Variant.FromByteString(b)),
        NonNullText.Select(Variant.FromXml),
        NodeId.Select(Variant.From),
        ExpandedNodeId.Select(Variant.From),
        Gen.UInt.Select(c => Variant.From(new StatusCode(c))),
        QualifiedName.Select(Variant.From),
        LocalizedText.Select(Variant.From),
        ExtensionObject.Select(Variant.From),
        DiagnosticInfo.Select(Variant.From));

    public static readonly Gen<Variant> Array = Gen.OneOf(
        Gen.Bool.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.Boolean, a)),
        Gen.SByte.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.SByte, a)),
        Gen.Byte.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.Byte, a)),
        Gen.Short.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.Int16, a)),
        Gen.UShort.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.UInt16, a)),
        Gen.Int.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.Int32, a)),
        Gen.UInt.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.UInt32, a)),
        Gen.Long.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.Int64, a)),
        Gen.ULong.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.UInt64, a)),
        Gen.Float.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.Float, a)),
        Gen.Double.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.Double, a)),
        Text.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.String, a)),
        Time.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.DateTime, a)),
        Gen.Guid.Array[0, 8].Select(a => Variant.FromArray(BuiltInType.Guid, a)),
        Gen.Byte.Array[0, 8].Array[0, 4].Select(a => Variant.FromArray(BuiltInType.ByteString, a)),
        NodeId.Array[0, 4].Select(a => Variant.FromArray(BuiltInType.NodeId, a)),
        ExpandedNodeId.Array[0, 4].Select(a => Variant.FromArray(BuiltInType.ExpandedNodeId, a)),
        Gen.UInt.Array[0, 4].Select(a => Variant.FromArray(BuiltInType.StatusCode, a.Select(c => new StatusCode(c)).ToArray())),
        QualifiedName.Array[0, 4].Select(a => Variant.FromArray(BuiltInType.QualifiedName, a)),
        LocalizedText.Array[0, 4].Select(a => Variant.FromArray(BuiltInType.LocalizedText, a)),
        ExtensionObject.Array[0, 4].Select(a => Variant.FromArray(BuiltInType.ExtensionObject, a)),
        Scalar.Array[0, 4].Select(a => Variant.FromArray(BuiltInType.Variant, a)),
        Gen.Int.Array[6].Select(a => Variant.FromArray(BuiltInType.Int32, a, [2, 3])),
        Gen.Const(Variant.FromArray(BuiltInType.Double, null)));

    public static readonly Gen<DataValue> DataValue = Gen.Select(
        Gen.OneOf(Scalar, Array), Gen.UInt, Gen.Frequency((1, Gen.Const(default(DateTime))), (3, Time)), Gen.UShort[0, 9999],
        Gen.Frequency((1, Gen.Const(default(DateTime))), (3, Time)),
        (v, s, t1, p, t2) => new DataValue(v, new StatusCode(s), t1, t1 == default ? (ushort)0 : p, t2, 0));

    public static readonly Gen<Variant> Any = Gen.OneOf(Scalar, Array, DataValue.Select(Variant.From),
        DataValue.Array[0, 3].Select(a => Variant.FromArray(BuiltInType.DataValue, a)));
}
