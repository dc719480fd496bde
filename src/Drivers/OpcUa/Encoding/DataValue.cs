namespace EdgeAgent.Drivers.OpcUa.Encoding;

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
