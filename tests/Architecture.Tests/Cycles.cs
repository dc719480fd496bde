namespace EdgeAgent.Architecture.Tests;

/// <summary>Cycle finding on a <see cref="DependencyGraph"/>: Tarjan's strongly connected components, then readable cycles.</summary>
public static class Cycles
{
    /// <summary>
    /// Tarjan's algorithm. Returns only the components of more than one node, i.e. the nodes that depend on
    /// themselves through another; each component sorted, components ordered by their first node.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> StronglyConnectedComponents(DependencyGraph graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var lowLink = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var components = new List<IReadOnlyList<string>>();
        var next = 0;

        void Connect(string v)
        {
            index[v] = lowLink[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.Successors(v))
            {
                if (!index.ContainsKey(w))
                {
                    Connect(w);
                    lowLink[v] = Math.Min(lowLink[v], lowLink[w]);
                }
                else if (onStack.Contains(w))
                {
                    lowLink[v] = Math.Min(lowLink[v], index[w]);
                }
            }
            if (lowLink[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do
            {
                x = stack.Pop();
                onStack.Remove(x);
                component.Add(x);
            } while (x != v);
            if (component.Count > 1) components.Add(component.Order(StringComparer.Ordinal).ToList());
        }

        foreach (var node in graph.Nodes)
            if (!index.ContainsKey(node)) Connect(node);
        return components.OrderBy(c => c[0], StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Cycles inside one strongly connected component that together use every edge of it, so each offending edge
    /// is shown at least once: for each edge u -> v not yet shown, the cycle u -> v ~> u with the shortest way back.
    /// Each cycle is a path whose first and last node are the same, e.g. [a, b, c, a]. Shortest cycles first.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> CoveringCycles(DependencyGraph graph, IReadOnlyCollection<string> component)
    {
        var members = new HashSet<string>(component, StringComparer.Ordinal);
        var shown = new HashSet<(string, string)>();
        var cycles = new List<IReadOnlyList<string>>();
        foreach (var u in component.Order(StringComparer.Ordinal))
        {
            foreach (var v in graph.Successors(u).Where(members.Contains))
            {
                if (shown.Contains((u, v))) continue;
                var back = ShortestPath(graph, v, u, members)
                    ?? throw new InvalidOperationException($"{u} and {v} are not strongly connected");
                var cycle = new List<string> { u };
                cycle.AddRange(back);
                for (var i = 0; i + 1 < cycle.Count; i++) shown.Add((cycle[i], cycle[i + 1]));
                cycles.Add(cycle);
            }
        }
        return cycles.OrderBy(c => c.Count).ToList();
    }

    /// <summary>Breadth-first shortest path from → to using only <paramref name="within"/>; both ends included, null when none.</summary>
    private static List<string>? ShortestPath(DependencyGraph graph, string from, string to, HashSet<string> within)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal) { [from] = from };
        var queue = new Queue<string>([from]);
        while (queue.Count > 0)
        {
            var n = queue.Dequeue();
            if (n == to)
            {
                var path = new List<string> { to };
                while (path[^1] != from) path.Add(previous[path[^1]]);
                path.Reverse();
                return path;
            }
            foreach (var s in graph.Successors(n).Where(within.Contains))
                if (previous.TryAdd(s, n)) queue.Enqueue(s);
        }
        return null;
    }
}
