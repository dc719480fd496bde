using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeAgent.Tests.Influx;
using EdgeAgent.Tests.Mqtt;
using EdgeAgent.Tests.Support;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Prometheus;

/// <summary>
/// The SPC press (a shifted characteristic raising alarms, equipment) publishing to a real mosquitto and writing to a
/// real victoria-metrics, with a real prometheus scraping its <c>/metrics</c> every second; the agent keeps running
/// while the class's tests query prometheus.
/// </summary>
public sealed class ScrapeRun : IAsyncLifetime
{
    private Mosquitto? _broker;
    private VictoriaMetrics? _influx;

    internal EndpointAgent Agent { get; private set; } = null!;

    internal PrometheusServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _broker = await Mosquitto.StartAsync();
        _influx = await VictoriaMetrics.StartNewAsync();
        Agent = await EndpointAgent.StartAsync(new NullOutput(), InfluxAgent.Spc,
            $"  mqtt: {{ broker: \"{_broker.Url}\", format: json }}\n  influxdb: {{ url: \"{_influx.Url}\", org: acme, bucket: edge, flushInterval: 100ms }}");
        Server = await PrometheusServer.StartNewAsync(Agent.Target);

        // Enough scrapes for rate() and histogram_quantile() over the dashboards' windows, with alarms raised and
        // SPC messages through the outbox (publish latency) in them.
        await Agent.WaitUntilAsync(async () =>
            {
                var scrapes = await Server.QueryAsync($"count_over_time(up{{job=\"{PrometheusServer.Job}\"}}[1m])");
                var alarms = await Server.QueryAsync("edgeagent_alarms_active");
                var published = await Server.QueryAsync("edgeagent_publish_latency_seconds_count");
                var n = scrapes.Count == 0 ? 0 : scrapes[0].Value;
                return (n >= 10 && alarms.Any(a => a.Value > 0) && published.Any(p => p.Value > 0), $"{n} scrapes, alarms {alarms.FirstOrDefault().Value}, published {published.FirstOrDefault().Value}");
            },
            TimeSpan.FromSeconds(90), "ten scrapes with alarms active and messages published");
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (Agent is not null)
        {
            await Agent.DisposeAsync();
        }

        if (_influx is not null)
        {
            await _influx.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    private sealed class NullOutput : ITestOutputHelper
    {
        public void WriteLine(string message)
        {
        }

        public void WriteLine(string format, params object[] args)
        {
        }
    }
}

/// <summary>prometheus scrapes the agent: the target is up, the contract's metrics are there, and every PromQL panel of every dashboard returns data.</summary>
public sealed class ScrapeTests(ScrapeRun run, ITestOutputHelper output) : IClassFixture<ScrapeRun>
{
    /// <summary>The metric names users, dashboards and alert rules rely on (README "Metrics"); label names in braces.</summary>
    public static readonly TheoryData<string, string> Contract = new()
    {
        { "edgeagent_samples_total", "source" },
        { "edgeagent_source_up", "source" },
        { "edgeagent_read_errors_total", "source" },
        { "edgeagent_poll_duration_seconds_bucket", "source" },
        { "edgeagent_outbox_pending", string.Empty },
        { "edgeagent_dropped_total", "queue" },
        { "edgeagent_alarms_active", string.Empty },
        { "edgeagent_publish_latency_seconds_bucket", string.Empty },
        { "edgeagent_influx_points_total", "result" },
        { "process_cpu_seconds_total", string.Empty },
        { "process_resident_memory_bytes", string.Empty },
        { "dotnet_gc_collections_total", "generation" },
    };

    [Fact]
    public async Task Prometheus_sees_the_target_up_and_parses_every_scrape()
    {
        var target = Assert.Single(await run.Server.TargetsAsync());
        Assert.Equal($"{run.Agent.Url}/metrics", target.Url);
        Assert.Equal("up", target.Health);
        Assert.Equal(string.Empty, target.LastError);
        var up = Assert.Single(await run.Server.QueryAsync($"min_over_time(up{{job=\"{PrometheusServer.Job}\"}}[1m])"));
        Assert.Equal(1, up.Value); // every scrape of the last minute succeeded (a parse error makes up 0)
    }

    [Theory]
    [MemberData(nameof(Contract))]
    public async Task A_contract_metric_is_scraped_under_its_name_with_its_label(string name, string label)
    {
        var series = await run.Server.QueryAsync(name);
        Assert.True(series.Count > 0, $"{name} is not in prometheus");
        if (label.Length > 0)
        {
            Assert.All(series, s => Assert.True(s.Labels.ContainsKey(label), $"{name} has no label {label}: {string.Join(",", s.Labels.Keys)}"));
        }
    }

