namespace EdgeAgent.Pipeline;

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
