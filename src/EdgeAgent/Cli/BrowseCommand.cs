using System.CommandLine;
using EdgeAgent.Drivers.OpcUa;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.Services;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent browse opc.tcp://HOST:PORT[/PATH] [--node NODEID] [--depth N]</c>: prints an OPC UA server's node tree
/// from the Objects folder (or NODEID), one node per line, indented by depth:
/// <c>BrowseName  NodeId  NodeClass  [DataType = Value]</c>, so an engineer can pick the <c>node:</c> of each tag.
/// Exit 0 on success, 1 when the server cannot be reached or browsed, 2 for bad arguments.
/// </summary>
internal static class BrowseCommand
{
    public static Command Build()
    {
        var url = new Argument<string>("url") { Description = "The server endpoint: opc.tcp://HOST:PORT[/PATH]." };
        var node = new Option<string>("--node") { Description = "Start here instead of the Objects folder (ns=2;s=…, i=85, nsu=URI;s=…)." };
        var depth = new Option<int>("--depth") { Description = "Levels below the start node to print (default 2).", DefaultValueFactory = _ => 2 };
        var user = new Option<string>("--user") { Description = "User name (anonymous when omitted)." };
        var password = new Option<string>("--password") { Description = "Password for --user (clear text: loopback only unless --allow-clear-text-password)." };
        var allowClear = new Option<bool>("--allow-clear-text-password") { Description = "Send the password unencrypted to a remote server (policy None)." };
        var command = new Command("browse", "List an OPC UA server's nodes as a tree (browse name, node id, class, data type and value).")
        {
            url, node, depth, user, password, allowClear,
        };
        command.SetAction(async (parse, ct) =>
        {
            var endpoint = parse.GetValue(url)!;
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != "opc.tcp")
            {
                Console.Error.WriteLine($"browse: expected opc.tcp://HOST:PORT[/PATH], found '{endpoint}'");
                return 2;
            }

            var start = ExpandedNodeId.Null with { NodeId = WellKnownNodes.ObjectsFolder };
            if (parse.GetValue(node) is { } text && !ExpandedNodeId.TryParse(text, out start, out var error))
            {
                Console.Error.WriteLine($"--node: {error}");
                return 2;
            }

            var levels = parse.GetValue(depth);
            if (levels < 0 || levels > 20)
            {
                Console.Error.WriteLine($"--depth: expected 0 to 20, found {levels}");
                return 2;
            }

            try
            {
                await using var client = await UaClient.ConnectAsync(new UaClientOptions
                {
                    EndpointUrl = endpoint,
                    UserName = parse.GetValue(user),
                    Password = parse.GetValue(password),
                    AllowClearTextPassword = parse.GetValue(allowClear),
                }, null, ct);
                var root = await client.ResolveAsync(start, ct);
                await PrintAsync(client, root, levels, Console.Out, ct);
                return 0;
            }
            catch (OpcUaException e)
            {
                Console.Error.WriteLine($"browse: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Prints <paramref name="root"/> and its hierarchy down to <paramref name="depth"/> levels.</summary>
    public static async Task PrintAsync(UaClient client, NodeId root, int depth, TextWriter output, CancellationToken ct)
    {
        var attrs = await client.ReadAsync([new ReadValueId(root, AttributeId.BrowseName), new ReadValueId(root, AttributeId.NodeClass)], ct);
        var rootName = attrs[0].Value.Value is QualifiedName q ? q.ToString() : root.ToString();
        var rootClass = attrs[1].Value.Value is int c ? (NodeClass)c : NodeClass.Unspecified;
        await output.WriteLineAsync($"{rootName}  {root}  {rootClass}");
        await PrintChildrenAsync(client, root, 1, depth, output, new HashSet<NodeId> { root }, ct);
    }

    private static async Task PrintChildrenAsync(UaClient client, NodeId parent, int level, int depth, TextWriter output, HashSet<NodeId> seen, CancellationToken ct)
    {
        if (level > depth)
        {
            return;
        }

        var children = await client.BrowseAllAsync(new BrowseDescription(parent, NodeClassMask: (uint)(NodeClass.Object | NodeClass.Variable | NodeClass.Method)), 1000, ct);
        var variables = children.Where(r => r.NodeClass == NodeClass.Variable && r.NodeId.IsLocal && r.NodeId.NamespaceUri is null).ToList();
        var details = new Dictionary<NodeId, (string Type, string Value)>();
        for (var i = 0; i < variables.Count; i += 500)
        {
            var batch = variables.Skip(i).Take(500).ToList();
            var reads = batch.SelectMany(v => new[] { new ReadValueId(v.NodeId.NodeId, AttributeId.DataType), new ReadValueId(v.NodeId.NodeId) }).ToArray();
            var values = await client.ReadAsync(reads, ct);
            for (var k = 0; k < batch.Count; k++)
            {
                var type = values[2 * k].Value.Value is NodeId t ? TypeName(t) : "?";
                var value = values[(2 * k) + 1];
                details[batch[k].NodeId.NodeId] = (type, value.StatusCode.IsGood ? Shorten(value.Value.ToString()) : value.StatusCode.ToString());
            }
        }

        var indent = new string(' ', level * 2);
        foreach (var child in children)
        {
            var id = child.NodeId.NodeId;
            var line = $"{indent}{child.BrowseName}  {child.NodeId}  {child.NodeClass}";
            if (details.TryGetValue(id, out var d))
            {
                line += $"  {d.Type} = {d.Value}";
            }

            await output.WriteLineAsync(line);
            if (child.NodeClass == NodeClass.Object && child.NodeId.IsLocal && child.NodeId.NamespaceUri is null && seen.Add(id))
            {
                await PrintChildrenAsync(client, id, level + 1, depth, output, seen, ct);
            }
        }
    }

    private static string TypeName(NodeId type) =>
        type.NamespaceIndex == 0 && type.IdType == IdType.Numeric && type.Numeric is >= 1 and <= 25 ? ((BuiltInType)type.Numeric).ToString() : type.ToString();

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
