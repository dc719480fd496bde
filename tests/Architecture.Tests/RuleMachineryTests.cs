namespace EdgeAgent.Architecture.Tests;

/// <summary>The cycle finder and the layer matcher on small hand-made inputs.</summary>
public sealed class RuleMachineryTests
{
    private static DependencyGraph GraphOf(params (string From, string To)[] edges)
    {
        var g = new DependencyGraph();
        foreach (var (from, to) in edges) g.AddEdge(from, to, $"{from}.T -> {to}.T");
        return g;
    }

    [Fact]
    public void A_three_cycle_is_one_component_and_one_cycle()
    {
        var g = GraphOf(("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"));
        var components = Cycles.StronglyConnectedComponents(g);
        var component = Assert.Single(components);
        Assert.Equal(["a", "b", "c"], component);
        var cycle = Assert.Single(Cycles.CoveringCycles(g, component));
        Assert.Equal(["a", "b", "c", "a"], cycle);
        Assert.Equal("c.T -> a.T", g.Example("c", "a"));
    }

    [Fact]
    public void A_dag_has_no_component()
    {
        var g = GraphOf(("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e"));
        Assert.Empty(Cycles.StronglyConnectedComponents(g));
    }

    [Fact]
    public void A_self_edge_is_no_cycle()
    {
        var g = GraphOf(("a", "a"), ("a", "b"));
        Assert.Empty(Cycles.StronglyConnectedComponents(g));
        Assert.Equal(1, g.EdgeCount);
    }

    [Fact]
    public void Covering_cycles_show_every_edge_of_a_component()
    {
        // Two cycles sharing b: a->b->a and b->c->d->b, plus a chord c->b; and a separate pair x<->y.
        var g = GraphOf(("a", "b"), ("b", "a"), ("b", "c"), ("c", "d"), ("d", "b"), ("c", "b"), ("x", "y"), ("y", "x"), ("y", "z"));
        var components = Cycles.StronglyConnectedComponents(g);
        Assert.Equal([["a", "b", "c", "d"], ["x", "y"]], components);
        var cycles = Cycles.CoveringCycles(g, components[0]);
        var shown = cycles.SelectMany(c => c.Zip(c.Skip(1))).ToHashSet();
        Assert.All(cycles, c => Assert.Equal(c[0], c[^1]));
        Assert.Equal(new HashSet<(string, string)> { ("a", "b"), ("b", "a"), ("b", "c"), ("c", "d"), ("d", "b"), ("c", "b") }, shown);
    }

    [Theory]
    [InlineData("EdgeAgent", "Host", null)]
    [InlineData("EdgeAgent.Hosting", "Host", null)]
    [InlineData("EdgeAgent.Cli", "Host", null)]
    [InlineData("EdgeAgent.Spc", "Spc", null)]
    [InlineData("EdgeAgent.Spc.Charts", "Spc", null)]
    [InlineData("EdgeAgent.Drivers", "Drivers", null)]
    [InlineData("EdgeAgent.Drivers.OpcUa", "Driver", "OpcUa")]
    [InlineData("EdgeAgent.Drivers.OpcUa.SecureChannel", "Driver", "OpcUa")]
    [InlineData("EdgeAgent.Drivers.OpcUa.Plugin", "Driver plug-in", "OpcUa")]
    [InlineData("EdgeAgent.Drivers.Modbus.Plugin.Cli", "Driver plug-in", "Modbus")]
    [InlineData("EdgeAgent.Config", "Config", null)]
    [InlineData("EdgeAgent.Config.Schema", "Config", null)]
    [InlineData("EdgeAgent.Pipeline", "Pipeline", null)]
    [InlineData("EdgeAgent.Alarms", "Feature", null)]
    [InlineData("EdgeAgent.Analysis", "Feature", null)]
    [InlineData("EdgeAgent.Outputs.Mqtt", "Sink", "Mqtt")]
    [InlineData("EdgeAgent.Outputs.Mqtt.Sparkplug", "Sink", "Mqtt")]
    public void Namespaces_fall_into_their_layer(string ns, string layer, string? name)
    {
        var match = Layers.Match(ns);
        Assert.NotNull(match);
        Assert.Equal(layer, match.Rule.Layer);
        Assert.Equal(name, match.Name);
    }

    [Theory]
    [InlineData("EdgeAgent.Sources")]
    [InlineData("EdgeAgent.Outputs")]
    [InlineData("EdgeAgent.Spcx")]
    [InlineData("EdgeAgentX")]
    [InlineData("Other.Thing")]
    public void Unknown_namespaces_match_no_layer(string ns) => Assert.Null(Layers.Match(ns));

