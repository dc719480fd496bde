using System.Text.Json;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using EdgeAgent.Config;
using EdgeAgent.Drivers.Modbus;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Modbus;

public class ModbusConfigTests
{
    private static (AgentConfig? Config, ConfigErrors Errors) Load(string yaml) => ConfigLoader.TryParse(yaml, "test.yaml");

    [Fact]
    public void The_example_validates_and_plans_five_requests_for_ten_tags()
    {
        var (config, errors) = ConfigLoader.TryLoad(Repo.PathOf("src", "Drivers", "Modbus", "example.yaml"));
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        var source = Assert.Single(config!.Sources);
        var options = Assert.IsType<ModbusSourceOptions>(source.Options);
        Assert.Equal(ModbusTransportKind.Tcp, options.Transport);
        Assert.Equal(TimeSpan.FromMilliseconds(500), source.Poll);
        var recipe = Assert.IsType<ModbusTagOptions>(source.Tags.Single(t => t.Name == "recipe").Options);
        Assert.Equal((ModbusDataType.String, 8), (recipe.Type, recipe.Length));
        Assert.Equal(new ModbusAddress(ModbusTable.HoldingRegister, 106), ((ModbusTagOptions)source.Tags.Single(t => t.Name == "temp").Options!).Address);
        // hr:100..117 in one request; ir, coil, di one each.
        var plan = EdgeAgent.Drivers.Modbus.Plugin.ModbusPlugin.Plan(source);
        Assert.Equal(4, plan.Count);
        Assert.Contains(new EdgeAgent.Drivers.Modbus.Plugin.ModbusPlugin().DescribePlan(source), l => l.Contains("FC3 hr:100+18 (7 tags)", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_bad_key_is_reported_at_its_position()
    {
        const string yaml = """
            sources:
              - name: plc
                driver: modbus-tcp
                endpoint: "tcp://10.0.0.1:502"
                unit: 300
                maxLength: 200
                baud: 9600
                tags:
                  - { name: a, address: xr:1 }
                  - { name: b, address: hr:1, type: float33 }
                  - { name: c, address: hr:1, type: bool }
                  - { name: d, address: hr:1, type: string }
                  - { name: e, address: coil:1, type: int16 }
                  - { name: f, address: hr:1, order: ABDC }
                  - { name: g, address: hr:1, adress: hr:2 }
            """;
        var (_, errors) = Load(yaml);
        var lines = errors.Sorted().Select(e => e.ToString()).ToList();
        Assert.Contains(lines, l => l.StartsWith("test.yaml:4:15: sources[0].endpoint: expected host:port without a scheme", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("test.yaml:5:11: sources[0].unit: must be between 0 and 255", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("test.yaml:6:16: sources[0].maxLength: must be between 1 and 125", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("test.yaml:7:5: sources[0].baud: unknown key 'baud'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("test.yaml:9:29: sources[0].tags[0].address: unknown table 'xr'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(":10:", StringComparison.Ordinal) && l.Contains("unknown value 'float33' (did you mean 'float32'?)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(":11:", StringComparison.Ordinal) && l.Contains("needs a bit: write hr:1.0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(":12:", StringComparison.Ordinal) && l.Contains("type string needs length", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(":13:", StringComparison.Ordinal) && l.Contains("type must be bool", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(":14:", StringComparison.Ordinal) && l.Contains("unknown value 'ABDC'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(":15:", StringComparison.Ordinal) && l.Contains("unknown key 'adress' (did you mean 'address'?)", StringComparison.Ordinal));
        Assert.Equal(11, lines.Count);
    }

    [Fact]
    public void Warns_about_a_tag_that_reads_the_same_register_as_another()
    {
        const string yaml = """
            sources:
              - name: plc
                driver: modbus-tcp
                endpoint: 10.0.0.1
                tags:
                  - { name: a, address: hr:5, type: float32 }
                  - { name: b, address: 40006, type: float32 }
                  - { name: c, address: hr:5.1 }
            """;
        var (config, errors) = Load(yaml);
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        var warning = Assert.Single(errors.Warnings);
        Assert.Contains("tags.b: reads hr:5 as float32 like tag 'a'", warning.Message);
        Assert.Equal("10.0.0.1", ((ModbusSourceOptions)config!.Sources[0].Options!).Endpoint);
    }

    [Fact]
    public void Rtu_needs_a_port_and_checks_serial_settings()
    {
        const string yaml = """
            sources:
              - name: bus
                driver: modbus-rtu
                endpoint: 10.0.0.1:502
                parity: evne
                stopBits: 3
                tags:
                  - { name: a, address: hr:1 }
            """;
        var lines = Load(yaml).Errors.Sorted().Select(e => e.ToString()).ToList();
        Assert.Contains(lines, l => l.Contains("missing required key 'port'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("test.yaml:4:5: sources[0].endpoint: unknown key 'endpoint'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("unknown value 'evne' (did you mean 'even'?)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("sources[0].stopBits: unknown value '3'", StringComparison.Ordinal));
    }

    [Fact]
    public void Rtu_warns_when_one_poll_needs_more_bus_time_than_the_poll_interval()
    {
        const string yaml = """
            sources:
              - name: bus
                driver: modbus-rtu
                port: /dev/ttyUSB0
                baud: 9600
                parity: none
                poll: 50ms
                unit: 7
                tags:
                  - { name: a, address: hr:0, type: string, length: 100 }
                  - { name: b, address: ir:0, unitId: 8 }
            """;
        var (config, errors) = Load(yaml);
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        var warning = Assert.Single(errors.Warnings);
        Assert.Contains("one poll needs at least", warning.Message);
        Assert.Contains("at 9600 baud, longer than poll 50ms", warning.Message);
        var options = (ModbusSourceOptions)config!.Sources[0].Options!;
        Assert.Equal((7, 9600, System.IO.Ports.Parity.None), (options.Unit, options.Serial!.Baud, options.Serial.Parity));
        Assert.Equal((byte)8, ((ModbusTagOptions)config.Sources[0].Tags[1].Options!).UnitId);
        Assert.Contains(new EdgeAgent.Drivers.Modbus.Plugin.ModbusPlugin().DescribePlan(config.Sources[0]), l => l.Contains("ms of bus time per poll at 9600 baud", StringComparison.Ordinal));
    }
}

/// <summary>`edgeagent read` and `edgeagent probe` against a real pymodbus server.</summary>
public sealed class ModbusCliTests : IAsyncLifetime
{
    private readonly int _port = ChildProcess.FreeTcpPort();
    private ChildProcess? _server;

    public async Task InitializeAsync()
    {
        // The map of src/Drivers/Modbus/example.yaml, encoded by pymodbus's side with Python's struct module.
        var map = new Dictionary<string, object>
        {
            ["1"] = new
            {
                sizes = new { hr = 200, ir = 10, coil = 10, di = 10 },
                points = new object[]
                {
                    new { table = "hr", address = 100, type = "float32", order = "ABCD", value = 10.01 },
                    new { table = "hr", address = 102, type = "float32", order = "CDAB", value = 2.5 },
                    new { table = "hr", address = 104, type = "uint32", order = "ABCD", value = 70000 },
                    new { table = "hr", address = 106, type = "int16", order = "ABCD", value = -123 },
                    new { table = "hr", address = 107, type = "uint16", order = "ABCD", value = 0 },
                    new { table = "hr", address = 108, type = "uint16", order = "ABCD", value = 1 },
                    new { table = "hr", address = 110, type = "string", order = "ABCD", value = "RECIPE-7", length = 8 },
                    new { table = "ir", address = 0, type = "float64", order = "DCBA", value = 12345.678 },
                    new { table = "coil", address = 0, type = "bool", order = "ABCD", value = true },
                    new { table = "di", address = 1, type = "bool", order = "ABCD", value = false },
                },
            },
        };
        var path = Path.Combine(Directory.CreateTempSubdirectory("modbus-cli").FullName, "map.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(map));
        var script = Repo.PathOf("tests", "Drivers.Tests", "Modbus", "peers", "pymodbus_server.py");
        Assert.True(File.Exists("/usr/bin/python3"), "python3 with python3-pymodbus is needed: run tests/peers/install.sh");
        _server = new ChildProcess("/usr/bin/python3", [script, "--map", path, "--tcp", _port.ToString()]);
        await WaitForPortAsync();
    }

    private async Task WaitForPortAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
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
                await Task.Delay(50);
            }
            catch (System.Net.Sockets.SocketException)
            {
                throw new InvalidOperationException($"pymodbus did not listen on {_port} (run tests/peers/install.sh): {_server!.Stderr}");
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Read_prints_every_tag_of_the_example_Good()
    {
        await using var read = new ChildProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "edgeagent.dll"), "read", "--config", Repo.PathOf("src", "Drivers", "Modbus", "example.yaml")],
            env: new Dictionary<string, string> { ["MODBUS_ENDPOINT"] = $"127.0.0.1:{_port}" });
        var exit = await read.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, read.Stdout + read.Stderr);
        // Only the JSON lines: the host may also log state changes to the console.
        var lines = read.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(10, lines.Count);
        var byTag = lines.ToDictionary(l => l.GetProperty("tag").GetString()!, l => l);
        Assert.All(lines, l => Assert.Equal("Good", l.GetProperty("quality").GetString()));
        Assert.Equal(10.01, byTag["press1.diameter"].GetProperty("value").GetDouble()); // the float32's decimal, not 10.010000228881836
        Assert.Equal(2.5, byTag["press1.pressure"].GetProperty("value").GetDouble());
        Assert.Equal(70000, byTag["press1.count"].GetProperty("value").GetDouble());
        Assert.Equal(-12.3, byTag["press1.temp"].GetProperty("value").GetDouble(), 9);
        Assert.Equal(1, byTag["press1.ready"].GetProperty("value").GetDouble());
        Assert.Equal(12345.678, byTag["press1.energy"].GetProperty("value").GetDouble());
        Assert.Equal(1, byTag["press1.running"].GetProperty("value").GetDouble());
        Assert.Contains("RECIPE-7", byTag["press1.recipe"].ToString());
    }

    [Fact]
    public async Task Probe_prints_one_json_summary()
    {
        await using var probe = ChildProcess.EdgeAgent("probe", $"modbus-tcp://127.0.0.1:{_port}", "--unit", "1", "--read", "hr:0:125", "--count", "50", "--inflight", "2");
        var exit = await probe.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, probe.Stdout + probe.Stderr);
        var json = JsonDocument.Parse(probe.Stdout.Trim()).RootElement;
        Assert.Equal(50, json.GetProperty("requests").GetInt32());
        Assert.Equal(0, json.GetProperty("errors").GetInt32());
        foreach (var key in new[] { "rps", "p50_us", "p99_us", "max_us", "cpu_us_per_request" })
        {
            Assert.True(json.GetProperty(key).GetDouble() > 0, key);
        }
    }

    [Fact]
    public async Task Probe_counts_errors_and_exits_1_when_reads_fail()
    {
        await using var probe = ChildProcess.EdgeAgent("probe", $"modbus-tcp://127.0.0.1:{_port}", "--read", "hr:190:20", "--count", "5");
        Assert.Equal(1, await probe.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var json = JsonDocument.Parse(probe.Stdout.Trim()).RootElement;
        Assert.Equal(5, json.GetProperty("errors").GetInt32());
        Assert.Contains("IllegalDataAddress", json.GetProperty("first_error").GetString());
    }

    [Theory]
    [InlineData("modbus-tcp://127.0.0.1:502 --read hr:0:126", "--read: 'hr:0:126': count must be 1..125")]
    [InlineData("modbus-tcp://127.0.0.1:502 --read xx:0:1", "--read: unknown table 'xx'")]
    [InlineData("modbus-rtu:///dev/ttyS0?baud=fast", "unknown or invalid parameter 'baud=fast'")]
    [InlineData("http://x", "unsupported URL")]
    public async Task Probe_rejects_bad_arguments_with_exit_2(string args, string message)
    {
        await using var probe = ChildProcess.EdgeAgent(["probe", .. args.Split(' ')]);
        Assert.Equal(2, await probe.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(message, probe.Stderr);
    }
}

/// <summary><c>edgeagent probe modbus-rtu://…</c> through a socat pty pair to pymodbus's RTU server (8N1).</summary>
public class ModbusRtuProbeTests
{
    [Fact]
    public async Task Probe_reads_over_a_serial_line()
    {
        var dir = Directory.CreateTempSubdirectory("modbus-probe-pty").FullName;
        Assert.True(File.Exists("/usr/bin/socat"), "socat is needed: run tests/peers/install.sh");
        await using var socat = new ChildProcess("/usr/bin/socat", [$"pty,raw,echo=0,link={dir}/A", $"pty,raw,echo=0,link={dir}/B"]);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists($"{dir}/A") || !File.Exists($"{dir}/B"))
        {
            Assert.True(DateTime.UtcNow < deadline, "socat did not create the pty pair: " + socat.Stderr);
            await Task.Delay(20);
        }

        var map = Path.Combine(dir, "map.json");
        await File.WriteAllTextAsync(map, """{"1": {"sizes": {"hr": 50}, "points": [{"table": "hr", "address": 0, "type": "uint16", "order": "ABCD", "value": 7}]}}""");
        await using var server = new ChildProcess("/usr/bin/python3", [Repo.PathOf("tests", "Drivers.Tests", "Modbus", "peers", "pymodbus_server.py"), "--map", map, "--serial", $"{dir}/B", "--baud", "19200"]);
        await server.WaitForLineAsync("starting", TimeSpan.FromSeconds(30));

        // The server opens its end asynchronously: the first probe may see no answer; a later one must succeed.
        string? last = null;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await using var probe = ChildProcess.EdgeAgent("probe", $"modbus-rtu://{dir}/A?baud=19200&parity=N", "--unit", "1", "--read", "hr:0:10", "--count", "20", "--timeout", "500ms");
            var exit = await probe.WaitForExitAsync(TimeSpan.FromSeconds(60));
            last = probe.Stdout + probe.Stderr;
            if (exit == 0)
            {
                var json = JsonDocument.Parse(probe.Stdout.Trim()).RootElement;
                Assert.Equal(20, json.GetProperty("requests").GetInt32());
                Assert.Equal(0, json.GetProperty("errors").GetInt32());
                Assert.Equal($"{dir}/A", json.GetProperty("endpoint").GetString());
                return;
            }
        }

        Assert.Fail("probe over the pty never succeeded: " + last);
    }
}
