namespace EdgeAgent.Pipeline;

/// <summary>An option of a capability's command (<c>--unit</c>, <c>--node</c>): the CLI builds it, the capability reads its text.</summary>
public sealed record CommandOption(string Name, string Description, string? Default = null, bool IsFlag = false, params string[] Aliases);

/// <summary>The values given for a capability's <see cref="CommandOption"/>s, by name (<c>--unit</c>), as text.</summary>
public sealed class CommandArguments(IReadOnlyDictionary<string, string?> values)
{
    public string? this[string name] => values.TryGetValue(name, out var value) ? value : null;

    public bool Flag(string name) => this[name] is "true" or "True";
}

/// <summary>Where a capability writes: results to <see cref="Output"/>, diagnostics to <see cref="Error"/>.</summary>
public sealed record CommandConsole(TextWriter Output, TextWriter Error);

/// <summary>
/// <c>edgeagent probe URL …</c> for a driver: commissioning measurements (how fast a device answers, what a server
/// delivers), one JSON summary line. Exit codes: 0 all good, 1 some requests failed or the peer is unreachable, 2 bad arguments.
/// </summary>
public interface IProbeCapability
{
    /// <summary>URL schemes this probe serves (<c>modbus-tcp</c>, <c>opc.tcp</c>).</summary>
    IReadOnlyList<string> ProbeSchemes { get; }

    /// <summary>One line for <c>probe --help</c>: the URL forms.</summary>
    string ProbeUsage { get; }

    IReadOnlyList<CommandOption> ProbeOptions { get; }

    Task<int> ProbeAsync(string url, CommandArguments arguments, CommandConsole console, CancellationToken cancellationToken);
}

/// <summary><c>edgeagent browse URL [--node ID]</c> for a driver: list what a server offers, to pick tags from.</summary>
public interface IBrowseCapability
{
    IReadOnlyList<string> BrowseSchemes { get; }

    string BrowseUsage { get; }

    IReadOnlyList<CommandOption> BrowseOptions { get; }

    Task<int> BrowseAsync(string url, CommandArguments arguments, CommandConsole console, CancellationToken cancellationToken);
}

/// <summary><c>edgeagent validate --plan</c> for a driver: the requests one poll of a source sends, as lines for people.</summary>
public interface IPlanCapability
{
    IEnumerable<string> DescribePlan(SourceConfig source);
}
