using System.Text;
using System.Text.Json;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Mqtt;
using EdgeAgent.Tests.Support;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Writes;

/// <summary>
/// The closed loop end to end with real peers: a drifting diameter (simulator) breaks its spec limit, the alarm writes
/// the quality hold coil on a pymodbus PLC, an operator's acknowledgement over MQTT (mosquitto) releases it, and every
/// write is audited on <c>{site}/edge/{id}/writes</c>. What the PLC holds is read by an independent pymodbus client.
/// </summary>
public sealed class ClosedLoopTests(ITestOutputHelper output)
{
    private const string Site = "test/loop";
    private const string WritesTopic = Site + "/edge/loop/writes";

    /// <summary>The agent: the diameter shifts past its USL after <paramref name="shiftAfter"/> (1h: not within a test).</summary>
    private static string Yaml(int plcPort, string mqtt, string shiftAfter = "1h") => $$"""
        agent: { id: loop, site: {{Site}} }
        sources:
          - name: sim
            driver: simulator
            poll: 20ms
            seed: 42
            tags:
              - { name: diameter, signal: normal, mean: 10.0, sd: 0.01, shift: { after: {{shiftAfter}}, by: 0.5 } }
          - name: press1
            driver: modbus-tcp
            endpoint: 127.0.0.1:{{plcPort}}
            poll: 100ms
            timeout: 200ms
            retries: 0
            tags:
              - { name: quality_hold, address: coil:8, writable: true }
              - { name: setpoint, address: hr:120, type: float32, order: CDAB, scale: 0.01, writable: true }
              - { name: missing, address: hr:500, writable: true }
              - { name: plain, address: hr:10 }
        characteristics:
          - name: sim.diameter
            spec: { lsl: 9.95, usl: 10.05 }
            limits: { ucl: 20, cl: 10, lcl: 0 }
            rules: [we1]
            actions:
              - { on: active, write: press1.quality_hold, value: 1 }
              - { on: acknowledged, write: press1.quality_hold, value: 0 }
        outputs:
          mqtt: {{mqtt}}
        """;

    private static WriteEvent[] Writes(CaptureSink sink) => sink.Events.OfType<WriteEvent>().ToArray();

    [Fact]
    public async Task A_diameter_past_its_limit_sets_the_quality_hold_coil_and_an_MQTT_acknowledgement_releases_it()
    {
        await using var plc = await Plc.StartAsync();
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, WritesTopic, $"{Site}/edge/loop/state");
        using var loggers = TestOutputLoggerProvider.Factory(output);
        await using var agent = await TestAgent.StartAsync(Yaml(plc.Port, $"{{ broker: \"{broker.Url}\" }}", shiftAfter: "1s"), loggers);

        await OnlineAsync(subscriber);
        await agent.Sink.WaitUntilAsync(s => Writes(s).Any(w => w.Value == 1), TimeSpan.FromSeconds(60), "the hold written");
        var hold = Writes(agent.Sink).Single(w => w.Value == 1);
        Assert.Equal(WriteStatus.Ok, hold.Status);
        Assert.Equal("sim.diameter/usl", hold.By);
        Assert.Equal(1, await plc.ReadAsync("coil 8"));

        await subscriber.PublishAsync($"{Site}/edge/loop/cmd/alarm/ack", """{"id":"sim.diameter/usl","by":"qa","comment":"parts quarantined"}""");
        await agent.Sink.WaitUntilAsync(s => Writes(s).Any(w => w.Value == 0), TimeSpan.FromSeconds(30), "the hold released");
        Assert.Equal(WriteStatus.Ok, Writes(agent.Sink).Single(w => w.Value == 0).Status);
        Assert.Equal(0, await plc.ReadAsync("coil 8"));

