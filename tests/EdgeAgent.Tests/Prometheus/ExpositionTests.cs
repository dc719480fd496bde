using System.Buffers;
using System.Globalization;
using System.Text.RegularExpressions;
using EdgeAgent.Outputs.Prometheus;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Tests.Prometheus;

/// <summary>The text the endpoint serves, checked line by line against the text format 0.0.4, and what counting and scraping allocate.</summary>
public sealed partial class ExpositionTests
{
    [Fact]
    public void Every_line_is_a_help_a_type_or_a_sample_of_the_family_typed_last_and_no_family_repeats()
    {
        var metrics = Populated();
        var text = new MetricsExposition(metrics).WriteToString();
        Assert.EndsWith("\n", text);
        var typed = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            if (TypeLine().Match(line) is { Success: true } type)
            {
                var name = type.Groups["name"].Value;
                Assert.True(typed.TryAdd(name, type.Groups["type"].Value), $"family {name} typed twice");
                current = name;
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                Assert.Matches(HelpLine(), line);
                continue;
            }

            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"not a sample line: {line}");
            var family = sample.Groups["name"].Value;
            if (typed.GetValueOrDefault(current ?? string.Empty) == "histogram")
            {
                family = HistogramSuffix().Replace(family, string.Empty);
            }

            Assert.True(family == current, $"{line} is not in its family's block (current {current})");
        }

        Assert.Equal("counter", typed["edgeagent_samples_total"]);
        Assert.Equal("gauge", typed["edgeagent_source_up"]);
        Assert.Equal("gauge", typed["edgeagent_outbox_pending"]);
        Assert.Equal("histogram", typed["edgeagent_poll_duration_seconds"]);
        Assert.Equal("counter", typed["process_cpu_seconds_total"]);
    }

    [Fact]
    public void Label_values_escape_backslash_quote_and_line_feed()
    {
        var metrics = new AgentMetrics();
        metrics.SamplesTotal("a\"b\\c\nd").Add(3);
        var text = new MetricsExposition(metrics).WriteToString();
        Assert.Contains("edgeagent_samples_total{source=\"a\\\"b\\\\c\\nd\"} 3\n", text);
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_and_inf_equals_count()
    {
        var metrics = new AgentMetrics();
        var poll = metrics.PollDuration("plc1");
        poll.Observe(TimeSpan.FromMilliseconds(0.5));
        poll.Observe(TimeSpan.FromMilliseconds(3));
        poll.Observe(TimeSpan.FromMilliseconds(3));
        poll.Observe(TimeSpan.FromSeconds(20));
        var text = new MetricsExposition(metrics).WriteToString();
        Assert.Contains("edgeagent_poll_duration_seconds_bucket{source=\"plc1\",le=\"0.001\"} 1\n", text);
        Assert.Contains("edgeagent_poll_duration_seconds_bucket{source=\"plc1\",le=\"0.0025\"} 1\n", text);
        Assert.Contains("edgeagent_poll_duration_seconds_bucket{source=\"plc1\",le=\"0.005\"} 3\n", text);
        Assert.Contains("edgeagent_poll_duration_seconds_bucket{source=\"plc1\",le=\"10\"} 3\n", text);
        Assert.Contains("edgeagent_poll_duration_seconds_bucket{source=\"plc1\",le=\"+Inf\"} 4\n", text);
        Assert.Contains("edgeagent_poll_duration_seconds_count{source=\"plc1\"} 4\n", text);
        var sum = Regex.Match(text, "edgeagent_poll_duration_seconds_sum\\{source=\"plc1\"\\} (\\S+)\n");
        Assert.Equal(20.0065, double.Parse(sum.Groups[1].Value, CultureInfo.InvariantCulture), 6);
    }

    [Fact]
    public void A_series_added_after_a_scrape_is_in_the_next_one()
    {
        var metrics = new AgentMetrics();
        var exposition = new MetricsExposition(metrics);
        Assert.DoesNotContain("edgeagent_samples_total{source=\"late\"}", exposition.WriteToString());
        metrics.SamplesTotal("late").Inc();
        Assert.Contains("edgeagent_samples_total{source=\"late\"} 1\n", exposition.WriteToString());
    }

    [Fact]
    public void Counting_and_observing_allocate_nothing()
    {
        var metrics = new AgentMetrics();
        var counter = metrics.SamplesTotal("s");
        var histogram = metrics.PollDuration("s");
        counter.Inc();
        histogram.ObserveTicks(1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            counter.Inc();
            counter.Add(2);
            histogram.ObserveTicks(i * 1000L);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_scrape_of_an_unchanged_set_of_series_allocates_nothing_of_its_own()
    {
        var metrics = Populated();
        var exposition = new MetricsExposition(metrics);
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        exposition.Write(buffer); // builds the layout once
        buffer.ResetWrittenCount();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            exposition.Write(buffer);
            buffer.ResetWrittenCount();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static AgentMetrics Populated()
    {
        var metrics = new AgentMetrics();
        foreach (var source in (string[])["press1", "press2", "gauge1"])
        {
            metrics.SamplesTotal(source).Add(10);
            metrics.SourceUp(source).Set(1);
            metrics.ReadErrorsTotal(source).Inc();
            metrics.PollDuration(source).Observe(TimeSpan.FromMilliseconds(4));
        }

        metrics.Gauge("edgeagent_outbox_pending").Set(5);
        metrics.DroppedTotal("samples");
        metrics.DroppedTotal("outbox").Add(2);
        metrics.PublishLatency().Observe(TimeSpan.FromMilliseconds(30));
        return metrics;
    }

    [GeneratedRegex(@"^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* \S.*$")]
    private static partial Regex HelpLine();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*=""(\\.|[^""\\])*""(,[a-zA-Z_][a-zA-Z0-9_]*=""(\\.|[^""\\])*"")*\})? (-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|[+-]Inf)$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"_(bucket|sum|count)$")]
    private static partial Regex HistogramSuffix();
}
