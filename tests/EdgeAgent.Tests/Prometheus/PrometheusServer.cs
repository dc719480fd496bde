using System.Text.Json;
using EdgeAgent.Tests.Influx;

namespace EdgeAgent.Tests.Prometheus;

/// <summary>
/// Debian's prometheus, started on a free loopback port with its own config (one job, <c>edgeagent</c>, scraping the
/// given targets every second) and its own TSDB folder; stopped by its process id.
/// </summary>
internal sealed class PrometheusServer : PeerProcess
{
    public const string Job = "edgeagent";

    private PrometheusServer(IEnumerable<string> targets)
        : base("prometheus")
    {
        var list = string.Join(", ", targets.Select(t => $"\"{t}\""));
        File.WriteAllText(Path.Combine(Dir, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: {Job}
                static_configs:
                  - targets: [{list}]
            """);
    }

    protected override string Executable => "/usr/bin/prometheus";

    protected override IEnumerable<string> Arguments =>
    [
        $"--config.file={Path.Combine(Dir, "prometheus.yml")}",
        $"--storage.tsdb.path={Path.Combine(Dir, "data")}",
        $"--web.listen-address=127.0.0.1:{Port}",
        "--log.level=warn",
    ];

    protected override string ReadyPath => "/-/ready";

    public static async Task<PrometheusServer> StartNewAsync(params string[] targets)
    {
        var server = new PrometheusServer(targets);
        try
        {
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync(); // a failed set-up must not leave the server running
            throw;
        }
    }

    /// <summary>An instant PromQL query: the vector's samples (labels, value); throws with Prometheus's error on a bad query.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var response = await Http.GetAsync($"{Url}/api/v1/query?query={Uri.EscapeDataString(promql)}");
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"PromQL '{promql}': {root.GetProperty("error").GetString()}");
        }

        var data = root.GetProperty("data");
        var result = new List<(Dictionary<string, string>, double)>();
        if (data.GetProperty("resultType").GetString() == "scalar")
        {
            result.Add((new Dictionary<string, string>(), Parse(data.GetProperty("result")[1].GetString()!)));
            return result;
        }

        foreach (var sample in data.GetProperty("result").EnumerateArray())
        {
            var labels = sample.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            var value = sample.TryGetProperty("value", out var v) ? v[1].GetString()! : sample.GetProperty("values")[sample.GetProperty("values").GetArrayLength() - 1][1].GetString()!;
            result.Add((labels, Parse(value)));
        }

        return result;
    }

    /// <summary>The values of <paramref name="label"/> over the series matching <paramref name="selector"/>.</summary>
    public async Task<List<string>> LabelValuesAsync(string selector, string label)
    {
        using var response = await Http.GetAsync($"{Url}/api/v1/series?match[]={Uri.EscapeDataString(selector)}");
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"series of '{selector}': {(int)response.StatusCode} {text}");
        }

        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("data").EnumerateArray()
            .Select(s => s.TryGetProperty(label, out var v) ? v.GetString() : null)
            .OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The scrape targets as Prometheus sees them: (scrapeUrl, health, lastError).</summary>
    public async Task<List<(string Url, string Health, string LastError)>> TargetsAsync()
    {
        using var json = JsonDocument.Parse(await Http.GetStringAsync($"{Url}/api/v1/targets?state=active"));
        return json.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Select(t => (t.GetProperty("scrapeUrl").GetString()!, t.GetProperty("health").GetString()!, t.GetProperty("lastError").GetString()!))
            .ToList();
    }

    private static double Parse(string value) => value switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
    };
}
