using System.Collections.Concurrent;

namespace EdgeAgent.Pipeline;

/// <summary>
/// The agent's own counters, gauges and histograms, named as the Prometheus metrics they become (edgeagent_*). Lock-free
/// updates; labelled series are created once (at start) and cached by their owners, so the hot path never allocates.
/// A series whose name ends in <c>_total</c> is a counter, any other <see cref="Counter"/> a gauge.
/// </summary>
public sealed class AgentMetrics
{
    /// <summary>
    /// Upper bounds (seconds) of the duration histograms: 1 ms to 10 s, the range between a loopback Modbus poll and a
    /// device that times out.
    /// </summary>
    public static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly ConcurrentDictionary<(string Name, string Label, string Value), Counter> _series = new();
    private readonly ConcurrentDictionary<(string Name, string Label, string Value), Histogram> _histograms = new();
    private readonly object _addGate = new();
    private int _version;

    /// <summary>Process-wide instance used by the running agent.</summary>
    public static AgentMetrics Default { get; } = new();

    /// <summary>Grows by one whenever a series is added: a reader caches its layout and rebuilds it only on a change.</summary>
    public int Version => Volatile.Read(ref _version);

    public Counter Get(string name, string label, string value)
    {
        var key = (name, label, value);
        if (_series.TryGetValue(key, out var counter))
        {
            return counter;
        }

        lock (_addGate)
        {
            if (!_series.TryGetValue(key, out counter))
            {
                counter = new Counter();
                _series[key] = counter;
                Interlocked.Increment(ref _version);
            }

            return counter;
        }
    }

    /// <summary>The histogram <paramref name="name"/>{<paramref name="label"/>="<paramref name="value"/>"} with <see cref="DurationBuckets"/>.</summary>
    public Histogram GetHistogram(string name, string label, string value)
    {
        var key = (name, label, value);
        if (_histograms.TryGetValue(key, out var histogram))
        {
            return histogram;
        }

        lock (_addGate)
        {
            if (!_histograms.TryGetValue(key, out histogram))
            {
                histogram = new Histogram(DurationBuckets);
                _histograms[key] = histogram;
                Interlocked.Increment(ref _version);
            }

            return histogram;
        }
    }

    public Counter SamplesTotal(string source) => Get("edgeagent_samples_total", "source", source);
    public Counter ReadErrorsTotal(string source) => Get("edgeagent_read_errors_total", "source", source);
    public Counter SourceUp(string source) => Get("edgeagent_source_up", "source", source);
    public Counter DroppedTotal(string queue) => Get("edgeagent_dropped_total", "queue", queue);
    public Counter Gauge(string name) => Get(name, string.Empty, string.Empty);

    /// <summary>How long one poll of <paramref name="source"/> took (request to last response).</summary>
    public Histogram PollDuration(string source) => GetHistogram("edgeagent_poll_duration_seconds", "source", source);

    /// <summary>How long an outgoing message waited between being made and being handed to its broker.</summary>
    public Histogram PublishLatency() => GetHistogram("edgeagent_publish_latency_seconds", string.Empty, string.Empty);

    /// <summary>Every counter and gauge (a snapshot; allocates: for readers, not for the hot path).</summary>
    public IEnumerable<((string Name, string Label, string Value) Key, Counter Counter)> All() =>
        _series.Select(kv => (kv.Key, kv.Value)).ToArray();

    /// <summary>Every histogram (a snapshot; allocates: for readers, not for the hot path).</summary>
    public IEnumerable<((string Name, string Label, string Value) Key, Histogram Histogram)> Histograms() =>
        _histograms.Select(kv => (kv.Key, kv.Value)).ToArray();

    /// <summary>A 64-bit counter or gauge (Set), safe to update from any thread.</summary>
    public sealed class Counter
    {
        private long _value;

        public long Value => Interlocked.Read(ref _value);

        public void Inc() => Interlocked.Increment(ref _value);

        public void Add(long n) => Interlocked.Add(ref _value, n);

        public void Set(long v) => Interlocked.Exchange(ref _value, v);
    }

    /// <summary>
    /// A histogram of durations with fixed upper bounds: <see cref="Observe"/> is two interlocked adds and a search in a
    /// dozen bounds, allocation-free. Buckets are kept per bucket (not cumulative); readers add them up, so the
    /// <c>+Inf</c> bucket always equals the count they report.
    /// </summary>
    public sealed class Histogram
    {
        private readonly long[] _boundTicks;
        private readonly long[] _counts;
        private long _sumTicks;

        public Histogram(double[] boundsSeconds)
        {
            Bounds = boundsSeconds;
            _boundTicks = new long[boundsSeconds.Length];
            for (var i = 0; i < boundsSeconds.Length; i++)
            {
                _boundTicks[i] = (long)(boundsSeconds[i] * TimeSpan.TicksPerSecond);
            }

            _counts = new long[boundsSeconds.Length + 1];
        }

        /// <summary>The upper bounds in seconds, ascending; the last bucket (+Inf) is implied.</summary>
        public IReadOnlyList<double> Bounds { get; }

        /// <summary>Sum of every observation, in seconds.</summary>
        public double SumSeconds => (double)Interlocked.Read(ref _sumTicks) / TimeSpan.TicksPerSecond;

        /// <summary>Observations in bucket <paramref name="index"/> alone (index Bounds.Count is above the last bound).</summary>
        public long BucketCount(int index) => Interlocked.Read(ref _counts[index]);

        public void Observe(TimeSpan elapsed) => ObserveTicks(elapsed.Ticks);

        public void ObserveTicks(long ticks)
        {
            if (ticks < 0)
            {
                ticks = 0; // a clock step backwards: count it in the first bucket rather than lose it
            }

            var i = 0;
            while (i < _boundTicks.Length && ticks > _boundTicks[i])
            {
                i++;
            }

            Interlocked.Increment(ref _counts[i]);
            Interlocked.Add(ref _sumTicks, ticks);
        }
    }
}