        await subscriber.WaitUntilAsync(m => m.Count(x => x.Topic == WritesTopic) >= 2, TimeSpan.FromSeconds(30), "two audit events");
        var audit = subscriber.Json(WritesTopic).ToArray();
        Assert.Equal([1.0, 0.0], audit.Select(a => a.GetProperty("value").GetDouble()));
        Assert.All(audit, a =>
        {
            Assert.Equal("press1.quality_hold", a.GetProperty("tag").GetString());
            Assert.Equal("sim.diameter/usl", a.GetProperty("by").GetString());
            Assert.Equal("ok", a.GetProperty("result").GetString());
            Assert.Equal(a.GetProperty("value").GetDouble(), a.GetProperty("readBack").GetDouble());
        });
    }

    [Fact]
    public async Task Cmd_write_is_refused_with_the_reason_while_remote_writes_are_off_and_nothing_reaches_the_PLC()
    {
        await using var plc = await Plc.StartAsync();
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, $"{Site}/edge/loop/reply/#", $"{Site}/edge/loop/state");
        await using var agent = await TestAgent.StartAsync(Yaml(plc.Port, $"{{ broker: \"{broker.Url}\" }}"));
        await OnlineAsync(subscriber);
        await subscriber.PublishAsync($"{Site}/edge/loop/cmd/write", """{"tag":"press1.setpoint","value":10.3,"by":"qa"}""");

        var reply = await ReplyAsync(subscriber);

        Assert.False(reply.GetProperty("ok").GetBoolean());
        Assert.Contains("remote writes are off", reply.GetProperty("error").GetString());
        Assert.Equal(0, await plc.ReadAsync("hr 120"));
        Assert.Empty(Writes(agent.Sink));
    }

    [Fact]
    public async Task Cmd_write_when_on_writes_float32_CDAB_scaled_exactly_and_refuses_what_it_must_with_the_reason()
    {
        await using var plc = await Plc.StartAsync();
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, $"{Site}/edge/loop/reply/#", WritesTopic, $"{Site}/edge/loop/state");
        await using var agent = await TestAgent.StartAsync(Yaml(plc.Port, $"{{ broker: \"{broker.Url}\", commands: {{ write: true }} }}"));
        await OnlineAsync(subscriber);

        await subscriber.PublishAsync($"{Site}/edge/loop/cmd/write", """{"tag":"press1.setpoint","value":10.3,"by":"qa"}""");
        Assert.True((await ReplyAsync(subscriber)).GetProperty("ok").GetBoolean());
        Assert.Equal((double)(float)((10.3 - 0) / 0.01), await plc.ReadAsync("float32 120 CDAB"));

        await subscriber.PublishAsync($"{Site}/edge/loop/cmd/write", """{"tag":"press1.plain","value":1,"by":"qa"}""");
        Assert.Contains("not writable", (await ReplyAsync(subscriber, 2)).GetProperty("error").GetString());

        await subscriber.PublishAsync($"{Site}/edge/loop/cmd/write", """{"tag":"press1.quality_hold","value":2,"by":"qa"}""");
        Assert.Contains("must be 0 or 1", (await ReplyAsync(subscriber, 3)).GetProperty("error").GetString());

        // A writable tag at an address the device does not have: the device's own refusal, not retried.
        await subscriber.PublishAsync($"{Site}/edge/loop/cmd/write", """{"tag":"press1.missing","value":1,"by":"qa"}""");
        var refused = await ReplyAsync(subscriber, 4);
        Assert.Contains("failed", refused.GetProperty("error").GetString());
        Assert.Contains("IllegalDataAddress", refused.GetProperty("error").GetString());

        await subscriber.WaitUntilAsync(m => m.Count(x => x.Topic == WritesTopic) >= 4, TimeSpan.FromSeconds(30), "four audit events");
        var results = subscriber.Json(WritesTopic).Select(a => (a.GetProperty("tag").GetString(), a.GetProperty("result").GetString(), a.GetProperty("by").GetString())).ToArray();
        Assert.Equal([("press1.setpoint", "ok", "qa"), ("press1.plain", "refused", "qa"), ("press1.quality_hold", "refused", "qa"), ("press1.missing", "failed", "qa")], results);
    }

    [Fact]
    public async Task A_write_to_a_device_that_is_down_expires_is_reported_and_is_not_sent_when_the_device_returns()
    {
        var port = Mosquitto.FreePort();
        await using var agent = await TestAgent.StartAsync(Yaml(port, "off"));

        var done = await agent.Agent.Context.Writes.WriteAsync("press1.quality_hold", 1, "test", TimeSpan.FromMilliseconds(500));

        Assert.Equal(WriteStatus.Expired, done.Status);
        Assert.Contains("not acknowledged within 500ms; not sent later", done.Error);
        Assert.True(done.Attempts >= 1);
        Assert.Contains(Writes(agent.Sink), w => w.Status == WriteStatus.Expired);
        await using var plc = await Plc.StartAsync(port);
        await agent.Sink.WaitUntilAsync(s => s.Events.OfType<SourceStateEvent>().Any(e => e.Source == "press1" && e.State == Drivers.SourceState.Up), TimeSpan.FromSeconds(60), "press1 up");
        Assert.Equal(0, await plc.ReadAsync("coil 8"));
        Assert.Single(Writes(agent.Sink));
    }

    [Fact]
    public async Task The_audit_events_arrive_in_order_through_a_broker_outage()
    {
        await using var plc = await Plc.StartAsync();
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, WritesTopic, $"{Site}/edge/loop/state");
        await using var agent = await TestAgent.StartAsync(Yaml(plc.Port, $"{{ broker: \"{broker.Url}\", outbox: {{ sync: normal }} }}"));
        await OnlineAsync(subscriber);

        await broker.StopAsync();
        double[] values = [1, 0, 1, 0, 1];
        foreach (var v in values)
        {
            Assert.Equal(WriteStatus.Ok, (await agent.Agent.Context.Writes.WriteAsync("press1.quality_hold", v, "qa")).Status);
        }

        await broker.StartAgainAsync();
        await subscriber.ReconnectAsync();

        await subscriber.WaitUntilAsync(m => m.Count(x => x.Topic == WritesTopic) >= values.Length, TimeSpan.FromSeconds(60), "every audit event");
        var audit = subscriber.Json(WritesTopic).Select(a => (a.GetProperty("value").GetDouble(), a.GetProperty("requested").GetDateTime())).ToArray();
        // QoS 1 may deliver a message twice across a reconnect; the order of first arrivals is what the QMS relies on.
        var firsts = audit.DistinctBy(a => a.Item2).Select(a => a.Item1).ToArray();
        Assert.Equal(values, firsts);
    }

    [Fact]
    public void The_example_binds_a_hold_on_activation_and_a_release_on_acknowledgement_to_the_writable_coil()
    {
        var (config, errors) = global::EdgeAgent.Hosting.ConfigLoader.TryLoad(Repo.PathOf("src", "EdgeAgent", "Writes", "example.yaml"));
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        var actions = global::EdgeAgent.Characteristics.CharacteristicsConfigExtensions.Characteristics(config!).Single().Actions;
        Assert.Equal([(AlarmState.Active, "press1.quality_hold", 1.0), (AlarmState.Acknowledged, "press1.quality_hold", 0.0)], actions.Select(a => (a.On, a.Tag, a.Value)));
        Assert.True(config!.FindTag("press1.quality_hold")!.Writable);
        Assert.False(config.FindTag("press1.running")!.Writable);
    }

    /// <summary>The agent announced itself online: it is connected and subscribed to its commands.</summary>
    private static Task OnlineAsync(TestSubscriber subscriber) =>
        subscriber.WaitUntilAsync(m => m.Any(x => x.Topic == $"{Site}/edge/loop/state" && Encoding.UTF8.GetString(x.Payload) == "online"), TimeSpan.FromSeconds(30), "agent online");

    private static async Task<JsonElement> ReplyAsync(TestSubscriber subscriber, int nth = 1)
    {
        const string topic = Site + "/edge/loop/reply/write";
        await subscriber.WaitUntilAsync(m => m.Count(x => x.Topic == topic) >= nth, TimeSpan.FromSeconds(30), $"reply {nth} on {topic}");
        return subscriber.Json(topic).ElementAt(nth - 1);
    }
}
