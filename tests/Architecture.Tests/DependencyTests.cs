using System.Text;

namespace EdgeAgent.Architecture.Tests;

/// <summary>
/// The dependency rules of src/, checked on the compiled assemblies that this project references by glob
/// (every src/**/*.csproj) and finds again in its output folder.
/// </summary>
public sealed class DependencyTests
{
    /// <summary>Assemblies the self-check requires, so the rules cannot pass on an empty or partial scan.</summary>
    private static readonly string[] RequiredAssemblies =
        ["edgeagent", "EdgeAgent.Spc", "EdgeAgent.Drivers.Abstractions", "EdgeAgent.Drivers.Modbus", "EdgeAgent.Drivers.OpcUa"];

    // Floors well below the graph of the first version of this test (23 namespaces, 88 namespace edges) that a
    // restructuring keeps above; a scan that lost an assembly or the method bodies falls below them.
    private const int MinNamespaces = 12;
    private const int MinNamespaceEdges = 30;

    private static readonly Lazy<IlScan.Scan> Scan = new(() => IlScan.Read(IlScan.OurAssemblies(AppContext.BaseDirectory)));
    private static readonly Lazy<DependencyGraph> Graph = new(() => Scan.Value.NamespaceGraph());

    [Fact]
    public void The_scan_sees_every_src_assembly_and_a_real_graph()
    {
        var found = Scan.Value.Assemblies;
        var repo = SourceFolders.RepositoryRoot(AppContext.BaseDirectory);
        var projects = Directory.EnumerateFiles(Path.Combine(repo, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(SourceFolders.AssemblyName);
        var missing = RequiredAssemblies.Concat(projects).Distinct().Where(a => !found.Contains(a)).ToList();
        Assert.True(missing.Count == 0,
            $"assemblies not found in {AppContext.BaseDirectory}: {string.Join(", ", missing)} (found: {string.Join(", ", found)})");
        Assert.True(Graph.Value.NodeCount >= MinNamespaces,
            $"only {Graph.Value.NodeCount} namespaces found, expected at least {MinNamespaces}: {string.Join(", ", Graph.Value.Nodes)}");
        Assert.True(Graph.Value.EdgeCount >= MinNamespaceEdges,
            $"only {Graph.Value.EdgeCount} namespace edges found, expected at least {MinNamespaceEdges}");
        Assert.True(Scan.Value.Problems.Count == 0, string.Join("\n", Scan.Value.Problems));
        // A known edge of each kind the reader must see: a field/signature, a method-body operand, an interface.
        Assert.Contains(Graph.Value.Edges, e => e.From.StartsWith("EdgeAgent.Drivers.Modbus", StringComparison.Ordinal) && e.To == "EdgeAgent.Drivers");
        Assert.Contains(Graph.Value.Edges, e => e.From.StartsWith("EdgeAgent.Drivers.OpcUa", StringComparison.Ordinal) && e.To == "EdgeAgent.Drivers");
        Assert.Empty(Layers.UnknownLayers(Layers.Table));
    }

    [Fact]
    public void No_namespace_depends_on_itself_through_another()
    {
        var graph = Graph.Value;
        var components = Cycles.StronglyConnectedComponents(graph);
        if (components.Count == 0) return;

        var report = new StringBuilder();
        report.AppendLine($"{components.Count} group(s) of namespaces depend on themselves through another. " +
                          "Each group is a strongly connected component; its cycles together use every edge inside it, " +
                          "each edge shown with an example type pair under the first cycle that uses it.");
        for (var i = 0; i < components.Count; i++)
        {
            var component = components[i];
            var cycles = Cycles.CoveringCycles(graph, component);
            report.AppendLine();
            report.AppendLine($"Group {i + 1} of {components.Count}: {component.Count} namespaces, {cycles.Count} cycle(s): {string.Join(", ", component)}");
            var explained = new HashSet<(string, string)>();
            foreach (var cycle in cycles)
            {
                report.AppendLine($"  cycle: {string.Join(" -> ", cycle)}");
                for (var k = 0; k + 1 < cycle.Count; k++)
                {
                    var (from, to) = (cycle[k], cycle[k + 1]);
                    if (explained.Add((from, to))) report.AppendLine($"      {from} -> {to}: {graph.Example(from, to)}");
                }
            }
        }
        Assert.Fail(report.ToString());
    }

    [Fact]
    public void Every_edge_follows_the_layer_flow()
    {
        var graph = Graph.Value;
        var report = new StringBuilder();

        var unmatched = graph.Nodes.Where(n => Layers.Match(n) is null).ToList();
        foreach (var ns in unmatched)
        {
            var type = Scan.Value.Types.Values.Where(t => t.Namespace == ns).Select(t => t.Name).Order(StringComparer.Ordinal).First();
            report.AppendLine($"{ns} matches no layer: add it to the layer table in Layers.cs (it holds e.g. {type}); its edges are not checked until then");
        }

        var violations = 0;
        foreach (var (from, to, example) in graph.Edges)
        {
            var (source, target) = (Layers.Match(from), Layers.Match(to));
            if (source is null || target is null || Layers.Allowed(source, target)) continue;
            violations++;
            var mayUse = source.Rule.MayUse.Length == 0 ? "" : " and " + string.Join(", ", source.Rule.MayUse);
            report.AppendLine($"{from} ({source}) -> {to} ({target}): {source.Rule.Layer} may use only its own namespaces{mayUse}; e.g. {example}");
        }

        if (report.Length == 0) return;
        Assert.Fail($"{unmatched.Count} namespace(s) match no layer, {violations} edge(s) go against the layer flow:\n{report}");
    }

    [Fact]
    public void Every_source_file_declares_the_namespace_of_its_folder()
    {
        var repo = SourceFolders.RepositoryRoot(AppContext.BaseDirectory);
        Assert.NotEmpty(SourceFolders.SourceFiles(Path.Combine(repo, "src")));
        var mismatches = SourceFolders.Check(repo);
        Assert.True(mismatches.Count == 0,
            $"{mismatches.Count} source file(s) declare another namespace than their folder's " +
            $"(project RootNamespace + folder below the project):\n{string.Join("\n", mismatches)}");
    }
}
