using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Mqtt;
using EdgeAgent.Tests.Support;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Writes;

/// <summary>
/// The alarm kinds besides a characteristic's also act: an equipment expression alarm and a source's comm-loss alarm
/// (<c>alarms.commLoss</c>) write the hold coil of a pymodbus PLC when they activate and release it when they clear.
/// What the PLC holds is read by an independent pymodbus client.
/// </summary>
public sealed class WritesAlarmKindsTests(ITestOutputHelper output)
{
    private static WriteEvent[] Writes(CaptureSink sink) => sink.Events.OfType<WriteEvent>().ToArray();

    [Fact]
    public async Task An_equipment_expression_alarm_sets_the_hold_when_active_and_releases_it_when_cleared()
    {
        await using var plc = await Plc.StartAsync();
        using var loggers = TestOutputLoggerProvider.Factory(output);
        // The PLC's stop request (hr:10, polled) drives the alarm; the test sets it through the agent's own writer.
        await using var agent = await TestAgent.StartAsync($$"""
            agent: { id: kinds, site: test/kinds }
            sources:
              - name: press1
                driver: modbus-tcp
                endpoint: 127.0.0.1:{{plc.Port}}
                poll: 50ms
                tags:
                  - { name: stop_request, address: hr:10, writable: true }
                  - { name: quality_hold, address: coil:8, writable: true }
            equipment:
              - name: line
                running: press1.stop_request == 0
                alarms:
                  - name: stopped
                    when: press1.stop_request == 1
                    actions:
                      - { on: active, write: press1.quality_hold, value: 1 }
                      - { on: cleared, write: press1.quality_hold, value: 0 }
            outputs:
              mqtt: off
            """, loggers);
        WriteEvent[] Holds() => Writes(agent.Sink).Where(w => w.Tag == "press1.quality_hold").ToArray();

        Assert.Equal(WriteStatus.Ok, (await agent.Agent.Context.Writes.WriteAsync("press1.stop_request", 1, "test")).Status);
        await agent.Sink.WaitUntilAsync(_ => Holds().Length >= 1, TimeSpan.FromSeconds(60), "the hold written");
        Assert.Equal([(1.0, WriteStatus.Ok, "line/stopped")], Holds().Select(w => (w.Value, w.Status, w.By)));
        Assert.Equal(1, await plc.ReadAsync("coil 8"));

        Assert.Equal(WriteStatus.Ok, (await agent.Agent.Context.Writes.WriteAsync("press1.stop_request", 0, "test")).Status);
        await agent.Sink.WaitUntilAsync(_ => Holds().Length >= 2, TimeSpan.FromSeconds(60), "the hold released");
        Assert.Equal((0.0, WriteStatus.Ok, "line/stopped"), (Holds()[1].Value, Holds()[1].Status, Holds()[1].By));
        Assert.Equal(0, await plc.ReadAsync("coil 8"));
    }

    [Fact]
    public async Task A_gauges_comm_loss_sets_the_hold_on_the_press_and_its_return_releases_it()
    {
        var gaugePort = Mosquitto.FreePort();
        await using var press = await Plc.StartAsync();
        using var loggers = TestOutputLoggerProvider.Factory(output);
        await using var agent = await TestAgent.StartAsync($$"""
            agent: { id: kinds, site: test/kinds }
            sources:
              - name: gauge1
                driver: modbus-tcp
                endpoint: 127.0.0.1:{{gaugePort}}
                poll: 100ms
                timeout: 200ms
                retries: 0
                tags:
                  - { name: diameter, address: hr:0 }
              - name: press1
                driver: modbus-tcp
                endpoint: 127.0.0.1:{{press.Port}}
                poll: 100ms
                tags:
                  - { name: quality_hold, address: coil:8, writable: true }
            alarms:
              commLoss:
                - source: gauge1
                  actions:
                    - { on: active, write: press1.quality_hold, value: 1 }
                    - { on: cleared, write: press1.quality_hold, value: 0 }
            outputs:
              mqtt: off
            """, loggers);

        // Nothing listens on the gauge's port: it is down from the start.
        await agent.Sink.WaitUntilAsync(s => Writes(s).Any(w => w.Value == 1), TimeSpan.FromSeconds(60), "the hold written");
        var hold = Writes(agent.Sink).Single(w => w.Value == 1);
        Assert.Equal(("press1.quality_hold", WriteStatus.Ok, "gauge1/comm-loss"), (hold.Tag, hold.Status, hold.By));
        Assert.Equal(1, await press.ReadAsync("coil 8"));

        await using var gauge = await Plc.StartAsync(gaugePort);
        await agent.Sink.WaitUntilAsync(s => Writes(s).Any(w => w.Value == 0), TimeSpan.FromSeconds(60), "the hold released when the gauge answers");
        Assert.Equal(WriteStatus.Ok, Writes(agent.Sink).Single(w => w.Value == 0).Status);
        Assert.Equal(0, await press.ReadAsync("coil 8"));
    }

    [Fact]
    public void The_comm_loss_example_binds_its_actions_to_the_gauges_alarm()
    {
        var (config, errors) = global::EdgeAgent.Hosting.ConfigLoader.TryLoad(Repo.PathOf("src", "EdgeAgent", "Writes", "example-comm-loss.yaml"));
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        var options = config!.Section<global::EdgeAgent.Alarms.AlarmsOptions>("alarms");
        Assert.NotNull(options);
        var actions = Assert.Single(options.CommLossActions).Value;
        Assert.Equal([(AlarmState.Active, "press1.quality_hold", 1.0), (AlarmState.Acknowledged, "press1.quality_hold", 0.0)], actions.Select(a => (a.On, a.Tag, a.Value)));
    }
}
