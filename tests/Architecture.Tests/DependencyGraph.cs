namespace EdgeAgent.Architecture.Tests;

/// <summary>
/// A directed graph of names (here: namespaces). Each edge keeps the first example that made it,
/// e.g. "EdgeAgent.Alarms.AlarmEngine -> EdgeAgent.Pipeline.Sample", so a failure can say why the edge exists.
/// Self-edges are dropped: a namespace using itself is no dependency.
/// </summary>
public sealed class DependencyGraph
{
    private readonly SortedDictionary<string, SortedDictionary<string, string>> _edges = new(StringComparer.Ordinal);

    public void AddNode(string node)
    {
        if (!_edges.ContainsKey(node)) _edges[node] = new SortedDictionary<string, string>(StringComparer.Ordinal);
    }

    public void AddEdge(string from, string to, string example)
    {
        AddNode(from);
        AddNode(to);
        if (from != to) _edges[from].TryAdd(to, example);
    }

    public IEnumerable<string> Nodes => _edges.Keys;

    public int NodeCount => _edges.Count;

    public int EdgeCount => _edges.Values.Sum(s => s.Count);

    public IEnumerable<string> Successors(string node) =>
        _edges.TryGetValue(node, out var successors) ? successors.Keys : [];

    public bool HasEdge(string from, string to) => _edges.TryGetValue(from, out var s) && s.ContainsKey(to);

    public string Example(string from, string to) => _edges[from][to];

    public IEnumerable<(string From, string To, string Example)> Edges =>
        _edges.SelectMany(e => e.Value.Select(s => (e.Key, s.Key, s.Value)));
}
