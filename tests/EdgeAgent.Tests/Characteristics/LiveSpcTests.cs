using System.Text;
using EdgeAgent.Drivers.Simulator;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Characteristics;

/// <summary>
/// The whole loop in-process: simulator → pipeline → characteristic (src/Spc) → alarms → a capturing sink. Expected
/// violations are computed here from <see cref="Signal"/> and the rule definitions, independently of src/Spc.
/// </summary>
public class LiveSpcTests
{
    private const ulong Seed = 7;
    private const double Cl = 10.0, Ucl = 10.03, Lcl = 9.97;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(1);

    private static string Yaml(string data, string limits = "{ ucl: 10.03, cl: 10.0, lcl: 9.97 }", string extra = "") => $$"""
        agent: { id: t1, site: acme/line-1, data: {{data}} }
        sources:
          - name: sim
            driver: simulator
            poll: 1ms
            seed: {{Seed}}
            tags:
              - { name: serial, signal: counter }
              - { name: d, signal: normal, mean: 10.0, sd: 0.01, shift: { after: 40ms, by: 0.05 } }
        characteristics:
          - name: sim.d
            chart: imr
            limits: {{limits}}
            rules: [we1, we4]
            spec: { lsl: 9.9, usl: 10.1 }
            context: [sim.serial]
        {{extra}}
        outputs: { mqtt: off }
        """;

    /// <summary>The simulated value at poll n of tag 1 ("d"), from the simulator's pure signal function.</summary>
    private static double X(long n) => Signal.Value(
        new SignalOptions { Mean = 10.0, Sd = 0.01, ShiftAfter = TimeSpan.FromMilliseconds(40), ShiftBy = 0.05 }, Seed, 1, n, Poll);

    /// <summary>WE1: beyond a 3σ limit. WE4: 8 consecutive points strictly on one side of the center line.</summary>
    private static string[] Expected(long index)
    {
        var result = new List<string>();
        var x = X(index);
        if (x > Ucl || x < Lcl)
        {
            result.Add("we1");
        }

        if (index >= 7)
        {
            var above = true;
            var below = true;
            for (var i = index - 7; i <= index; i++)
            {
                above &= X(i) > Cl;
                below &= X(i) < Cl;
            }

            if (above || below)
            {
                result.Add("we4");
            }
        }

        return result.ToArray();
    }

    private static SpcPointEvent[] Points(CaptureSink sink) => sink.Events.OfType<SpcPointEvent>().OrderBy(p => p.Index).ToArray();

    private static AlarmEvent[] Alarms(CaptureSink sink, string id) => sink.Events.OfType<AlarmEvent>().Where(a => a.Id == id).ToArray();

