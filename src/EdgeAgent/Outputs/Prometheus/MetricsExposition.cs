using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Prometheus;

/// <summary>
/// Writes <see cref="AgentMetrics"/> and the .NET runtime's figures in the Prometheus text format 0.0.4 to a buffer
/// writer (the HTTP response's pipe). Everything that does not change between scrapes (HELP/TYPE lines, every series'
/// name and escaped labels) is encoded to UTF-8 once, into a layout that is rebuilt only when a series is added
/// (<see cref="AgentMetrics.Version"/>); a scrape then copies those bytes and formats the numbers into the writer's
/// span, so it allocates nothing of its own however many series there are.
/// </summary>
/// <remarks>
/// Format (exposition_formats.md, "Text-based format"): one <c># HELP</c> and one <c># TYPE</c> line per family, then
/// all its samples together; <c>name{label="value"} number</c>; label values escape <c>\</c>, <c>"</c> and line feed;
/// a histogram is its cumulative <c>_bucket{le="…"}</c> series ending with <c>le="+Inf"</c>, then <c>_sum</c> and
/// <c>_count</c>, where <c>+Inf</c> equals <c>_count</c>.
/// </remarks>
public sealed class MetricsExposition
{
    /// <summary>The Content-Type of the text format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly Dictionary<string, string> Help = new(StringComparer.Ordinal)
    {
        ["edgeagent_samples_total"] = "Samples a source delivered into the pipeline.",
        ["edgeagent_source_up"] = "1 while the source is up, 0 while starting or down.",
        ["edgeagent_read_errors_total"] = "Polls or reads of the source that failed.",
        ["edgeagent_poll_duration_seconds"] = "Time of one poll of the source, first request to last answer.",
        ["edgeagent_outbox_pending"] = "MQTT messages queued in the outbox and not yet acknowledged by the broker.",
        ["edgeagent_dropped_total"] = "Items a bounded queue dropped, by queue.",
        ["edgeagent_alarms_active"] = "Alarms currently active.",
        ["edgeagent_publish_latency_seconds"] = "Time an outbox message waited between being made and being handed to the broker.",
        ["edgeagent_influx_points_total"] = "InfluxDB points by result: written, failed (refused by the server), dropped.",
        ["edgeagent_influx_retries_total"] = "InfluxDB write requests retried after a timeout or a 5xx.",
        ["edgeagent_influx_pending_points"] = "InfluxDB points encoded and waiting to be written (memory and disk).",
        ["edgeagent_consumer_errors_total"] = "Exceptions thrown by a sample consumer (SPC, equipment), by consumer.",
        ["edgeagent_sink_errors_total"] = "Exceptions thrown by a sink while taking samples or events, by sink.",
        ["edgeagent_mqtt_connected"] = "1 while the MQTT sink is connected to its broker.",
        ["edgeagent_mqtt_published_total"] = "MQTT messages published.",
        ["edgeagent_mqtt_rejected_total"] = "MQTT messages the broker refused (MQTT 5 reason code).",
    };

    private readonly AgentMetrics _metrics;
    private readonly RuntimeMetrics _runtime = new();
    private volatile Layout? _layout;

    public MetricsExposition(AgentMetrics metrics) => _metrics = metrics;

    /// <summary>Writes one scrape's worth of text to <paramref name="output"/>.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        var layout = _layout;
        var version = _metrics.Version;
        if (layout is null || layout.Version != version)
        {
            layout = Build(version);
            _layout = layout;
        }

        var w = new Utf8Writer(output);
        foreach (var item in layout.Items)
        {
            item.Write(ref w);
        }

