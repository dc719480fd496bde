namespace EdgeAgent.Drivers.OpcUa.Encoding;

/// <summary>A name qualified by a namespace index (Part 3 §8.3), e.g. a browse name <c>2:Bore</c>.</summary>
public readonly record struct QualifiedName(ushort NamespaceIndex, string? Name)
{
    public override string ToString() => NamespaceIndex == 0 ? Name ?? "" : $"{NamespaceIndex}:{Name}";
}

/// <summary>Human-readable text with an optional locale (Part 3 §8.5).</summary>
public readonly record struct LocalizedText(string? Locale, string? Text)
{
    public override string ToString() => Text ?? "";
}

/// <summary>Vendor diagnostics for a status code (Part 4 §7.8); the ints index the response's string table.</summary>
public sealed record DiagnosticInfo(
    int? SymbolicId = null,
    int? NamespaceUri = null,
    int? Locale = null,
    int? LocalizedText = null,
    string? AdditionalInfo = null,
    StatusCode? InnerStatusCode = null,
    DiagnosticInfo? InnerDiagnosticInfo = null);

/// <summary>
/// A structure carried with its encoding id (Part 6 §5.2.2.15). The client keeps an unknown body as bytes (capped) and
/// never interprets it; known bodies (notifications, filters, identity tokens) are read by the service layer.
/// </summary>
public sealed record ExtensionObject(NodeId TypeId, ExtensionObjectEncoding Encoding, byte[]? Body)
{
    public static readonly ExtensionObject Null = new(NodeId.Null, ExtensionObjectEncoding.None, null);
}

public enum ExtensionObjectEncoding : byte
{
    None = 0,
    ByteString = 1,
    XmlElement = 2,
}

/// <summary>
/// A value with its status and timestamps (Part 4 §7.11). A struct: the subscription hot path decodes one per
/// notification without allocating (unless the value itself is a string, array or structure).
/// </summary>
public readonly record struct DataValue(
    Variant Value,
    StatusCode StatusCode = default,
    DateTime SourceTimestamp = default,
    ushort SourcePicoseconds = 0,
    DateTime ServerTimestamp = default,
    ushort ServerPicoseconds = 0)
{
    public override string ToString() => $"{Value} {StatusCode} {SourceTimestamp:O}";
}
