namespace EdgeAgent.Drivers.OpcUa.Encoding;

/// <summary>Human-readable text with an optional locale (Part 3 §8.5).</summary>
public readonly record struct LocalizedText(string? Locale, string? Text)
{
    public override string ToString() => Text ?? "";
}
