namespace EdgeAgent.Architecture.Tests;

/// <summary>
/// One row of the layer table. <see cref="Namespaces"/> are patterns over dot-separated segments:
/// a literal segment matches itself, <c>{name}</c> matches any one segment and names the component
/// (which driver, which sink), <c>**</c> (last) matches one or more further segments.
/// <see cref="MayUse"/> lists layers this one may depend on: a layer name, <c>Layer({name})</c> for only the
/// component of that layer with the same name, or <c>*</c> for anything.
/// </summary>
public sealed record LayerRule(string Layer, string[] Namespaces, string[] MayUse);

/// <summary>A namespace's place in the table: its row and, for rows with <c>{name}</c>, the component name.</summary>
public sealed record LayerMatch(LayerRule Rule, string? Name)
{
    public override string ToString() => Name is null ? Rule.Layer : $"{Rule.Layer} {Name}";
}

public static class Layers
{
    /// <summary>
    /// The layer flow. The first row whose pattern matches a namespace is its layer. Besides what a row lists,
    /// a namespace may always use the namespaces of its own component — same row, same {name} — e.g.
    /// EdgeAgent.Drivers.OpcUa.Client -> EdgeAgent.Drivers.OpcUa.Encoding, EdgeAgent.Alarms -> EdgeAgent.Expressions;
    /// cycles there are caught by the cycle test. No row lists Host: nothing but the host may use it.
    /// </summary>
    public static readonly LayerRule[] Table =
    [
        //  layer             namespaces                                                          may use
        new("Spc",            ["EdgeAgent.Spc", "EdgeAgent.Spc.**"],                                []),
        new("Drivers",        ["EdgeAgent.Drivers"],                                                []),
        new("Config",         ["EdgeAgent.Config", "EdgeAgent.Config.**"],                          []),
        new("Pipeline",       ["EdgeAgent.Pipeline", "EdgeAgent.Pipeline.**"],                      ["Drivers", "Config"]),
        new("Driver plug-in", ["EdgeAgent.Drivers.{name}.Plugin", "EdgeAgent.Drivers.{name}.Plugin.**"],
                                                                                                    ["Driver({name})", "Drivers", "Config", "Pipeline"]),
        new("Driver",         ["EdgeAgent.Drivers.{name}", "EdgeAgent.Drivers.{name}.**"],          ["Drivers"]),
        new("Feature",        ["EdgeAgent.Characteristics", "EdgeAgent.Characteristics.**",
                               "EdgeAgent.Alarms", "EdgeAgent.Alarms.**",
                               "EdgeAgent.Equipment", "EdgeAgent.Equipment.**",
                               "EdgeAgent.Expressions", "EdgeAgent.Expressions.**",
                               "EdgeAgent.Analysis", "EdgeAgent.Analysis.**",
                               "EdgeAgent.Writes", "EdgeAgent.Writes.**"],                          ["Pipeline", "Config", "Spc", "Drivers"]),
        new("Sink",           ["EdgeAgent.Outputs.{name}", "EdgeAgent.Outputs.{name}.**"],          ["Pipeline", "Config", "Drivers"]),
        new("Host",           ["EdgeAgent", "EdgeAgent.Hosting", "EdgeAgent.Hosting.**",
                               "EdgeAgent.Cli", "EdgeAgent.Cli.**"],                                ["*"]),
    ];

    /// <summary>The first row of <paramref name="table"/> matching <paramref name="ns"/>, or null.</summary>
    public static LayerMatch? Match(string ns, IReadOnlyList<LayerRule>? table = null)
    {
        var segments = ns.Split('.');
        foreach (var rule in table ?? Table)
            foreach (var pattern in rule.Namespaces)
                if (TryMatch(pattern.Split('.'), segments, out var name))
                    return new LayerMatch(rule, name);
        return null;
    }

    /// <summary>Whether a namespace of <paramref name="from"/> may depend on one of <paramref name="to"/>.</summary>
    public static bool Allowed(LayerMatch from, LayerMatch to)
    {
        if (from.Rule == to.Rule && from.Name == to.Name) return true;
        foreach (var use in from.Rule.MayUse)
        {
            if (use == "*") return true;
            if (use.EndsWith("({name})", StringComparison.Ordinal))
            {
                if (to.Rule.Layer == use[..^"({name})".Length] && to.Name == from.Name) return true;
            }
            else if (to.Rule.Layer == use)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Row names used in MayUse that are no row: a typo in the table would silently forbid an edge.</summary>
    public static IEnumerable<string> UnknownLayers(IReadOnlyList<LayerRule> table) =>
        table.SelectMany(r => r.MayUse)
            .Select(u => u.EndsWith("({name})", StringComparison.Ordinal) ? u[..^"({name})".Length] : u)
            .Where(u => u != "*" && table.All(r => r.Layer != u))
            .Distinct();

    private static bool TryMatch(string[] pattern, string[] segments, out string? name)
    {
        name = null;
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == "**") return i == pattern.Length - 1 && segments.Length > i;
            if (i >= segments.Length) return false;
            if (pattern[i] == "{name}") name = segments[i];
            else if (pattern[i] != segments[i]) return false;
        }
        return segments.Length == pattern.Length;
    }
}
