using System.Collections.Concurrent;

namespace EdgeAgent.Pipeline;

/// <summary>
/// The agent's own counters and gauges, named as the Prometheus metrics they become (edgeagent_*). Lock-free
/// increments; labelled series are created once (at start) and cached by their owners, so the hot path never allocates.
/// </summary>
public sealed class AgentMetrics
{
    private readonly ConcurrentDictionary<(string Name, string Label, string Value), Counter> _series = new();

    /// <summary>Process-wide instance used by the running agent.</summary>
    public static AgentMetrics Default { get; } = new();

    public Counter Get(string name, string label, string value) =>
        _series.GetOrAdd((name, label, value), _ => new Counter());

    public Counter SamplesTotal(string source) => Get("edgeagent_samples_total", "source", source);
    public Counter ReadErrorsTotal(string source) => Get("edgeagent_read_errors_total", "source", source);
    public Counter SourceUp(string source) => Get("edgeagent_source_up", "source", source);
    public Counter DroppedTotal(string queue) => Get("edgeagent_dropped_total", "queue", queue);
    public Counter Gauge(string name) => Get(name, string.Empty, string.Empty);

    public IEnumerable<((string Name, string Label, string Value) Key, Counter Counter)> All() =>
        _series.Select(kv => (kv.Key, kv.Value));

    /// <summary>A 64-bit counter or gauge (Set), safe to update from any thread.</summary>
    public sealed class Counter
    {
        private long _value;

        public long Value => Interlocked.Read(ref _value);

        public void Inc() => Interlocked.Increment(ref _value);

        public void Add(long n) => Interlocked.Add(ref _value, n);

        public void Set(long v) => Interlocked.Exchange(ref _value, v);
    }
}