    [Theory]
    [InlineData("EdgeAgent.Pipeline", "EdgeAgent.Drivers", true)]
    [InlineData("EdgeAgent.Pipeline", "EdgeAgent.Config", true)]
    [InlineData("EdgeAgent.Pipeline", "EdgeAgent.Alarms", false)]
    [InlineData("EdgeAgent.Spc", "EdgeAgent.Drivers", false)]
    [InlineData("EdgeAgent.Config", "EdgeAgent.Pipeline", false)]
    [InlineData("EdgeAgent.Config.Schema", "EdgeAgent.Config", true)]
    [InlineData("EdgeAgent.Drivers", "EdgeAgent.Drivers.Modbus", false)]
    [InlineData("EdgeAgent.Drivers.OpcUa.Client", "EdgeAgent.Drivers.OpcUa.Encoding", true)]
    [InlineData("EdgeAgent.Drivers.OpcUa", "EdgeAgent.Drivers", true)]
    [InlineData("EdgeAgent.Drivers.OpcUa", "EdgeAgent.Drivers.Modbus", false)]
    [InlineData("EdgeAgent.Drivers.OpcUa", "EdgeAgent.Drivers.OpcUa.Plugin", false)]
    [InlineData("EdgeAgent.Drivers.OpcUa", "EdgeAgent.Config", false)]
    [InlineData("EdgeAgent.Drivers.OpcUa.Plugin", "EdgeAgent.Drivers.OpcUa.Client", true)]
    [InlineData("EdgeAgent.Drivers.OpcUa.Plugin", "EdgeAgent.Pipeline", true)]
    [InlineData("EdgeAgent.Drivers.OpcUa.Plugin", "EdgeAgent.Drivers.Modbus", false)]
    [InlineData("EdgeAgent.Drivers.OpcUa.Plugin", "EdgeAgent.Drivers.Modbus.Plugin", false)]
    [InlineData("EdgeAgent.Alarms", "EdgeAgent.Expressions", true)]
    [InlineData("EdgeAgent.Alarms", "EdgeAgent.Spc", true)]
    [InlineData("EdgeAgent.Alarms", "EdgeAgent.Drivers.Modbus", false)]
    [InlineData("EdgeAgent.Alarms", "EdgeAgent.Outputs.Mqtt", false)]
    [InlineData("EdgeAgent.Outputs.Mqtt", "EdgeAgent.Outputs.Mqtt.Sparkplug", true)]
    [InlineData("EdgeAgent.Outputs.Mqtt.Outbox", "EdgeAgent.Pipeline", true)]
    [InlineData("EdgeAgent.Outputs.Mqtt", "EdgeAgent.Outputs.Influx", false)]
    [InlineData("EdgeAgent.Outputs.Mqtt", "EdgeAgent.Alarms", false)]
    [InlineData("EdgeAgent.Hosting", "EdgeAgent.Outputs.Mqtt", true)]
    [InlineData("EdgeAgent.Cli", "EdgeAgent.Drivers.OpcUa.Plugin", true)]
    [InlineData("EdgeAgent.Pipeline", "EdgeAgent.Hosting", false)]
    [InlineData("EdgeAgent.Alarms", "EdgeAgent", false)]
    public void The_layer_table_allows_only_the_flow(string from, string to, bool allowed) =>
        Assert.Equal(allowed, Layers.Allowed(Layers.Match(from)!, Layers.Match(to)!));

    [Fact]
    public void The_first_matching_row_wins_and_MayUse_names_are_checked()
    {
        LayerRule[] table =
        [
            new("Special", ["X.Y.{name}.Z"], ["Base({name})"]),
            new("Base", ["X.Y.{name}", "X.Y.{name}.**"], []),
            new("Broken", ["Q"], ["Nowhere"]),
        ];
        Assert.Equal("Special", Layers.Match("X.Y.A.Z", table)!.Rule.Layer);
        Assert.Equal("Base", Layers.Match("X.Y.A.Z.W", table)!.Rule.Layer);
        Assert.True(Layers.Allowed(Layers.Match("X.Y.A.Z", table)!, Layers.Match("X.Y.A.W", table)!));
        Assert.False(Layers.Allowed(Layers.Match("X.Y.A.Z", table)!, Layers.Match("X.Y.B", table)!));
        Assert.Equal(["Nowhere"], Layers.UnknownLayers(table));
    }

    [Fact]
    public void Generated_types_count_for_the_code_that_uses_them()
    {
        static ScannedType T(string key, string name, string ns, params string[] deps) => new(key, "a", name, ns, deps.ToHashSet());
        var types = new[]
        {
            T("a!EdgeAgent.X.A", "EdgeAgent.X.A", "EdgeAgent.X", "a!<G>"),
            T("a!<G>", "<G>", "", "a!System.Generated.H"),
            T("a!System.Generated.H", "System.Generated.H", "System.Generated", "a!EdgeAgent.Y.B", "a!<G>"),
            T("a!EdgeAgent.Y.B", "EdgeAgent.Y.B", "EdgeAgent.Y"),
        }.ToDictionary(t => t.Key);
        var graph = new IlScan.Scan(["a"], types, []).NamespaceGraph();
        Assert.Equal(["EdgeAgent.X", "EdgeAgent.Y"], graph.Nodes);
        var edge = Assert.Single(graph.Edges);
        Assert.Equal(("EdgeAgent.X", "EdgeAgent.Y", "EdgeAgent.X.A -> EdgeAgent.Y.B (via generated <G>)"), edge);
    }

    [Theory]
    [InlineData("namespace EdgeAgent.Spc;\nclass A {}", "EdgeAgent.Spc")]
    [InlineData("using System;\n\nnamespace EdgeAgent.Drivers.OpcUa.Client\n{\n class A {}\n}", "EdgeAgent.Drivers.OpcUa.Client")]
    [InlineData("// namespace Wrong;\nclass A {}", "")]
    public void Declared_namespaces_are_read_from_the_text(string source, string expected) =>
        Assert.Equal(expected, string.Join(",", SourceFolders.DeclaredNamespaces(source)));
}
