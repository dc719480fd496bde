using System.Diagnostics;
using System.IO.Ports;
using System.Text;
using System.Text.Json;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Drivers.Serial;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Serial;

/// <summary>A socat pty pair (8N1) for the agent tests: the agent opens the symlink <see cref="Driver"/>, the test writes on the other end.</summary>
public sealed class GaugePty : IAsyncDisposable
{
    private readonly Process _socat;
    private SerialPort? _gauge;

    private GaugePty(Process socat, string dir)
    {
        _socat = socat;
        Driver = Path.Combine(dir, "driver");
        GaugeEnd = Path.Combine(dir, "gauge");
    }

    public string Driver { get; }

    public string GaugeEnd { get; }

    public static async Task<GaugePty> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("serial-agent").FullName;
        var psi = new ProcessStartInfo("/usr/bin/socat") { RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add($"pty,raw,echo=0,link={dir}/driver");
        psi.ArgumentList.Add($"pty,raw,echo=0,link={dir}/gauge");
        var pty = new GaugePty(Process.Start(psi) ?? throw new InvalidOperationException("socat did not start (run tests/peers/install.sh)"), dir);
        var end = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(pty.Driver) || !File.Exists(pty.GaugeEnd))
        {
            Assert.True(DateTime.UtcNow < end && !pty._socat.HasExited, "socat did not create the pty pair");
            await Task.Delay(10);
        }

        return pty;
    }

    public void Send(string text)
    {
        if (_gauge is null)
        {
            _gauge = new SerialPort(new FileInfo(GaugeEnd).ResolveLinkTarget(true)!.FullName, 9600, Parity.None, 8, StopBits.One);
            _gauge.Open();
        }

        _gauge.BaseStream.Write(Encoding.ASCII.GetBytes(text));
        _gauge.BaseStream.Flush();
    }

    public async ValueTask DisposeAsync()
    {
        _gauge?.Dispose();
        if (!_socat.HasExited)
        {
            _socat.Kill();
            await _socat.WaitForExitAsync();
        }

        _socat.Dispose();
    }
}

public class SerialAgentTests
{
    [Fact]
    public void The_example_validates_with_a_polled_balance_and_an_on_demand_caliper_stamped_with_the_part()
    {
        var (config, errors) = ConfigLoader.TryLoad(Repo.PathOf("src", "Drivers", "Serial", "example.yaml"));
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        var balance = Assert.IsType<SerialSourceOptions>(config!.Sources.Single(s => s.Name == "balance1").Options);
        Assert.Equal((ProfileKind.MtSics, SerialMode.Poll), (balance.Profile, balance.Mode));
        var caliper = Assert.IsType<SerialSourceOptions>(config.Sources.Single(s => s.Name == "caliper1").Options);
        Assert.Equal(("line.serial", GaugeUnit.Millimetre, SerialMode.OnDemand), (caliper.Part, caliper.GaugeUnit, caliper.Mode));
        Assert.Equal(SerialTagValue.Part, Assert.IsType<SerialTagOptions>(config.Tags.Single(t => t.FullName == "caliper1.part").Options).Value);
    }

    [Fact]
    public void The_readme_shows_a_yaml_block_for_each_profile_that_validates()
    {
        var readme = File.ReadAllText(Repo.PathOf("src", "Drivers", "Serial", "README.md"));
        var blocks = readme.Split("```yaml").Skip(1).Select(b => b[..b.IndexOf("```", StringComparison.Ordinal)]).ToList();
        foreach (var profile in new[] { "mitutoyo", "mt-sics", "sartorius", "generic", "'regex:" })
        {
            var block = blocks.Single(b => b.Contains($"profile: {profile}", StringComparison.Ordinal) && b.Contains("  - name:", StringComparison.Ordinal) && !b.Contains("sources:", StringComparison.Ordinal));
            var yaml = "sources:\n  - { name: line, driver: simulator, tags: [ { name: serial } ] }\n" + block;
            var (_, errors) = ConfigLoader.TryParse(yaml, "readme.yaml");
            Assert.False(errors.HasErrors, profile + ":\n" + string.Join("\n", errors.Sorted()));
        }
    }

