using System.Globalization;
using EdgeAgent.Drivers.OpcUa;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Services;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Drivers.OpcUa.Plugin;

/// <summary>
/// <c>edgeagent browse opc.tcp://HOST:PORT[/PATH] [--node NODEID] [--depth N] [--policy P --mode M] [--user U --password-env VAR]</c>: prints the
/// server's node tree from the Objects folder (or NODEID) with <see cref="OpcUaTree"/>, to pick the <c>node:</c> of each
/// tag. Exit 0 on success, 1 when the server cannot be reached or browsed, 2 for bad arguments.
/// </summary>
public sealed partial class OpcUaPlugin : IBrowseCapability
{
    private const string NodeOption = "--node";
    private const string DepthOption = "--depth";
    private const string UserOption = "--user";
    private const string PasswordOption = "--password";
    private const string AllowClearTextOption = "--allow-clear-text-password";

    public IReadOnlyList<string> BrowseSchemes { get; } = ["opc.tcp"];

    public string BrowseUsage => "opc.tcp://HOST:PORT[/PATH]";

    public IReadOnlyList<CommandOption> BrowseOptions { get; } =
    [
        new(NodeOption, "Start here instead of the Objects folder (ns=2;s=…, i=85, nsu=URI;s=…)."),
        new(DepthOption, "Levels below the start node to print (default 2).", "2"),
        new(PasswordOption, "Password for --user (prefer --password-env; with policy None clear text: loopback only unless --allow-clear-text-password)."),
        new(AllowClearTextOption, "Send the password unencrypted to a remote server (policy None).", IsFlag: true),
        .. SecurityOptions,
    ];

    public async Task<int> BrowseAsync(string url, CommandArguments arguments, CommandConsole console, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "opc.tcp")
        {
            await console.Error.WriteLineAsync($"browse: expected opc.tcp://HOST:PORT[/PATH], found '{url}'");
            return 2;
        }

        var start = ExpandedNodeId.Null with { NodeId = WellKnownNodes.ObjectsFolder };
        if (arguments[NodeOption] is { } text && !ExpandedNodeId.TryParse(text, out start, out var error))
        {
            await console.Error.WriteLineAsync($"--node: {error}");
            return 2;
        }

        var depthText = arguments[DepthOption] ?? "2";
        if (!int.TryParse(depthText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var levels) || levels < 0 || levels > 20)
        {
            await console.Error.WriteLineAsync($"--depth: expected 0 to 20, found {Shown(depthText)}");
            return 2;
        }

        if (ClientOptions(url, arguments, out var options) is { } problem)
        {
            await console.Error.WriteLineAsync(problem);
            return 2;
        }

        try
        {
            await using var client = await UaClient.ConnectAsync(options, null, cancellationToken);
            var root = await client.ResolveAsync(start, cancellationToken);
            await OpcUaTree.PrintAsync(client, root, levels, console.Output, cancellationToken);
            return 0;
        }
        catch (OpcUaException e)
        {
            await console.Error.WriteLineAsync($"browse: {e.Message}");
            return 1;
        }
    }
}
