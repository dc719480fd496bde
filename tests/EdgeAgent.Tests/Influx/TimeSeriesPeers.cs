using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EdgeAgent.Tests.Mqtt;

namespace EdgeAgent.Tests.Influx;

/// <summary>
/// A real server process started by a test on a free loopback port with its own data folder, stopped by its process id
/// (SIGTERM). Fails with a clear message when the Debian package is missing (tests/peers/install.sh installs it).
/// </summary>
internal abstract class PeerProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;

    protected PeerProcess(string name)
    {
        Dir = Directory.CreateTempSubdirectory(name + "-").FullName;
        Port = Mosquitto.FreePort();
    }

    public string Dir { get; }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    protected abstract string Executable { get; }

    protected abstract IEnumerable<string> Arguments { get; }

    /// <summary>A GET that answers 2xx once the server serves requests.</summary>
    protected abstract string ReadyPath { get; }

    /// <summary>(Re)starts the process on the same port and data folder and waits until it answers <see cref="ReadyPath"/>.</summary>
    public async Task StartAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is not installed: run tests/peers/install.sh");
        }

        var psi = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in Arguments)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"{Executable} did not start");
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Executable} exited with {process.ExitCode}:\n{Log}");
            }

            try
            {
                using var response = await Http.GetAsync(Url + ReadyPath);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Executable} did not answer {ReadyPath} within 30 s:\n{Log}");
            }

            await Task.Delay(50); // polling the observable "serves requests", bounded by the deadline
        }
    }

    /// <summary>SIGTERM to this process (by its id) and wait for its exit.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            Mosquitto.Signal(_process.Id, 15);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Http.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}

/// <summary>Debian's victoria-metrics: the InfluxDB v2 write API (<c>/api/v2/write</c>), read back through <c>/api/v1/export</c>.</summary>
internal sealed class VictoriaMetrics : PeerProcess
{
    private VictoriaMetrics()
        : base("victoria-metrics")
    {
    }

    protected override string Executable => "/usr/bin/victoria-metrics";

    protected override IEnumerable<string> Arguments =>
    [
        $"-httpListenAddr=127.0.0.1:{Port}",
        $"-storageDataPath={Dir}",
        "-search.latencyOffset=0s", // export what was just written, not only what is older than 30 s
        "-retentionPeriod=100y",
        "-loggerLevel=ERROR",
    ];

    protected override string ReadyPath => "/health";

    public static async Task<VictoriaMetrics> StartNewAsync()
    {
        var vm = new VictoriaMetrics();
        try
        {
            await vm.StartAsync();
            return vm;
        }
        catch
        {
            await vm.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every series matching <paramref name="selector"/> (e.g. <c>{__name__="samples_value"}</c>): labels, values, timestamps (ms).</summary>
    public async Task<List<ExportedSeries>> ExportAsync(string selector)
    {
        // Make what was just ingested searchable before exporting (VictoriaMetrics buffers recent rows for up to a second).
        using (await Http.GetAsync(Url + "/internal/force_flush"))
        {
        }

        var body = await Http.GetStringAsync(Url + "/api/v1/export?match[]=" + Uri.EscapeDataString(selector) + "&start=0");
        var result = new List<ExportedSeries>();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            var labels = json.RootElement.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            var values = json.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToList();
            var times = json.RootElement.GetProperty("timestamps").EnumerateArray().Select(v => v.GetInt64()).ToList();
            result.Add(new ExportedSeries(labels, values, times));
        }

        return result;
    }
}

internal sealed record ExportedSeries(Dictionary<string, string> Labels, List<double> Values, List<long> Timestamps);

/// <summary>Debian's influxdb (1.6): <c>/write</c> and InfluxQL over <c>/query</c>, optionally with authentication.</summary>
internal sealed class InfluxDb1 : PeerProcess
{
    private readonly bool _auth;

    private InfluxDb1(bool auth)
        : base("influxdb")
    {
        _auth = auth;
        var config = $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{Mosquitto.FreePort()}"
            [meta]
              dir = "{Dir}/meta"
            [data]
              dir = "{Dir}/data"
              wal-dir = "{Dir}/wal"
              query-log-enabled = false
            [monitor]
              store-enabled = false
            [http]
              bind-address = "127.0.0.1:{Port}"
              auth-enabled = {(auth ? "true" : "false")}
              log-enabled = false
            [continuous_queries]
              enabled = false
            """;
        File.WriteAllText(Path.Combine(Dir, "influxdb.conf"), config);
    }

    public const string Admin = "admin";
    public const string AdminPassword = "admin-secret";

    protected override string Executable => "/usr/bin/influxd";

    protected override IEnumerable<string> Arguments => ["-config", Path.Combine(Dir, "influxdb.conf")];

    protected override string ReadyPath => "/ping";

    /// <summary>A fresh server with <paramref name="databases"/> created (and an admin user when <paramref name="auth"/>).</summary>
    public static async Task<InfluxDb1> StartNewAsync(bool auth = false, params string[] databases)
    {
        var influx = new InfluxDb1(auth);
        try
        {
            await influx.StartAsync();
            if (auth)
            {
                await influx.QueryAsync($"CREATE USER {Admin} WITH PASSWORD '{AdminPassword}' WITH ALL PRIVILEGES", post: true);
            }

            foreach (var db in databases)
            {
                await influx.QueryAsync($"CREATE DATABASE \"{db}\"", post: true);
            }

            return influx;
        }
        catch
        {
            await influx.DisposeAsync(); // a failed set-up must not leave the server running
            throw;
        }
    }

    /// <summary>Runs InfluxQL; returns the JSON answer (throws on an HTTP error).</summary>
    public async Task<JsonElement> QueryAsync(string q, string? db = null, bool post = false)
    {
        var query = new List<KeyValuePair<string, string>> { new("epoch", "ms") };
        if (db is not null)
        {
            query.Add(new("db", db));
        }

        if (_auth)
        {
            query.Add(new("u", Admin));
            query.Add(new("p", AdminPassword));
        }

        // Credentials and options in the URL (influxd reads u and p there), the statement in the form body when POSTed.
        using var options = new FormUrlEncodedContent(post ? query : query.Append(new("q", q)));
        var url = Url + "/query?" + await options.ReadAsStringAsync();
        using var body = new FormUrlEncodedContent([new("q", q)]);
        using var response = post ? await Http.PostAsync(url, body) : await Http.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"InfluxQL '{q}' failed: {(int)response.StatusCode} {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The rows of the first statement's series (columns → values), all series concatenated.</summary>
    public async Task<List<Dictionary<string, JsonElement>>> RowsAsync(string q, string db)
    {
        var json = await QueryAsync(q, db);
        var statement = json.GetProperty("results")[0];
        if (statement.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"InfluxQL '{q}': {error.GetString()}");
        }

        var rows = new List<Dictionary<string, JsonElement>>();
        if (!statement.TryGetProperty("series", out var series))
        {
            return rows;
        }

        foreach (var s in series.EnumerateArray())
        {
            var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
            var tags = s.TryGetProperty("tags", out var t) ? t.EnumerateObject().ToList() : [];
            foreach (var row in s.GetProperty("values").EnumerateArray())
            {
                var map = new Dictionary<string, JsonElement>();
                for (var i = 0; i < columns.Count; i++)
                {
                    map[columns[i]] = row[i];
                }

                foreach (var tag in tags)
                {
                    map[tag.Name] = tag.Value;
                }

                rows.Add(map);
            }
        }

        return rows;
    }
}
