using EdgeAgent.Drivers;
using YamlDotNet.Core;

namespace EdgeAgent.Pipeline;

/// <summary>One <c>sources:</c> entry. <see cref="Options"/> is the driver's own options record, opaque to everyone but the driver.</summary>
public sealed record SourceConfig
{
    public required string Name { get; init; }
    public required string Driver { get; init; }
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(1);
    public object? Options { get; init; }
    public required IReadOnlyList<TagConfig> Tags { get; init; }
    public Mark At { get; init; }

    /// <summary><c>agent.data</c>: where a driver keeps what it writes (the OPC UA certificate store, <c>pki/</c>).</summary>
    public string DataFolder { get; init; } = "data";

    /// <summary>The tags as the driver sees them (id, name, driver options).</summary>
    public IReadOnlyList<TagBinding> Bindings() => Tags.Select(t => new TagBinding(t.Id, t.Name, t.Options)).ToArray();
}
