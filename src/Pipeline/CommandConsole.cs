namespace EdgeAgent.Pipeline;

/// <summary>Where a capability writes: results to <see cref="Output"/>, diagnostics to <see cref="Error"/>.</summary>
public sealed record CommandConsole(TextWriter Output, TextWriter Error);
