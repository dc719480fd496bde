using System.Globalization;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Influx;

/// <summary>Version 2 (<c>/api/v2/write</c>) against a real victoria-metrics started by the test.</summary>
public sealed class VictoriaMetricsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Samples_spc_capability_and_equipment_state_arrive_with_their_tags_values_and_source_timestamps()
    {
        await using var vm = await VictoriaMetrics.StartNewAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var agent = await InfluxAgent.StartAsync(output, InfluxAgent.Spc,
            $"{{ url: \"{vm.Url}\", org: acme, bucket: edge, token: secret, flushInterval: 100ms }}");
        await agent.WaitUntilAsync(
            async () => (await vm.ExportAsync("{__name__=\"capability_cpk\"}")).Count > 0
                && (await vm.ExportAsync("{__name__=\"equipment_state_code\"}")).SelectMany(s => s.Values).Distinct().Count() >= 2
                && (await vm.ExportAsync("{__name__=\"spc_violations\"}")).SelectMany(s => s.Values).Any(v => v >= 1)
                && (await vm.ExportAsync("{__name__=\"alarms_value\"}")).Count > 0,
            TimeSpan.FromSeconds(60), "capability, two equipment states, a rule violation and an alarm in victoria-metrics");
        await agent.StopAsync();
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // samples: value and quality per tag, tags source/tag/unit, the counter counting 0, 1, 2 … at its source timestamps.
        var count = Assert.Single(await vm.ExportAsync("{__name__=\"samples_value\",tag=\"count\"}"));
        Assert.Equal("press1", count.Labels["source"]);
        Assert.False(count.Labels.ContainsKey("unit"), "a tag without unit has no unit tag");
        Assert.Equal(Enumerable.Range(0, count.Values.Count).Select(i => (double)i), count.Values.Order());
        Assert.All(count.Timestamps, t => Assert.InRange(t, before, after));
        var diameter = Assert.Single(await vm.ExportAsync("{__name__=\"samples_value\",tag=\"diameter\"}"));
        Assert.Equal("mm", diameter.Labels["unit"]);
        Assert.All(diameter.Values, v => Assert.InRange(v, 9.8, 10.2));
        var quality = await vm.ExportAsync("{__name__=\"samples_quality\"}");
        Assert.Equal(3, quality.Count);
        Assert.All(quality.SelectMany(s => s.Values), q => Assert.Equal(0, q));

        // spc: the primary chart and its secondary (r), limits once the baseline is in, violations after the shift.
        var spc = await vm.ExportAsync("{__name__=~\"spc_.*\",characteristic=\"press1.diameter\"}");
        Assert.Contains(spc, s => s.Labels["__name__"] == "spc_value" && s.Labels["chart"] == "xbar-r");
        Assert.Contains(spc, s => s.Labels["__name__"] == "spc_value" && s.Labels["chart"] == "r");
        Assert.Contains(spc, s => s.Labels["__name__"] == "spc_ucl" && s.Labels["chart"] == "xbar-r");
        var violations = Assert.Single(spc, s => s.Labels["__name__"] == "spc_violations");
        Assert.Contains(violations.Values, v => v >= 1);
        var xbar = Assert.Single(spc, s => s.Labels["__name__"] == "spc_value" && s.Labels["chart"] == "xbar-r");
        var center = Assert.Single(spc, s => s.Labels["__name__"] == "spc_center" && s.Labels["chart"] == "xbar-r");
        Assert.All(center.Values, c => Assert.InRange(c, 9.98, 10.02));
        Assert.True(xbar.Values.Count > center.Values.Count, "baseline points carry no limits");

        // capability and equipment state.
        foreach (var field in (string[])["cp", "cpk", "pp", "ppk", "cpm"])
        {
            var series = Assert.Single(await vm.ExportAsync($"{{__name__=\"capability_{field}\"}}"));
            Assert.Equal("press1.diameter", series.Labels["characteristic"]);
        }

        var code = Assert.Single(await vm.ExportAsync("{__name__=\"equipment_state_code\"}"));
        Assert.Equal("press1", code.Labels["equipment"]);
        Assert.Subset(new HashSet<double> { 1, 2 }, code.Values.ToHashSet());

        // alarms: victoria-metrics keeps numeric fields only (state and id are strings): the value of each transition.
        var alarms = await vm.ExportAsync("{__name__=\"alarms_value\"}");
        Assert.Contains(alarms, s => s.Labels["characteristic"] == "press1.diameter" && s.Labels.ContainsKey("rule") && s.Labels["priority"] == "medium");

        Assert.Equal(0, agent.Failed);
        Assert.Equal(0, agent.Dropped);
        output.WriteLine($"written {agent.Written} points, {count.Values.Count} counter values");
    }

    [Fact]
    public async Task A_counter_series_has_no_hole_after_victoria_metrics_is_stopped_and_restarted_mid_run()
    {
        await using var vm = await VictoriaMetrics.StartNewAsync();
        await using var agent = await InfluxAgent.StartAsync(output, InfluxAgent.Counter,
            $"{{ url: \"{vm.Url}\", bucket: edge, flushInterval: 100ms, timeout: 1s, retryMax: 1s, queueMemory: 4KB }}");
        await agent.WaitUntilAsync(() => agent.Written >= 20, TimeSpan.FromSeconds(30), "20 points written");

        await vm.StopAsync();
        var writtenAtStop = agent.Written;
        await agent.WaitUntilAsync(() => agent.Retries >= 3 && agent.Instance.Sinks.OfType<EdgeAgent.Outputs.Influx.InfluxSink>().Single().SpilledBytes > 0,
            TimeSpan.FromSeconds(30), "three failed attempts and batches spilled to disk");
        Assert.Single(agent.Logged(352)); // one warning for the outage, not one per retry
        await vm.StartAsync();
        await agent.WaitUntilAsync(() => agent.Written > writtenAtStop + 100 && agent.Instance.Sinks.OfType<EdgeAgent.Outputs.Influx.InfluxSink>().Single().PendingPoints < 10,
            TimeSpan.FromSeconds(60), "the backlog replayed and live points written again");
        await agent.StopAsync();

        var series = Assert.Single(await vm.ExportAsync("{__name__=\"samples_value\",tag=\"count\"}"));
        var values = series.Values.Select(v => (long)v).Distinct().Order().ToList();
        var holes = Enumerable.Range(0, (int)values[^1] + 1).Select(i => (long)i).Except(values).ToList();
        Assert.True(holes.Count == 0, $"missing counter values: {string.Join(", ", holes.Take(20))} of 0..{values[^1]}");
        Assert.Equal(0, agent.Dropped);
        Assert.Equal(0, agent.Failed);
        Assert.Empty(Directory.GetFiles(Path.Combine(agent.Dir, "data", "influx")));
        output.WriteLine($"0..{values[^1].ToString(CultureInfo.InvariantCulture)} without a hole, {agent.Retries} retries");
    }
}
