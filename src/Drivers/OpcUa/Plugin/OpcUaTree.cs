using EdgeAgent.Drivers.OpcUa;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Services;

namespace EdgeAgent.Drivers.OpcUa.Plugin;

/// <summary>
/// The tree <c>browse</c> prints: one node per line, indented two spaces per level,
/// <c>BrowseName  NodeId  NodeClass  [DataType = Value]</c> (values of Variables read 500 at a time, cut at 60 characters).
/// Objects are followed into; references to other servers or namespaces by URI are listed, not followed.
/// </summary>
public static class OpcUaTree
{
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