        _runtime.Write(ref w);
        w.Commit();
    }

    /// <summary>The whole text as a string (tests, diagnostics; allocates).</summary>
    public string WriteToString()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private Layout Build(int version)
    {
        var counters = _metrics.All().GroupBy(s => s.Key.Name, StringComparer.Ordinal);
        var histograms = _metrics.Histograms().GroupBy(s => s.Key.Name, StringComparer.Ordinal);
        var families = new SortedDictionary<string, List<Item>>(StringComparer.Ordinal);
        foreach (var family in counters)
        {
            var type = family.Key.EndsWith("_total", StringComparison.Ordinal) ? "counter" : "gauge";
            var items = new List<Item> { new Text(Header(family.Key, type)) };
            foreach (var ((name, label, value), counter) in family.OrderBy(s => s.Key.Value, StringComparer.Ordinal))
            {
                items.Add(new CounterLine(Utf8($"{name}{Labels(label, value, null)} "), counter));
            }

            families[family.Key] = items;
        }

        foreach (var family in histograms)
        {
            var items = new List<Item> { new Text(Header(family.Key, "histogram")) };
            foreach (var ((name, label, value), histogram) in family.OrderBy(s => s.Key.Value, StringComparer.Ordinal))
            {
                var buckets = new byte[histogram.Bounds.Count + 1][];
                for (var i = 0; i < histogram.Bounds.Count; i++)
                {
                    buckets[i] = Utf8($"{name}_bucket{Labels(label, value, histogram.Bounds[i].ToString("R", CultureInfo.InvariantCulture))} ");
                }

                buckets[^1] = Utf8($"{name}_bucket{Labels(label, value, "+Inf")} ");
                items.Add(new HistogramLines(buckets, Utf8($"{name}_sum{Labels(label, value, null)} "), Utf8($"{name}_count{Labels(label, value, null)} "), histogram));
            }

            // A name used for a counter and a histogram at once cannot be exposed as both: the histogram wins, and the
            // collision shows (the counter is missing) rather than making the whole scrape unparseable.
            families[family.Key] = items;
        }

        return new Layout(version, families.Values.SelectMany(f => f).ToArray());
    }

    private static string Header(string name, string type) =>
        (Help.TryGetValue(name, out var help) ? $"# HELP {name} {help}\n" : string.Empty) + $"# TYPE {name} {type}\n";

    private static string Labels(string label, string value, string? le)
    {
        var parts = new List<string>(2);
        if (label.Length > 0)
        {
            parts.Add($"{label}=\"{Escape(value)}\"");
        }

        if (le is not null)
        {
            parts.Add($"le=\"{le}\"");
        }

        return parts.Count == 0 ? string.Empty : "{" + string.Join(',', parts) + "}";
    }

    /// <summary>Label value escaping of the text format: backslash, double quote and line feed.</summary>
    internal static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private sealed record Layout(int Version, Item[] Items);

    private abstract class Item
    {
        public abstract void Write(ref Utf8Writer w);
    }

    private sealed class Text(string text) : Item
    {
        private readonly byte[] _bytes = Utf8(text);

        public override void Write(ref Utf8Writer w) => w.Bytes(_bytes);
    }

    private sealed class CounterLine(byte[] prefix, AgentMetrics.Counter counter) : Item
    {
        public override void Write(ref Utf8Writer w)
        {
            w.Bytes(prefix);
            w.Long(counter.Value);
            w.Newline();
        }
    }

    private sealed class HistogramLines(byte[][] buckets, byte[] sum, byte[] count, AgentMetrics.Histogram histogram) : Item
    {
        public override void Write(ref Utf8Writer w)
        {
            long cumulative = 0;
            for (var i = 0; i < buckets.Length; i++)
            {
                cumulative += histogram.BucketCount(i);
                w.Bytes(buckets[i]);
                w.Long(cumulative);
                w.Newline();
            }

            w.Bytes(sum);
            w.Double(histogram.SumSeconds);
            w.Newline();
            w.Bytes(count);
            w.Long(cumulative);
            w.Newline();
        }
    }
}

/// <summary>Formats into an <see cref="IBufferWriter{T}"/>'s span and advances it in chunks; allocation-free.</summary>
internal ref struct Utf8Writer
{
    private const int Chunk = 4096;
    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _used;

    public Utf8Writer(IBufferWriter<byte> output)
    {
        _output = output;
        _span = output.GetSpan(Chunk);
        _used = 0;
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_span[_used..]);
        _used += bytes.Length;
    }

    public void Long(long value)
    {
        Ensure(20);
        Utf8Formatter.TryFormat(value, _span[_used..], out var n);
        _used += n;
    }

    public void Double(double value)
    {
        if (double.IsNaN(value))
        {
            Bytes("NaN"u8);
            return;
        }

        if (double.IsInfinity(value))
        {
            Bytes(value > 0 ? "+Inf"u8 : "-Inf"u8);
            return;
        }

        Ensure(32);
        value.TryFormat(_span[_used..], out var n, "R", CultureInfo.InvariantCulture);
        _used += n;
    }

    public void Newline() => Bytes("\n"u8);

    public void Commit()
    {
        _output.Advance(_used);
        _used = 0;
        _span = default;
    }

    private void Ensure(int length)
    {
        if (_span.Length - _used >= length)
        {
            return;
        }

        _output.Advance(_used);
        _used = 0;
        _span = _output.GetSpan(Math.Max(length, Chunk));
    }
}
