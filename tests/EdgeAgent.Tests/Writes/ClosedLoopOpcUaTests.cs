using System.Text;
using System.Text.Json;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Mqtt;
using EdgeAgent.Tests.Support;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Writes;

/// <summary>
/// The closed loop on OPC UA with real peers: a drifting diameter (simulator) breaks its spec limit, the alarm writes a
/// Boolean hold and a Double setpoint on the node-opcua server, an acknowledgement over MQTT (mosquitto) releases the
/// hold, and every write is audited on <c>{site}/edge/{id}/writes</c>. What the server holds is read by node-opcua-client.
/// </summary>
public sealed class ClosedLoopOpcUaTests(ITestOutputHelper output)
{
    private const string Site = "test/ualoop";
    private const string WritesTopic = Site + "/edge/ualoop/writes";
    private const string ReplyTopic = Site + "/edge/ualoop/reply/write";

    /// <summary>The agent: the diameter shifts past its USL after <paramref name="shiftAfter"/> (1h: not within a test).</summary>
    private static string Yaml(string endpoint, string mqtt, string shiftAfter = "1h") => $$"""
        agent: { id: ualoop, site: {{Site}} }
        sources:
          - name: sim
            driver: simulator
            poll: 20ms
            seed: 7
            tags:
              - { name: diameter, signal: normal, mean: 10.0, sd: 0.01, shift: { after: {{shiftAfter}}, by: 0.5 } }
          - name: cell
            driver: opcua
            endpoint: "{{endpoint}}"
            timeout: 2s
            tags:
              - { name: quality_hold, node: "ns=2;s=Loop.Hold", writable: true }
              - { name: setpoint, node: "ns=2;s=Loop.Setpoint", writable: true }
              - { name: readonly, node: "ns=2;s=Loop.ReadOnly", writable: true }
              - { name: denied, node: "ns=2;s=Loop.Denied", writable: true }
              - { name: mismatch, node: "ns=2;s=Loop.Mismatch", writable: true }
              - { name: plain, node: "ns=2;s=Loop.Setpoint2" }
        characteristics:
          - name: sim.diameter
            spec: { lsl: 9.95, usl: 10.05 }
            limits: { ucl: 20, cl: 10, lcl: 0 }
            rules: [we1]
            actions:
              - { on: active, write: cell.quality_hold, value: 1 }
              - { on: active, write: cell.setpoint, value: 12.5 }
              - { on: acknowledged, write: cell.quality_hold, value: 0 }
        outputs:
          mqtt: {{mqtt}}
        """;

    private static WriteEvent[] Writes(CaptureSink sink) => sink.Events.OfType<WriteEvent>().ToArray();

    [Fact]
    public async Task A_diameter_past_its_limit_sets_the_Boolean_hold_and_the_Double_setpoint_and_an_MQTT_acknowledgement_releases_the_hold()
    {
        await using var plc = await UaServer.StartAsync();
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, WritesTopic, $"{Site}/edge/ualoop/state");
        using var loggers = TestOutputLoggerProvider.Factory(output);
        await using var agent = await TestAgent.StartAsync(Yaml(plc.EndpointUrl, $"{{ broker: \"{broker.Url}\" }}", shiftAfter: "1s"), loggers);

        await OnlineAsync(subscriber);
        await agent.Sink.WaitUntilAsync(s => Writes(s).Length >= 2, TimeSpan.FromSeconds(90), "the hold and the setpoint written");
        Assert.Equal(
            [("cell.quality_hold", 1.0, WriteStatus.Ok, "sim.diameter/usl"), ("cell.setpoint", 12.5, WriteStatus.Ok, "sim.diameter/usl")],
            Writes(agent.Sink).Select(w => (w.Tag, w.Value, w.Status, w.By)).OrderBy(w => w.Tag, StringComparer.Ordinal));
        var hold = await plc.ReadAsync("ns=2;s=Loop.Hold");
        Assert.Equal(("Boolean", true), (hold.GetProperty("dataType").GetString(), hold.GetProperty("value").GetBoolean()));
        var setpoint = await plc.ReadAsync("ns=2;s=Loop.Setpoint");
        Assert.Equal(("Double", 12.5), (setpoint.GetProperty("dataType").GetString(), setpoint.GetProperty("value").GetDouble()));

        await subscriber.PublishAsync($"{Site}/edge/ualoop/cmd/alarm/ack", """{"id":"sim.diameter/usl","by":"qa","comment":"parts quarantined"}""");
        await agent.Sink.WaitUntilAsync(s => Writes(s).Any(w => w.Tag == "cell.quality_hold" && w.Value == 0), TimeSpan.FromSeconds(60), "the hold released");
        Assert.Equal(WriteStatus.Ok, Writes(agent.Sink).Single(w => w.Tag == "cell.quality_hold" && w.Value == 0).Status);
        Assert.False((await plc.ReadAsync("ns=2;s=Loop.Hold")).GetProperty("value").GetBoolean());
        Assert.Equal(12.5, (await plc.ReadAsync("ns=2;s=Loop.Setpoint")).GetProperty("value").GetDouble());