    [Fact]
    public async Task Read_on_a_stream_source_prints_the_next_reading_skipping_malformed_frames()
    {
        await using var pty = await GaugePty.StartAsync();
        var dir = Directory.CreateTempSubdirectory("serial-read").FullName;
        var config = Path.Combine(dir, "agent.yaml");
        File.WriteAllText(config, $"""
            sources:
              - name: bal
                driver: serial
                port: {pty.Driver}
                profile: mt-sics
                tags:
                  - {"{"} name: weight, unit: kg {"}"}
            """);
        await using var read = new ChildProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "edgeagent.dll"), "read", "--config", config, "--timeout", "30s"]);
        // The agent opens the port when it reads (and flushes what came before): keep sending until it prints.
        var exited = read.WaitForExitAsync(TimeSpan.FromSeconds(60));
        while (!exited.IsCompleted)
        {
            pty.Send("S X garbage\r\nS S      1234.5 g\r\n");
            await Task.WhenAny(exited, Task.Delay(100));
        }

        Assert.True(await exited == 0, read.Stdout + read.Stderr);
        var line = JsonDocument.Parse(read.Stdout.Split('\n').First(l => l.StartsWith('{'))).RootElement;
        Assert.Equal("bal.weight", line.GetProperty("tag").GetString());
        Assert.Equal(1.2345, line.GetProperty("value").GetDouble(), 9);
        Assert.Equal("Good", line.GetProperty("quality").GetString());
    }

    [Fact]
    public async Task A_characteristic_on_a_serial_tag_charts_each_reading_and_the_part_stamp_rides_along()
    {
        await using var pty = await GaugePty.StartAsync();
        var yaml = $"""
            sources:
              - name: line
                driver: simulator
                poll: 50ms
                tags:
                  - {"{"} name: serial, signal: counter {"}"}
              - name: cal
                driver: serial
                port: {pty.Driver}
                profile: mitutoyo
                mode: on-demand
                gaugeUnit: in
                part: line.serial
                tags:
                  - {"{"} name: bore, unit: mm {"}"}
                  - {"{"} name: part, value: part {"}"}
            characteristics:
              - name: cal.bore
                chart: imr
                limits: {"{"} ucl: 11, cl: 10, lcl: 9 {"}"}
            """;
        await using var agent = await TestAgent.StartAsync(yaml);
        var bore = agent.Agent.Directory.IdOf("cal.bore");
        var part = agent.Agent.Directory.IdOf("cal.part");
        var serial = agent.Agent.Directory.IdOf("line.serial");
        await agent.Sink.WaitUntilAsync(s => s.Samples.Any(x => x.TagId == serial && x.Value >= 1), what: "the part counter runs");
        await agent.Sink.WaitUntilAsync(s => agent.Agent.Writers.Count == 2 && agent.Agent.Writers[1].State == SourceState.Up, what: "the serial source is up");
        for (var i = 0; i < 3; i++)
        {
            pty.Send($"01A+0000.{3937 + i}\r");
            var want = i + 1;
            await agent.Sink.WaitUntilAsync(s => s.Samples.Count(x => x.TagId == bore) >= want, what: $"reading {want} arrives");
        }

        await agent.Sink.WaitUntilAsync(s => s.Events.OfType<SpcPointEvent>().Count(p => p.Characteristic == "cal.bore") >= 3, what: "three chart points");
        var readings = agent.Sink.Samples.Where(x => x.TagId == bore).ToList();
        Assert.Equal(0.3937 * 25.4, readings[0].Value, 9);
        Assert.All(readings, r => Assert.Equal(Quality.Good, r.Quality));
        var stamps = agent.Sink.Samples.Where(x => x.TagId == part).ToList();
        Assert.Equal(3, stamps.Count);
        Assert.All(stamps, st => Assert.Equal(Quality.Good, st.Quality));
        Assert.All(stamps, st => Assert.True(st.Value >= 1, "the stamp carries the counter's value"));
        Assert.Equal(readings.Select(r => r.SourceTicks), stamps.Select(st => st.SourceTicks));
    }
}
