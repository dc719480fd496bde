using System.Text.Json;
using EdgeAgent.Drivers.Serial.Plugin;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Drivers.Serial.Tests;

/// <summary>
/// <c>edgeagent probe serial://…</c> as a commissioning engineer runs it, against a pty pair: the plug-in's probe reads the
/// URL, listens for --seconds and prints one JSON line.
/// </summary>
public class ProbeTests
{
    /// <summary>Runs the probe while the gauge sends <paramref name="frames"/> over and over (a gauge streaming at its own pace).</summary>
    private static async Task<(int Exit, JsonElement Json, string Error)> ProbeWhileStreamingAsync(PtyPair pty, string query, string frames, string seconds = "1")
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var arguments = new CommandArguments(new Dictionary<string, string?> { ["--seconds"] = seconds });
        var probe = new SerialPlugin().ProbeAsync($"serial://{pty.Driver}?{query}", arguments, new CommandConsole(output, error), CancellationToken.None);
        while (!probe.IsCompleted)
        {
            pty.Send(frames);
            await Task.WhenAny(probe, Task.Delay(20)); // the gauge's pace, not a synchronisation: the probe's end is awaited
        }

        var exit = await Deadline.Within(probe, "the probe ends after --seconds", TimeSpan.FromSeconds(30));
        var line = output.ToString().Trim();
        return (exit, line.Length > 0 ? JsonDocument.Parse(line).RootElement : default, error.ToString());
    }

    [Fact]
    public async Task Probe_of_an_mt_sics_stream_prints_frames_per_second_the_last_frame_and_its_reading_and_exits_0()
    {
        await using var pty = await PtyPair.StartAsync();
        var (exit, json, error) = await ProbeWhileStreamingAsync(pty, "baud=115200&profile=mt-sics", "S S      12.345 g\r\n");

        Assert.True(exit == 0, error);
        Assert.Equal(pty.Driver, json.GetProperty("port").GetString());
        var frames = json.GetProperty("frames").GetInt64();
        Assert.True(frames > 0, json.ToString());
        Assert.Equal(frames, json.GetProperty("readings").GetInt64());
        Assert.True(json.GetProperty("framesPerSecond").GetDouble() > 0, json.ToString());
        Assert.Equal(0, json.GetProperty("malformed").GetInt64());
        Assert.Equal("S S      12.345 g", json.GetProperty("lastFrame").GetString());
        Assert.Equal(12.345, json.GetProperty("value").GetDouble());
        Assert.Equal("g", json.GetProperty("unit").GetString());
        Assert.Equal("Good", json.GetProperty("quality").GetString());
    }

    [Fact]
    public async Task Probe_counts_frames_the_profile_does_not_understand_and_exits_1()
    {
        await using var pty = await PtyPair.StartAsync();
        var (exit, json, error) = await ProbeWhileStreamingAsync(pty, "baud=115200&profile=mt-sics", "S S      12.345 g\r\nnot a reading\r\n");

        Assert.True(exit == 1, error);
        var malformed = json.GetProperty("malformed").GetInt64();
        Assert.True(malformed > 0, json.ToString());
        Assert.Equal(json.GetProperty("frames").GetInt64(), json.GetProperty("readings").GetInt64() + malformed);
    }

    [Fact]
    public async Task Probe_of_a_port_that_does_not_exist_names_it_and_exits_2()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var missing = Path.Combine(Path.GetTempPath(), "no-such-gauge-" + Guid.NewGuid().ToString("N"));
        var exit = await new SerialPlugin().ProbeAsync($"serial://{missing}?baud=9600", new CommandArguments(new Dictionary<string, string?>()), new CommandConsole(output, error), CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains(missing, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, output.ToString());
    }

    [Theory]
    [InlineData("serial:///dev/ttyUSB0?speed=9600", "unknown URL parameter 'speed'")]
    [InlineData("serial:///dev/ttyUSB0?baud=fast", "baud: must be 50..4000000, found 'fast'")]
    [InlineData("serial:///dev/ttyUSB0?profile=ohaus", "profile:")]
    [InlineData("serial:///dev/ttyUSB0?framing=fixed", "framing=fixed needs length=N")]
    public async Task Probe_refuses_a_bad_url_naming_the_parameter_and_exits_2(string url, string expected)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await new SerialPlugin().ProbeAsync(url, new CommandArguments(new Dictionary<string, string?>()), new CommandConsole(output, error), CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }
}