        await subscriber.WaitUntilAsync(m => m.Count(x => x.Topic == WritesTopic) >= 3, TimeSpan.FromSeconds(30), "three audit events");
        var audit = subscriber.Json(WritesTopic).Select(a => (a.GetProperty("tag").GetString(), a.GetProperty("value").GetDouble(), a.GetProperty("result").GetString(), a.GetProperty("readBack").GetDouble())).ToArray();
        Assert.Equal(3, audit.Length);
        Assert.Contains(("cell.quality_hold", 1.0, "ok", 1.0), audit);
        Assert.Contains(("cell.setpoint", 12.5, "ok", 12.5), audit);
        Assert.Equal(("cell.quality_hold", 0.0, "ok", 0.0), audit[^1]);
    }

    [Fact]
    public async Task Writes_the_server_refuses_fail_with_the_status_code_name_in_the_reply_and_the_audit_and_change_nothing()
    {
        await using var plc = await UaServer.StartAsync();
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, $"{Site}/edge/ualoop/reply/#", WritesTopic, $"{Site}/edge/ualoop/state");
        using var loggers = TestOutputLoggerProvider.Factory(output);
        await using var agent = await TestAgent.StartAsync(Yaml(plc.EndpointUrl, $"{{ broker: \"{broker.Url}\", commands: {{ write: true }} }}"), loggers);
        await OnlineAsync(subscriber);

        (string Tag, string Node, string Code, double Unchanged)[] refused =
        [
            ("cell.readonly", "ns=2;s=Loop.ReadOnly", "BadNotWritable", 1.5),
            ("cell.denied", "ns=2;s=Loop.Denied", "BadUserAccessDenied", 2.5),
            ("cell.mismatch", "ns=2;s=Loop.Mismatch", "BadTypeMismatch", 3.5),
        ];
        for (var i = 0; i < refused.Length; i++)
        {
            await subscriber.PublishAsync($"{Site}/edge/ualoop/cmd/write", $$"""{"tag":"{{refused[i].Tag}}","value":7,"by":"qa"}""");
            var reply = await ReplyAsync(subscriber, i + 1);
            Assert.False(reply.GetProperty("ok").GetBoolean());
            Assert.StartsWith("failed: ", reply.GetProperty("error").GetString());
            Assert.Contains(refused[i].Code, reply.GetProperty("error").GetString());
        }

        // Not writable in the YAML: refused by the agent. A Boolean's value outside 0/1: the node's type is known only at the
        // write, so the driver fails it before sending anything.
        await subscriber.PublishAsync($"{Site}/edge/ualoop/cmd/write", """{"tag":"cell.plain","value":1,"by":"qa"}""");
        Assert.Contains("not writable", (await ReplyAsync(subscriber, 4)).GetProperty("error").GetString());
        await subscriber.PublishAsync($"{Site}/edge/ualoop/cmd/write", """{"tag":"cell.quality_hold","value":2,"by":"qa"}""");
        Assert.Contains("a Boolean takes 0 or 1, found 2", (await ReplyAsync(subscriber, 5)).GetProperty("error").GetString());

        await subscriber.WaitUntilAsync(m => m.Count(x => x.Topic == WritesTopic) >= 5, TimeSpan.FromSeconds(30), "five audit events");
        var audit = subscriber.Json(WritesTopic).ToArray();
        for (var i = 0; i < refused.Length; i++)
        {
            Assert.Equal((refused[i].Tag, "failed", "qa"), (audit[i].GetProperty("tag").GetString(), audit[i].GetProperty("result").GetString(), audit[i].GetProperty("by").GetString()));
            Assert.Contains(refused[i].Code, audit[i].GetProperty("error").GetString());
            Assert.Equal(1, audit[i].GetProperty("attempts").GetInt32()); // the server's refusal is not retried
            Assert.Equal(refused[i].Unchanged, (await plc.ReadAsync(refused[i].Node)).GetProperty("value").GetDouble());
        }

        Assert.Equal(("cell.plain", "refused"), (audit[3].GetProperty("tag").GetString(), audit[3].GetProperty("result").GetString()));
        Assert.Equal(("cell.quality_hold", "failed"), (audit[4].GetProperty("tag").GetString(), audit[4].GetProperty("result").GetString()));
        Assert.Equal(0.0, (await plc.ReadAsync("ns=2;s=Loop.Setpoint2")).GetProperty("value").GetDouble());
        Assert.False((await plc.ReadAsync("ns=2;s=Loop.Hold")).GetProperty("value").GetBoolean());
    }

    /// <summary>The agent announced itself online: it is connected and subscribed to its commands.</summary>
    private static Task OnlineAsync(TestSubscriber subscriber) =>
        subscriber.WaitUntilAsync(m => m.Any(x => x.Topic == $"{Site}/edge/ualoop/state" && Encoding.UTF8.GetString(x.Payload) == "online"), TimeSpan.FromSeconds(30), "agent online");

    private static async Task<JsonElement> ReplyAsync(TestSubscriber subscriber, int nth)
    {
        await subscriber.WaitUntilAsync(m => m.Count(x => x.Topic == ReplyTopic) >= nth, TimeSpan.FromSeconds(60), $"reply {nth} on {ReplyTopic}");
        return subscriber.Json(ReplyTopic).ElementAt(nth - 1);
    }
}
