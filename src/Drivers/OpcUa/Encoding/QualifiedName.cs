namespace EdgeAgent.Drivers.OpcUa.Encoding;

/// <summary>A name qualified by a namespace index (Part 3 §8.3), e.g. a browse name <c>2:Bore</c>.</summary>
public readonly record struct QualifiedName(ushort NamespaceIndex, string? Name)
{
    public override string ToString() => NamespaceIndex == 0 ? Name ?? "" : $"{NamespaceIndex}:{Name}";
}
