using System.Text.Json;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Cli;

/// <summary>The command-line contract (README, "Command line"), exercised on the real executable as a child process.</summary>
public class CliTests
{
    [Fact]
    public async Task Validate_exits_0_for_the_demo_config()
    {
        await using var p = ChildProcess.EdgeAgent("validate", "--config", Repo.PathOf("config", "demo.yaml"));
        Assert.Equal(0, await p.WaitForExitAsync());
        Assert.Contains("ok", p.Stdout);
    }

    [Fact]
    public async Task Validate_prints_every_error_as_file_line_col_and_exits_2()
    {
        var dir = Directory.CreateTempSubdirectory("edgeagent-cli").FullName;
        var file = Path.Combine(dir, "bad.yaml");
        await File.WriteAllTextAsync(file, "agent:\n  idd: x\nsources:\n  - name: s\n    driver: simulator\n    poll: fast\n    tags: [ { name: a } ]\n");
        await using var p = ChildProcess.EdgeAgent("validate", "--config", file);
        Assert.Equal(2, await p.WaitForExitAsync());
        var lines = p.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                $"{file}:2:3: agent.idd: unknown key 'idd' (did you mean 'id'?)",
                $"{file}:6:11: sources[0].poll: expected a duration such as 100ms, 2s, 5m or 1h, found 'fast'",
            ],
            lines);
    }

    [Fact]
    public async Task Validate_with_plan_prints_the_merged_modbus_requests()
    {
        await using var p = ChildProcess.EdgeAgent("validate", "--config", Repo.PathOf("src", "Drivers", "Modbus", "example.yaml"), "--plan");
        Assert.Equal(0, await p.WaitForExitAsync());
        Assert.Contains("press1: unit 1 FC3 hr:100+18 (7 tags) [diameter, pressure, count, temp, fault_code, ready, recipe]", p.Stdout);
    }

    [Fact]
    public async Task Schema_prints_the_committed_schema_and_writes_it_with_output()
    {
        var committed = await File.ReadAllTextAsync(Repo.PathOf("config", "edgeagent.schema.json"));
        await using (var p = ChildProcess.EdgeAgent("schema"))
        {
            Assert.Equal(0, await p.WaitForExitAsync());
            Assert.Equal(committed, p.Stdout);
        }

        var file = Path.Combine(Directory.CreateTempSubdirectory("edgeagent-schema").FullName, "schema.json");
        await using (var p = ChildProcess.EdgeAgent("schema", "--output", file))
        {
            Assert.Equal(0, await p.WaitForExitAsync());
        }

        Assert.Equal(committed, await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Validate_names_a_missing_file()
    {
        await using var p = ChildProcess.EdgeAgent("validate", "--config", "/nonexistent/edge.yaml");
        Assert.Equal(2, await p.WaitForExitAsync());
        Assert.StartsWith("/nonexistent/edge.yaml:1:1: cannot read the file", p.Stderr);
    }

    [Fact]
    public async Task Read_prints_one_json_line_per_tag_and_exits_0_when_all_are_good()
    {
        await using var p = ChildProcess.EdgeAgent("read", "--config", Repo.PathOf("config", "demo.yaml"));
        Assert.Equal(0, await p.WaitForExitAsync());
        var lines = p.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("press1.diameter", first.RootElement.GetProperty("tag").GetString());
        Assert.Equal("Good", first.RootElement.GetProperty("quality").GetString());
        Assert.InRange(first.RootElement.GetProperty("value").GetDouble(), 9.9, 10.1);
        Assert.True(first.RootElement.TryGetProperty("ts", out _));
        using var count = JsonDocument.Parse(lines[4]);
        Assert.Equal("press1.count", count.RootElement.GetProperty("tag").GetString());
        Assert.Equal(0, count.RootElement.GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task Read_with_tag_reads_only_that_tag()
    {
        await using var p = ChildProcess.EdgeAgent("read", "--config", Repo.PathOf("config", "demo.yaml"), "--tag", "press1.temp");
        Assert.Equal(0, await p.WaitForExitAsync());
        var line = Assert.Single(p.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("{\"tag\":\"press1.temp\",\"value\":60,", line);
    }

    [Fact]
    public async Task Read_with_an_unknown_tag_exits_2_with_a_suggestion()
    {
        await using var p = ChildProcess.EdgeAgent("read", "--config", Repo.PathOf("config", "demo.yaml"), "--tag", "press1.tmp");
        Assert.Equal(2, await p.WaitForExitAsync());
        Assert.Contains("no tag 'press1.tmp' (did you mean 'press1.temp'?)", p.Stderr);
    }

    [Fact]
    public async Task Run_stops_on_sigterm_flushes_and_exits_0()
    {
        var dir = Directory.CreateTempSubdirectory("edgeagent-run").FullName;
        var port = ChildProcess.FreeTcpPort();
        var file = Path.Combine(dir, "agent.yaml");
        await File.WriteAllTextAsync(file, $"""
            agent: {"{"} id: sigterm-test, site: test {"}"}
            sources:
              - {"{"} name: sim, driver: simulator, poll: 10ms, tags: [ {"{"} name: c, signal: counter {"}"} ] {"}"}
            outputs:
              mqtt: {"{"} broker: "mqtt://127.0.0.1:{port}", embedded: true {"}"}
            """);
        await using var p = ChildProcess.EdgeAgent("run", "--config", file);
        await p.WaitForLineAsync("Agent sigterm-test running");
        await p.WaitForLineAsync("MQTT connected");
        p.Signal("TERM");
        Assert.Equal(0, await p.WaitForExitAsync());
        Assert.Contains("Agent stopped after routing", p.Stdout);
        Assert.True(File.Exists(Path.Combine(dir, "data", "heartbeat")), "the agent writes its heartbeat into agent.data");
    }

    [Fact]
    public async Task Health_is_1_without_a_running_agent()
    {
        var dir = Directory.CreateTempSubdirectory("edgeagent-health").FullName;
        var file = Path.Combine(dir, "agent.yaml");
        await File.WriteAllTextAsync(file, "sources:\n  - { name: s, driver: simulator, tags: [ { name: a } ] }\n");
        await using var p = ChildProcess.EdgeAgent("health", "--config", file);
        Assert.Equal(1, await p.WaitForExitAsync());
        Assert.Contains("no heartbeat", p.Stderr);
    }

    [Fact]
    public async Task Version_and_help_are_available()
    {
        await using var v = ChildProcess.EdgeAgent("--version");
        Assert.Equal(0, await v.WaitForExitAsync());
        Assert.StartsWith("0.1.0", v.Stdout.Trim());
        await using var h = ChildProcess.EdgeAgent("--help");
        Assert.Equal(0, await h.WaitForExitAsync());
        foreach (var command in new[] { "run", "validate", "read", "health" })
        {
            Assert.Contains(command, h.Stdout);
        }
    }

    public static TheoryData<string> EveryCommand() =>
        new(["run", "validate", "read", "alarm", "alarm list", "alarm ack", "alarm shelve", "browse", "probe", "health", "spc", "spc analyze", "schema"]);

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task Help_of_every_command_has_no_additional_arguments_section(string command)
    {
        await using var p = ChildProcess.EdgeAgent([.. command.Split(' '), "--help"]);
        Assert.Equal(0, await p.WaitForExitAsync());
        Assert.Contains("Usage:", p.Stdout);
        Assert.DoesNotContain("Additional Arguments", p.Stdout);
        Assert.DoesNotContain("Arguments passed to the application", p.Stdout);
    }

    [Fact]
    public async Task A_stray_argument_is_bad_input_exit_2_with_the_token_and_the_command_help_named()
    {
        await using var p = ChildProcess.EdgeAgent("spc", "analyze", "--chart", "imr", "data.csv", "extra");
        Assert.Equal(2, await p.WaitForExitAsync());
        Assert.Equal(
            ["error: Unrecognized command or argument 'extra'.", "See 'edgeagent spc analyze --help'."],
            p.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Run_with_an_unusable_data_folder_exits_2_naming_the_path_and_the_cause()
    {
        var dir = Directory.CreateTempSubdirectory("edgeagent-data").FullName;
        var blocker = Path.Combine(dir, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "a file where agent.data's parent should be");
        var data = Path.Combine(blocker, "data");
        var file = Path.Combine(dir, "agent.yaml");
        await File.WriteAllTextAsync(file, $"agent: {{ data: {data} }}\nsources:\n  - {{ name: s, driver: simulator, tags: [ {{ name: a }} ] }}\noutputs: {{ mqtt: off }}\n");
        await using var p = ChildProcess.EdgeAgent("run", "--config", file);
        Assert.Equal(2, await p.WaitForExitAsync());
        var line = Assert.Single(p.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"{file}: agent.data '{data}' cannot be used as the agent's data folder: ", line);
        Assert.Contains(blocker, line);
        Assert.Equal(string.Empty, p.Stdout);
    }
}