    [Fact]
    public async Task A_shift_raises_rule_alarms_at_the_expected_points_and_ack_and_clear_follow()
    {
        var data = Directory.CreateTempSubdirectory("spc-live").FullName;
        await using var agent = await TestAgent.StartAsync(Yaml(data));
        await agent.Sink.WaitUntilAsync(s => Points(s).Length >= 120, what: "120 SPC points");

        var points = Points(agent.Sink).Take(120).ToArray();
        Assert.Equal(Enumerable.Range(0, 120).Select(i => (long)i), points.Select(p => p.Index));
        for (var i = 0; i < points.Length; i++)
        {
            Assert.Equal(X(i), points[i].Value, 12);
            Assert.Equal(Expected(i), points[i].Violations.ToArray());
            Assert.Equal(Ucl, points[i].Ucl);
        }

        // Every activation of the we1 alarm is at a point that starts a run of violations, and names that point.
        var firstViolating = Enumerable.Range(0, 120).Where(i => Expected(i).Contains("we1") && (i == 0 || !Expected(i - 1).Contains("we1"))).ToArray();
        var we1 = Alarms(agent.Sink, "sim.d/we1").Where(a => a.State == AlarmState.Active).Take(firstViolating.Length).ToArray();
        Assert.Equal(firstViolating.Select(i => $"rule we1 violated at point {i} "), we1.Select(a => a.Message![(a.Message!.IndexOf("rule", StringComparison.Ordinal))..(a.Message.IndexOf('(') )]));
        Assert.All(we1, a => Assert.Equal("sim.d", a.Characteristic));
        Assert.All(we1, a => Assert.Equal("we1", a.Rule));
        Assert.All(we1, a => Assert.Equal("medium", a.Priority));
        Assert.All(we1, a => Assert.IsType<double>(a.Context["sim.serial"]));

        // After the shift the process sits above the center line: WE4 is one alarm that stays active. Acknowledge it.
        var we4Start = Enumerable.Range(0, 120).First(i => Expected(i).Contains("we4"));
        var we4 = Alarms(agent.Sink, "sim.d/we4");
        Assert.Equal(AlarmState.Active, we4[0].State);
        Assert.Contains($"at point {we4Start} ", we4[0].Message);
        var ack = await agent.Agent.Context.Commands.DispatchAsync("alarm/ack", Encoding.UTF8.GetBytes("""{"id":"sim.d/we4","by":"qa","comment":"tool wear"}"""), CancellationToken.None);
        Assert.True(ack.Ok, ack.Error);
        await agent.Sink.WaitUntilAsync(s => Alarms(s, "sim.d/we4").Any(a => a.State == AlarmState.Acknowledged), what: "acknowledged");
        Assert.Equal("qa", Alarms(agent.Sink, "sim.d/we4").First(a => a.State == AlarmState.Acknowledged).By);

        // The QMS pushes limits centred on the new mean: the run ends, and the acknowledged alarm clears.
        var push = await agent.Agent.Context.Commands.DispatchAsync("limits", Encoding.UTF8.GetBytes("""{"characteristic":"sim.d","ucl":10.08,"cl":10.05,"lcl":10.02}"""), CancellationToken.None);
        Assert.True(push.Ok, push.Error);
        await agent.Sink.WaitUntilAsync(s => Alarms(s, "sim.d/we4").Any(a => a.State == AlarmState.Cleared), what: "we4 cleared");
        var cleared = Alarms(agent.Sink, "sim.d/we4").First(a => a.State == AlarmState.Cleared);
        Assert.False(cleared.Unacknowledged);
        Assert.Contains(Points(agent.Sink), p => p.Ucl == 10.08 && p.Center == 10.05);
    }

    [Fact]
    public async Task A_restart_keeps_the_baseline_and_the_active_alarms()
    {
        var data = Directory.CreateTempSubdirectory("spc-restart").FullName;
        var yaml = Yaml(data, limits: "{ baseline: 20 }", extra: """
            equipment:
              - name: line
                running: sim.serial >= 0
                alarms:
                  - { name: always, when: sim.serial >= 0, priority: low }
            """);
        double center;
        long lastIndex;
        await using (var first = await TestAgent.StartAsync(yaml))
        {
            await first.Sink.WaitUntilAsync(s => Points(s).Length >= 40, what: "40 points");
            await first.StopAsync();
            var points = Points(first.Sink);
            Assert.True(points[0].Baseline);
            Assert.False(points[20].Baseline);
            center = points[20].Center;
            lastIndex = points[^1].Index;
            Assert.Single(Alarms(first.Sink, "line/always"));
        }

        Assert.True(File.Exists(Path.Combine(data, "alarms.json")));
        await using var second = await TestAgent.StartAsync(yaml);
        await second.Sink.WaitUntilAsync(s => Points(s).Length >= 10, what: "10 points after restart");
        var after = Points(second.Sink);
        Assert.Equal(lastIndex + 1, after[0].Index);
        Assert.False(after[0].Baseline);
        Assert.Equal(center, after[0].Center);
        Assert.Empty(Alarms(second.Sink, "line/always")); // still active: not announced again
        var engine = second.Agent.Components.OfType<EdgeAgent.Alarms.AlarmComponent>().Single().Engine;
        Assert.Contains(engine.Snapshot(), a => a.Id == "line/always" && a.Active);
    }
}
