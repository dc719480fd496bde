using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeAgent.Tests.Mqtt;
using EdgeAgent.Tests.Support;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Modbus;

/// <summary>
/// A float32 register pair holding 10.3 (encoded by pymodbus's side with Python's struct module) is 10.3 wherever the
/// agent shows it: `edgeagent read`, the MQTT JSON data message and the Sparkplug metric; never the widened double
/// 10.300000190734863.
/// </summary>
public sealed class Float32PublishTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Site = "acme/plant-a/line-1";
    private readonly int _port = ChildProcess.FreeTcpPort();
    private ChildProcess? _server;
    private string? _mapDir;

    public async Task InitializeAsync()
    {
        var map = new Dictionary<string, object>
        {
            ["1"] = new
            {
                sizes = new { hr = 10, ir = 1, coil = 1, di = 1 },
                points = new object[]
                {
                    new { table = "hr", address = 0, type = "float32", order = "ABCD", value = 10.3 },
                    new { table = "hr", address = 2, type = "float32", order = "CDAB", value = -273.15 },
                },
            },
        };
        _mapDir = Directory.CreateTempSubdirectory("float32").FullName;
        var path = Path.Combine(_mapDir, "map.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(map));
        var script = Repo.PathOf("tests", "Drivers.Tests", "Modbus", "peers", "pymodbus_server.py");
        Assert.True(File.Exists("/usr/bin/python3"), "python3 with python3-pymodbus is needed: run tests/peers/install.sh");
        _server = new ChildProcess("/usr/bin/python3", [script, "--map", path, "--tcp", _port.ToString(CultureInfo.InvariantCulture)]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var c = new System.Net.Sockets.TcpClient();
                await c.ConnectAsync("127.0.0.1", _port);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50); // polling until pymodbus listens, bounded by the deadline
            }
            catch (System.Net.Sockets.SocketException)
            {
                throw new InvalidOperationException($"pymodbus did not listen on {_port} (run tests/peers/install.sh): {_server.Stderr}");
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_mapDir is not null)
        {
            Directory.Delete(_mapDir, recursive: true);
        }
    }

    private string Config(string outputs) => $$"""
        agent: { id: float-gw, site: {{Site}} }
        sources:
          - name: press1
            driver: modbus-tcp
            endpoint: 127.0.0.1:{{_port}}
            unit: 1
            poll: 100ms
            tags:
              - { name: diameter, address: hr:0, type: float32 }
              - { name: temp, address: hr:2, type: float32, order: CDAB }
        outputs:
          {{outputs}}
        """;

    [Fact]
    public async Task Edgeagent_read_prints_a_float32_holding_10_3_as_10_3()
    {
        var dir = Directory.CreateTempSubdirectory("float32-read").FullName;
        var path = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(path, Config("mqtt: off"));
        await using var read = ChildProcess.EdgeAgent("read", "--config", path);
        var exit = await read.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Directory.Delete(dir, recursive: true);
        Assert.True(exit == 0, read.Stdout + read.Stderr);
        var lines = read.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith('{')).ToList();
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("{\"tag\":\"press1.diameter\",\"value\":10.3,\"quality\":\"Good\",", lines[0]);
        Assert.StartsWith("{\"tag\":\"press1.temp\",\"value\":-273.15,\"quality\":\"Good\",", lines[1]);
    }

    [Fact]
    public async Task The_mqtt_json_data_message_of_a_float32_holding_10_3_carries_10_3()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, Site + "/data/#");
        await using var agent = await AgentHarness.StartAsync(Config($"mqtt: {{ broker: \"{broker.Url}\" }}"), output);
        await subscriber.WaitUntilAsync(m => m.Any(x => x.Topic == $"{Site}/data/press1/diameter") && m.Any(x => x.Topic == $"{Site}/data/press1/temp"), TimeSpan.FromSeconds(30), "data of both tags");

        var diameter = Encoding.UTF8.GetString(subscriber.On($"{Site}/data/press1/diameter").First().Payload);
        Assert.StartsWith("{\"value\":10.3,\"quality\":\"Good\",", diameter);
        var temp = Encoding.UTF8.GetString(subscriber.On($"{Site}/data/press1/temp").First().Payload);
        Assert.StartsWith("{\"value\":-273.15,\"quality\":\"Good\",", temp);
    }

    [Fact]
    public async Task A_float32_tag_is_a_Sparkplug_Double_metric_that_decodes_as_10_3()
    {
        const string prefix = "spBv1.0/line-1/";
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, "spBv1.0/#");
        await using var agent = await AgentHarness.StartAsync(Config($"mqtt: {{ broker: \"{broker.Url}\", format: sparkplug }}"), output);
        await subscriber.WaitUntilAsync(m => m.Any(x => x.Topic == prefix + "DBIRTH/float-gw/press1") && m.Any(x => x.Topic == prefix + "DDATA/float-gw/press1"), TimeSpan.FromSeconds(30), "DBIRTH and DDATA");

        var dbirth = (await DecodeAsync([subscriber.On(prefix + "DBIRTH/float-gw/press1").First().Payload])).Single();
        var diameter = dbirth.GetProperty("metrics").EnumerateArray().Single(m => m.TryGetProperty("name", out var n) && n.GetString() == "diameter");
        Assert.Equal("Double", diameter.GetProperty("type").GetString());
        // The birth carries the latest value, or none when the agent connected before the first poll answered.
        Assert.Contains(diameter.GetProperty("value").GetRawText(), new[] { "10.3", "null" });
        var alias = diameter.GetProperty("alias").GetInt64();

        var ddata = (await DecodeAsync([subscriber.On(prefix + "DDATA/float-gw/press1").First().Payload])).Single();
        var metric = ddata.GetProperty("metrics").EnumerateArray().First(m => m.GetProperty("alias").GetInt64() == alias);
        Assert.Equal("Double", metric.GetProperty("type").GetString());
        Assert.Equal("10.3", metric.GetProperty("value").GetRawText()); // the reference decoder's own number text
    }

    /// <summary>Runs the payloads through tests/peers/sparkplug/decode.js (npm sparkplug-payload, Eclipse Tahu's decoder).</summary>
    private static async Task<List<JsonElement>> DecodeAsync(IReadOnlyList<byte[]> payloads)
    {
        var script = Repo.PathOf("tests", "peers", "sparkplug", "decode.js");
        if (!File.Exists(Repo.PathOf("tests", "peers", "node_modules", "sparkplug-payload", "package.json")))
        {
            throw new InvalidOperationException("npm sparkplug-payload is not installed: run tests/peers/install.sh");
        }

        var psi = new ProcessStartInfo("node", [script]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var node = Process.Start(psi) ?? throw new InvalidOperationException("node is not installed");
        foreach (var p in payloads)
        {
            await node.StandardInput.WriteLineAsync(Convert.ToHexString(p));
        }

        node.StandardInput.Close();
        var result = new List<JsonElement>();
        while (await node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line)
        {
            var e = JsonDocument.Parse(line).RootElement.Clone();
            Assert.False(e.TryGetProperty("error", out var err), $"decoder error: {err}");
            result.Add(e);
        }

        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(payloads.Count, result.Count);
        return result;
    }
}
