using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeAgent.Tests.Support;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Influx;

/// <summary>
/// One short run of the SPC press (a characteristic with a shift, equipment, alarms) writing through <c>version: 1</c>
/// to a real influxdb 1.6 started for the class; the tests then read it back with InfluxQL.
/// </summary>
public sealed class InfluxDb1Run : IAsyncLifetime
{
    public const string Database = "edge";

    internal InfluxDb1 Server { get; private set; } = null!;

    public long Written { get; private set; }

    public long Failed { get; private set; }

    public long Dropped { get; private set; }

    public long Before { get; private set; }

    public long After { get; private set; }

    public async Task InitializeAsync()
    {
        Server = await InfluxDb1.StartNewAsync(auth: true, Database);
        Before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var agent = await InfluxAgent.StartAsync(new NullOutput(), InfluxAgent.Spc,
            $"{{ version: 1, url: \"{Server.Url}\", database: {Database}, retention: autogen, user: {InfluxDb1.Admin}, password: {InfluxDb1.AdminPassword}, flushInterval: 100ms }}");
        await agent.WaitUntilAsync(async () =>
            {
                var rows = await Server.RowsAsync("SELECT count(\"cpk\") FROM capability; SELECT count(\"code\") FROM equipment_state", Database);
                var alarms = await Server.RowsAsync("SELECT count(\"value\") FROM alarms", Database);
                var violations = await Server.RowsAsync("SELECT count(\"value\") FROM spc WHERE violations > 0", Database);
                var states = await Server.RowsAsync("SELECT count(\"code\") FROM equipment_state", Database);
                return rows.Count > 0 && alarms.Count > 0 && violations.Count > 0 && states.Count > 0 && states[0]["count"].GetInt64() >= 3;
            },
            TimeSpan.FromSeconds(60), "capability, alarms, violations and three equipment states in influxdb");
        await agent.StopAsync();
        After = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        (Written, Failed, Dropped) = (agent.Written, agent.Failed, agent.Dropped);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

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

/// <summary>Version 1 (<c>/write</c>, basic authentication) read back with InfluxQL, and every InfluxQL dashboard panel returns data.</summary>
public sealed class InfluxDb1Tests(InfluxDb1Run run, ITestOutputHelper output) : IClassFixture<InfluxDb1Run>
{
    private const string Db = InfluxDb1Run.Database;

    [Fact]
    public async Task Samples_arrive_with_source_tag_unit_value_quality_and_source_timestamps()
    {
        var count = await run.Server.RowsAsync("SELECT \"value\", \"quality\", \"source\", \"unit\" FROM samples WHERE \"tag\" = 'count'", Db);
        Assert.Equal(Enumerable.Range(0, count.Count).Select(i => (double)i), count.Select(r => r["value"].GetDouble()).Order());
        Assert.All(count, r => Assert.Equal("press1", r["source"].GetString()));
        Assert.All(count, r => Assert.Equal(JsonValueKind.Null, r["unit"].ValueKind));
        Assert.All(count, r => Assert.Equal(0, r["quality"].GetInt64()));
        Assert.All(count, r => Assert.InRange(r["time"].GetInt64(), run.Before, run.After));
        var units = await run.Server.RowsAsync("SHOW TAG VALUES FROM samples WITH KEY = \"unit\"", Db);
        Assert.Equal("mm", Assert.Single(units)["value"].GetString());
        Assert.Equal(0, run.Failed);
        Assert.Equal(0, run.Dropped);
        output.WriteLine($"written {run.Written} points");
    }

    [Fact]
    public async Task Spc_points_carry_limits_and_violations_per_chart_and_capability_its_five_indices()
    {
        var charts = await run.Server.RowsAsync("SHOW TAG VALUES FROM spc WITH KEY = \"chart\"", Db);
        Assert.Equal(["r", "xbar-r"], charts.Select(r => r["value"].GetString()).Order());
        var limited = await run.Server.RowsAsync("SELECT \"value\", \"center\", \"ucl\", \"lcl\", \"violations\" FROM spc WHERE \"characteristic\" = 'press1.diameter' AND \"chart\" = 'xbar-r' AND \"ucl\" > 0", Db);
        Assert.NotEmpty(limited);
        Assert.All(limited, r => Assert.True(r["lcl"].GetDouble() < r["center"].GetDouble() && r["center"].GetDouble() < r["ucl"].GetDouble()));
        Assert.Contains(limited, r => r["violations"].GetInt64() >= 1);
        var capability = await run.Server.RowsAsync("SELECT last(\"cp\") AS cp, last(\"cpk\") AS cpk, last(\"pp\") AS pp, last(\"ppk\") AS ppk, last(\"cpm\") AS cpm FROM capability WHERE \"characteristic\" = 'press1.diameter'", Db);
        var last = Assert.Single(capability);
        foreach (var index in (string[])["cp", "cpk", "pp", "ppk", "cpm"])
        {
            Assert.Equal(JsonValueKind.Number, last[index].ValueKind);
        }
    }

    [Fact]
    public async Task Alarms_and_equipment_states_keep_their_string_fields()
    {
        var alarms = await run.Server.RowsAsync("SELECT \"state\", \"value\", \"id\", \"rule\", \"priority\" FROM alarms WHERE \"characteristic\" = 'press1.diameter'", Db);
        Assert.Contains(alarms, r => r["state"].GetString() == "active" && r["id"].GetString() == $"press1.diameter/{r["rule"].GetString()}");
        Assert.All(alarms, r => Assert.Equal("medium", r["priority"].GetString()));
        var states = await run.Server.RowsAsync("SELECT \"state\", \"code\" FROM equipment_state WHERE \"equipment\" = 'press1'", Db);
        Assert.Contains(states, r => r["state"].GetString() == "running" && r["code"].GetInt64() == 2);
        Assert.Contains(states, r => r["state"].GetString() == "idle" && r["code"].GetInt64() == 1);
    }

    /// <summary>
    /// Every dashboard in config/grafana/dashboards with an InfluxDB datasource: its template variables are resolved by
    /// running their own queries, the Grafana macros are substituted, and each InfluxQL panel query must return data.
    /// Panels of other datasources (PromQL) are left to the Prometheus tests.
    /// </summary>
    [Fact]
    public async Task Every_influxql_panel_of_every_dashboard_returns_data()
    {
        var checkedQueries = 0;
        var failures = new List<string>();
        foreach (var file in Directory.GetFiles(Repo.PathOf("config", "grafana", "dashboards"), "*.json").Order(StringComparer.Ordinal))
        {
            var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
            var name = Path.GetFileName(file);
            var values = new Dictionary<string, string>
            {
                ["timeFilter"] = "time > now() - 1h",
                ["__interval"] = "1s",
                ["__interval_ms"] = "1000",
            };
            foreach (var variable in dashboard["templating"]?["list"]?.AsArray() ?? [])
            {
                if (!IsInflux(variable!["datasource"]))
                {
                    continue;
                }

                var query = GrafanaDashboard.Substitute(GrafanaDashboard.Query(variable["query"]), values);
                var rows = await run.Server.RowsAsync(query, Db);
                var found = rows.Select(r => r["value"].GetString()!).Order(StringComparer.Ordinal).ToList();
                Assert.True(found.Count > 0, $"{name}: variable {variable["name"]} ({query}) has no values");
                values[(string)variable["name"]!] = variable["multi"]?.GetValue<bool>() == true
                    ? $"({string.Join('|', found.Select(Regex.Escape))})"
                    : found[0];
            }

            foreach (var panel in GrafanaDashboard.Panels(dashboard))
            {
                foreach (var target in panel["targets"]?.AsArray() ?? [])
                {
                    if (!IsInflux(target!["datasource"] ?? panel["datasource"]))
                    {
                        continue;
                    }

                    var query = GrafanaDashboard.Substitute((string)target["query"]!, values);
                    checkedQueries++;
                    try
                    {
                        var rows = await run.Server.RowsAsync(query, Db);
                        if (!rows.Any(r => r.Any(kv => kv.Key != "time" && kv.Value.ValueKind is not JsonValueKind.Null)))
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

        Assert.True(checkedQueries > 0, "no InfluxQL panel found in config/grafana/dashboards");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        output.WriteLine($"{checkedQueries} InfluxQL panel queries returned data");
    }

    private static bool IsInflux(JsonNode? datasource) => GrafanaDashboard.IsDatasource(datasource, "influxdb", "edgeagent-influx");
}
