namespace EdgeAgent.Drivers.OpcUa.Encoding;

/// <summary>Vendor diagnostics for a status code (Part 4 §7.8); the ints index the response's string table.</summary>
public sealed record DiagnosticInfo(
    int? SymbolicId = null,
    int? NamespaceUri = null,
    int? Locale = null,
    int? LocalizedText = null,
    string? AdditionalInfo = null,
    StatusCode? InnerStatusCode = null,
    DiagnosticInfo? InnerDiagnosticInfo = null);
