using System.Text;
using System.Text.Json;
using EdgeAgent.Pipeline;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>The JSON topic contract (README, "MQTT topics"), as an independent subscriber sees it on a real mosquitto.</summary>
public sealed class TopicContractTests(ITestOutputHelper output)
{
    private const string Site = "acme/plant-a/line-1";

    private static string Config(Mosquitto broker, string extra = "") => $$"""
        agent: { id: contract-gw, site: {{Site}} }
        sources:
          - name: sim
            driver: simulator
            poll: 100ms
            tags:
              - { name: count, signal: counter }
              - { name: temp, signal: constant, mean: 60 }
        outputs:
          mqtt: { broker: "{{broker.Url}}"{{extra}} }
        """;

    [Fact]
    public async Task Every_event_kind_is_published_on_its_topic_with_the_documented_fields()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, Site + "/#");
        await using var agent = await AgentHarness.StartAsync(Config(broker), output);
        await subscriber.WaitUntilAsync(m => m.Any(x => x.Topic == $"{Site}/data/sim/count"), TimeSpan.FromSeconds(30), "data");

        var ts = new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
        agent.Agent.Context.Publish(new AlarmEvent(ts, "press1.diameter/we1", AlarmState.Active, "high", "sim", "press1.diameter", "we1", 10.07)
        {
            Context = new Dictionary<string, object?> { ["serial"] = "S-123", ["batch"] = 42.0 },
            Message = "1 point beyond 3 sigma",
        });
        agent.Agent.Context.Publish(new EquipmentStatusEvent(ts, "press1", "running", ts.AddMinutes(-5)) { Previous = "idle", Code = 2 });
        agent.Agent.Context.Publish(new SpcPointEvent(ts, "press1.diameter", "xbar-r", 7, 10.01, 10.0, 10.03, 9.97, ["we1"])
        {
            SecondaryChart = "r",
            Secondary = 0.02,
            SecondaryCenter = 0.021,
            SecondaryUcl = 0.044,
            SecondaryLcl = 0,
            Size = 5,
            Capability = new CapabilitySnapshot(1.4, 1.3, 1.35, 1.25, null, 125),
        });
        agent.Agent.Context.Publish(new SourceStateEvent(ts, "sim", Drivers.SourceState.Down, "timeout"));

        await subscriber.WaitUntilAsync(
            m => m.Any(x => x.Topic == $"{Site}/alarms") && m.Any(x => x.Topic == $"{Site}/press1/status")
                && m.Any(x => x.Topic == $"{Site}/spc/press1.diameter") && m.Any(x => x.Topic == $"{Site}/edge/contract-gw/source/sim"),
            TimeSpan.FromSeconds(30),
            "alarm, status, spc and source state");

        var state = subscriber.On($"{Site}/edge/contract-gw/state").First();
        Assert.Equal("online", Encoding.UTF8.GetString(state.Payload));

        var data = subscriber.Json($"{Site}/data/sim/temp").First();
        Assert.Equal(["value", "quality", "ts"], Names(data));
        Assert.Equal(60, data.GetProperty("value").GetDouble());
        Assert.Equal("Good", data.GetProperty("quality").GetString());

        var alarm = subscriber.Json($"{Site}/alarms").Single(a => a.GetProperty("id").GetString() == "press1.diameter/we1");
        Assert.Equal(["id", "state", "priority", "source", "characteristic", "rule", "value", "context", "ts", "message"], Names(alarm));
        Assert.Equal("press1.diameter/we1", alarm.GetProperty("id").GetString());
        Assert.Equal("active", alarm.GetProperty("state").GetString());
        Assert.Equal("high", alarm.GetProperty("priority").GetString());
        Assert.Equal("we1", alarm.GetProperty("rule").GetString());
        Assert.Equal(10.07, alarm.GetProperty("value").GetDouble());
        Assert.Equal("S-123", alarm.GetProperty("context").GetProperty("serial").GetString());
        Assert.Equal(ts, alarm.GetProperty("ts").GetDateTime().ToUniversalTime());

        var status = subscriber.On($"{Site}/press1/status").Last();
        var statusJson = JsonDocument.Parse(status.Payload).RootElement;
        Assert.Equal(["state", "since", "ts", "previous", "code"], Names(statusJson));
        Assert.Equal("running", statusJson.GetProperty("state").GetString());
        Assert.Equal(ts.AddMinutes(-5), statusJson.GetProperty("since").GetDateTime().ToUniversalTime());

        var spc = subscriber.Json($"{Site}/spc/press1.diameter").Last();
        Assert.Equal(10.01, spc.GetProperty("statistic").GetDouble());
        Assert.Equal(10.03, spc.GetProperty("ucl").GetDouble());
        Assert.Equal(9.97, spc.GetProperty("lcl").GetDouble());
        Assert.Equal(10.0, spc.GetProperty("center").GetDouble());
        Assert.Equal(5, spc.GetProperty("n").GetInt32());
        Assert.Equal("we1", spc.GetProperty("violations")[0].GetString());
        Assert.Equal("r", spc.GetProperty("secondary").GetProperty("chart").GetString());
        Assert.Equal(1.3, spc.GetProperty("capability").GetProperty("cpk").GetDouble());
        Assert.Equal(JsonValueKind.Null, spc.GetProperty("capability").GetProperty("cpm").ValueKind);

        var source = subscriber.Json($"{Site}/edge/contract-gw/source/sim").Last();
        Assert.Equal("down", source.GetProperty("state").GetString());
        Assert.Equal("timeout", source.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Status_is_retained_so_a_late_subscriber_gets_the_current_state()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var agent = await AgentHarness.StartAsync(Config(broker), output);
        await using var watcher = await TestSubscriber.ConnectAsync(broker.Port, $"{Site}/press1/status");
        agent.Agent.Context.Publish(new EquipmentStatusEvent(DateTime.UtcNow, "press1", "fault", DateTime.UtcNow) { Code = 4 });
        await watcher.WaitUntilAsync(m => m.Count > 0, TimeSpan.FromSeconds(30), "the status");
        await using var late = await TestSubscriber.ConnectAsync(broker.Port, $"{Site}/press1/status");
        await late.WaitUntilAsync(m => m.Any(x => x.Retain), TimeSpan.FromSeconds(30), "the retained status");
        Assert.Equal("fault", late.Json($"{Site}/press1/status").First().GetProperty("state").GetString());
    }

    [Fact]
    public async Task Commands_on_cmd_are_dispatched_and_answered_and_rebirth_republishes_state_and_values()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, Site + "/#");
        // One poll at start and none for an hour: whatever arrives on a data topic after the rebirth is the republished value.
        await using var agent = await AgentHarness.StartAsync(Config(broker).Replace("poll: 100ms", "poll: 1h"), output);
        string count = $"{Site}/data/sim/count", temp = $"{Site}/data/sim/temp", state = $"{Site}/edge/contract-gw/state", source = $"{Site}/edge/contract-gw/source/sim";
        await subscriber.WaitUntilAsync(m => m.Any(x => x.Topic == count) && m.Any(x => x.Topic == temp)
            && m.Any(x => x.Topic == source && Encoding.UTF8.GetString(x.Payload).Contains("\"state\":\"up\"", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the first poll and the source up");
        var polled = subscriber.Json(count).Single();
        int states = subscriber.On(state).Count(), sources = subscriber.On(source).Count();

        await subscriber.PublishAsync($"{Site}/edge/contract-gw/cmd/rebirth", "{}");
        await subscriber.WaitUntilAsync(m => m.Any(x => x.Topic == $"{Site}/edge/contract-gw/reply/rebirth"), TimeSpan.FromSeconds(30), "the rebirth reply");
        Assert.True(subscriber.Json($"{Site}/edge/contract-gw/reply/rebirth").Single().GetProperty("ok").GetBoolean());
        await subscriber.WaitUntilAsync(m => m.Count(x => x.Topic == state) > states && m.Count(x => x.Topic == source) > sources
            && m.Count(x => x.Topic == count) == 2 && m.Count(x => x.Topic == temp) == 2, TimeSpan.FromSeconds(30), "state, source state and both values again");

        Assert.Equal("online", Encoding.UTF8.GetString(subscriber.On(state).Last().Payload));
        Assert.Equal("up", subscriber.Json(source).Last().GetProperty("state").GetString());
        var republished = subscriber.Json(count).Last();
        Assert.Equal(polled.GetProperty("value").GetDouble(), republished.GetProperty("value").GetDouble());
        Assert.Equal(polled.GetProperty("ts").GetString(), republished.GetProperty("ts").GetString()); // the same sample, not a new poll
        Assert.Equal(60.0, subscriber.Json(temp).Last().GetProperty("value").GetDouble());

        await subscriber.PublishAsync($"{Site}/edge/contract-gw/cmd/no/such/thing", "{}");
        await subscriber.WaitUntilAsync(m => m.Any(x => x.Topic == $"{Site}/edge/contract-gw/reply/no/such/thing"), TimeSpan.FromSeconds(30), "the error reply");
        var error = subscriber.Json($"{Site}/edge/contract-gw/reply/no/such/thing").Single();
        Assert.False(error.GetProperty("ok").GetBoolean());
        Assert.Contains("unknown command", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Streams_select_what_is_published_and_batched_data_sends_one_message_per_poll()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, Site + "/#");
        await using var agent = await AgentHarness.StartAsync(Config(broker, ", streams: [data, status], data: batched, qos: { data: 0 }"), output);
        agent.Agent.Context.Publish(new AlarmEvent(DateTime.UtcNow, "x", AlarmState.Active, "low", "sim", null, null, null));
        agent.Agent.Context.Publish(new EquipmentStatusEvent(DateTime.UtcNow, "press1", "idle", DateTime.UtcNow));
        await subscriber.WaitUntilAsync(m => m.Any(x => x.Topic == $"{Site}/press1/status") && m.Count(x => x.Topic == $"{Site}/data/sim") >= 3, TimeSpan.FromSeconds(30), "status and batched data");
        Assert.DoesNotContain(subscriber.Messages, m => m.Topic == $"{Site}/alarms");
        Assert.DoesNotContain(subscriber.Messages, m => m.Topic.StartsWith($"{Site}/data/sim/", StringComparison.Ordinal));
        var batch = subscriber.Json($"{Site}/data/sim").First();
        Assert.Equal(JsonValueKind.Array, batch.ValueKind);
        Assert.Equal(["count", "temp"], batch.EnumerateArray().Select(e => e.GetProperty("tag").GetString()!));
    }

    private static string[] Names(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();
}
