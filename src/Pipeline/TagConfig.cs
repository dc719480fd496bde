using YamlDotNet.Core;

namespace EdgeAgent.Pipeline;

/// <summary>
/// One tag of a source, as declared in the configuration. <see cref="Id"/> is the pipeline's dense index of the tag;
/// <see cref="FullName"/> (<c>source.tag</c>) is how the rest of the file refers to it. <see cref="Options"/> is the
/// driver's own parsed tag options (a Modbus address and type, an OPC UA node id), opaque to everyone but the driver.
/// </summary>
public sealed record TagConfig
{
    public required int Id { get; init; }
    public required string Source { get; init; }
    public required string Name { get; init; }
    public string FullName => $"{Source}.{Name}";
    public string? Unit { get; init; }
    public object? Options { get; init; }

    /// <summary><c>writable: true</c>: alarm actions, <c>cmd/write</c> and <c>edgeagent write</c> may write this tag; nothing else may.</summary>
    public bool Writable { get; init; }
    public Mark At { get; init; }
}