    [Fact]
    public async Task Counters_and_gauges_carry_what_the_agent_counts()
    {
        var samples = Assert.Single(await run.Server.QueryAsync("edgeagent_samples_total{source=\"press1\"}"));
        Assert.True(samples.Value > 0);
        Assert.Equal(1, Assert.Single(await run.Server.QueryAsync("edgeagent_source_up{source=\"press1\"}")).Value);
        var written = Assert.Single(await run.Server.QueryAsync("edgeagent_influx_points_total{result=\"written\"}"));
        Assert.True(written.Value > 0);
        var polls = Assert.Single(await run.Server.QueryAsync("edgeagent_poll_duration_seconds_count{source=\"press1\"}"));
        var inf = Assert.Single(await run.Server.QueryAsync("edgeagent_poll_duration_seconds_bucket{source=\"press1\",le=\"+Inf\"}"));
        Assert.True(polls.Value > 0);
        Assert.Equal(polls.Value, inf.Value);
    }

    /// <summary>
    /// Every dashboard in config/grafana/dashboards: its Prometheus template variables are resolved with their own
    /// <c>label_values(…)</c> against this prometheus, Grafana's interval macros are substituted, and each PromQL panel
    /// query must return at least one finite value. InfluxQL panels are left to the InfluxDB tests.
    /// </summary>
    [Fact]
    public async Task Every_promql_panel_of_every_dashboard_returns_data()
    {
        List<string> failures = [];
        var checkedQueries = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        do
        {
            (failures, checkedQueries) = await CheckDashboardsAsync();
            if (failures.Count == 0 || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(1000); // a panel over rate() may need one more scrape; bounded by the deadline
        }
        while (true);

        Assert.True(checkedQueries > 0, "no PromQL panel found in config/grafana/dashboards");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        output.WriteLine($"{checkedQueries} PromQL panel queries returned data");
    }

    private async Task<(List<string> Failures, int Checked)> CheckDashboardsAsync()
    {
        var failures = new List<string>();
        var checkedQueries = 0;
        foreach (var file in Directory.GetFiles(Repo.PathOf("config", "grafana", "dashboards"), "*.json").Order(StringComparer.Ordinal))
        {
            var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
            var name = Path.GetFileName(file);
            var values = new Dictionary<string, string>
            {
                ["__rate_interval"] = "30s",
                ["__interval"] = "5s",
                ["__interval_ms"] = "5000",
                ["__range"] = "1m",
            };
            foreach (var variable in dashboard["templating"]?["list"]?.AsArray() ?? [])
            {
                if (!IsPrometheus(variable!["datasource"]))
                {
                    continue;
                }

                var query = GrafanaDashboard.Substitute(GrafanaDashboard.Query(variable["query"]), values);
                var match = Regex.Match(query, @"^label_values\((?:(?<selector>.+),\s*)?(?<label>\w+)\)$");
                Assert.True(match.Success, $"{name}: variable {variable["name"]}: only label_values(selector, label) is resolved here, found {query}");
                var selector = match.Groups["selector"].Success ? match.Groups["selector"].Value : "{" + match.Groups["label"].Value + "!=\"\"}";
                var found = await run.Server.LabelValuesAsync(selector, match.Groups["label"].Value);
                if (found.Count == 0)
                {
                    failures.Add($"{name}: variable {variable["name"]} ({query}) has no values");
                    continue;
                }

                values[(string)variable["name"]!] = variable["multi"]?.GetValue<bool>() == true || variable["includeAll"]?.GetValue<bool>() == true
                    ? $"({string.Join('|', found.Select(v => Regex.Escape(v).Replace("\\", "\\\\", StringComparison.Ordinal)))})" // as Grafana: regex-escaped, then escaped again for the PromQL string
                    : found[0];
            }

            foreach (var panel in GrafanaDashboard.Panels(dashboard))
            {
                foreach (var target in panel["targets"]?.AsArray() ?? [])
                {
                    if (!IsPrometheus(target!["datasource"] ?? panel["datasource"]))
                    {
                        continue;
                    }

                    var query = GrafanaDashboard.Substitute((string)target["expr"]!, values);
                    checkedQueries++;
                    try
                    {
                        var result = await run.Server.QueryAsync(query);
                        if (!result.Any(r => double.IsFinite(r.Value)))
                        {
                            failures.Add($"{name}: panel '{panel["title"]}' {target["refId"]}: no data for {query}");
                        }
                    }
                    catch (InvalidOperationException ex)
                    {
                        failures.Add($"{name}: panel '{panel["title"]}' {target["refId"]}: {ex.Message}");
                    }
                }
            }
        }

        return (failures, checkedQueries);
    }

    private static bool IsPrometheus(JsonNode? datasource) => GrafanaDashboard.IsDatasource(datasource, "prometheus", "edgeagent-prometheus");
}
