using System.Text.Json;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>
/// The JSON topic contract along the real path, with nothing synthetic: the published agent's simulator feeds a characteristic
/// and an equipment, the pipeline raises the alarm, a real mosquitto carries it, and the real <c>mosquitto_sub</c> prints
/// what the pipeline itself produced.
/// </summary>
public sealed class RealPathTests
{
    private const string Site = "acme/real-path";

    [Fact]
    public async Task A_shifted_diameter_reaches_mosquitto_sub_as_an_spc_point_beyond_its_ucl_a_we1_alarm_of_that_value_a_usl_alarm_and_a_running_status()
    {
        await using var broker = await Mosquitto.StartAsync();
        var dir = Directory.CreateTempSubdirectory("edgeagent-real-path").FullName;
        var config = Path.Combine(dir, "agent.yaml");
        // 50 ms polls: the 20-point baseline is set after 1 s, the diameter moves 100 standard deviations up after 3 s.
        await File.WriteAllTextAsync(config, $$"""
            agent: { id: real-gw, site: {{Site}}, data: {{Path.Combine(dir, "data")}} }
            sources:
              - name: press1
                driver: simulator
                poll: 50ms
                seed: 7
                tags:
                  - { name: diameter, signal: normal, mean: 10.0, sd: 0.01, shift: { after: 3s, by: 1.0 }, unit: mm }
                  - { name: running, signal: constant, mean: 1 }
            characteristics:
              - name: press1.diameter
                chart: imr
                spec: { lsl: 9.95, usl: 10.05, target: 10.0 }
                limits: { baseline: 20 }
                rules: [we1]
            equipment:
              - name: press1
                running: press1.running == 1
            outputs:
              mqtt: { broker: "{{broker.Url}}" }
            """);
        await using var sub = new ChildProcess("mosquitto_sub", ["-h", "127.0.0.1", "-p", broker.Port.ToString(), "-t", Site + "/#", "-v"]);
        await using var agent = ChildProcess.EdgeAgent("run", "--config", config);
        try
        {
            var spc = Payload(await sub.WaitForLineAsync("\"violations\":[\"we1\"]", TimeSpan.FromSeconds(60)), $"{Site}/spc/press1.diameter");
            var alarm = Payload(await sub.WaitForLineAsync("\"id\":\"press1.diameter/we1\"", TimeSpan.FromSeconds(30)), $"{Site}/alarms");
            var spec = Payload(await sub.WaitForLineAsync("\"id\":\"press1.diameter/usl\"", TimeSpan.FromSeconds(30)), $"{Site}/alarms");
            var status = Payload(await sub.WaitForLineAsync($"{Site}/press1/status ", TimeSpan.FromSeconds(30)), $"{Site}/press1/status");

            Assert.Equal("press1.diameter", spc.GetProperty("characteristic").GetString());
            Assert.Equal("imr", spc.GetProperty("chart").GetString());
            Assert.False(spc.GetProperty("baseline").GetBoolean());
            var statistic = spc.GetProperty("statistic").GetDouble();
            Assert.InRange(spc.GetProperty("center").GetDouble(), 9.99, 10.01); // the baseline's mean of normal(10, 0.01)
            Assert.True(statistic > spc.GetProperty("ucl").GetDouble(), $"the shifted point {statistic} lies above the UCL: {spc}");
            Assert.InRange(statistic, 10.9, 11.1);
            Assert.Equal("mr", spc.GetProperty("secondary").GetProperty("chart").GetString());
            Assert.Equal(JsonValueKind.Number, spc.GetProperty("capability").GetProperty("cpk").ValueKind);

            Assert.Equal("press1.diameter/we1", alarm.GetProperty("id").GetString());
            Assert.Equal("active", alarm.GetProperty("state").GetString());
            Assert.Equal("press1.diameter", alarm.GetProperty("characteristic").GetString());
            Assert.Equal("we1", alarm.GetProperty("rule").GetString());
            Assert.Equal(statistic, alarm.GetProperty("value").GetDouble()); // the value of the very point that broke the rule
            Assert.Equal("active", spec.GetProperty("state").GetString()); // and it lies beyond the USL too
            Assert.Equal("usl", spec.GetProperty("rule").GetString());
            Assert.True(spec.GetProperty("value").GetDouble() > 10.05, $"the spec alarm's value is above the USL: {spec}");

            Assert.Equal("running", status.GetProperty("state").GetString());
            Assert.True(status.TryGetProperty("since", out _));
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\nmosquitto_sub:\n{Tail(sub.Stdout)}\n{sub.Stderr}\nagent:\n{Tail(agent.Stdout + agent.Stderr)}", e);
        }
    }

    /// <summary>The JSON of a <c>mosquitto_sub -v</c> line (<c>topic payload</c>), checked to be on <paramref name="topic"/>.</summary>
    private static JsonElement Payload(string line, string topic)
    {
        var space = line.IndexOf(' ');
        Assert.Equal(topic, line[..space]);
        using var json = JsonDocument.Parse(line[(space + 1)..]);
        return json.RootElement.Clone();
    }

    private static string Tail(string text) => text.Length > 4000 ? "…" + text[^4000..] : text;
}
