using System.Text;
using EdgeAgent.Hosting;
using EdgeAgent.Alarms;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Expressions;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Alarms;

public class AlarmEngineTests
{
    private const string Yaml = """
        sources:
          - name: press1
            driver: simulator
            tags:
              - { name: temp, signal: sine }
              - { name: serial, signal: counter }
              - { name: batch, signal: constant, mean: 7 }
        """;

    private static readonly long T0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    private sealed class Harness
    {
        public Harness(string? dataDir = null)
        {
            DataDir = dataDir ?? System.IO.Directory.CreateTempSubdirectory("alarms").FullName;
            Config = TestAgent.Parse(Yaml);
            Directory = TagDirectory.Of(Config);
            Engine = new AlarmEngine(DataDir, Directory, Events.Add, TimeProvider.System, new AgentMetrics(), NullLogger.Instance);
        }

        public string DataDir { get; }
        public AgentConfig Config { get; }
        public TagDirectory Directory { get; }
        public AlarmEngine Engine { get; }
        public List<AgentEvent> Events { get; } = new();
        public AlarmEvent[] Alarms => Events.OfType<AlarmEvent>().ToArray();

        public IAlarmCondition Define(string id = "press1/hot", TimeSpan onDelay = default, TimeSpan offDelay = default) =>
            Engine.Define(new AlarmDefinition
            {
                Id = id,
                Source = "press1",
                Priority = "high",
                Message = "too hot",
                OnDelay = onDelay,
                OffDelay = offDelay,
                Context = [new ContextTag("press1.serial", 1), new ContextTag("press1.batch", 2)],
            });

        public void Set(int tagId, double value, long ticks) => Directory.Update(Sample.Good(tagId, value, ticks));
    }

    private static long At(double seconds) => T0 + (long)(seconds * TimeSpan.TicksPerSecond);

    [Fact]
    public void Active_then_acknowledged_then_cleared_with_context_captured_at_activation()
    {
        var h = new Harness();
        var c = h.Define();
        h.Set(1, 1234, At(0));
        c.Update(true, 85, At(0));
        h.Set(1, 1235, At(1));
        c.Update(true, 86, At(1));

        var active = Assert.Single(h.Alarms);
        Assert.Equal(AlarmState.Active, active.State);
        Assert.Equal("press1/hot", active.Id);
        Assert.Equal("high", active.Priority);
        Assert.Equal(85, active.Value);
        Assert.Equal(1234.0, active.Context["press1.serial"]);
        Assert.Null(active.Context["press1.batch"]); // never read: unknown, not a made-up value

        Assert.True(h.Engine.Acknowledge("press1/hot", "anna", "checking cooling").Ok);
        Assert.Equal(AlarmState.Acknowledged, h.Alarms[1].State);
        Assert.Equal("anna", h.Alarms[1].By);
        Assert.Equal("checking cooling", h.Alarms[1].Comment);
        Assert.Equal("acknowledged", Assert.Single(h.Engine.Snapshot()).State);

        c.Update(false, 70, At(2));
        Assert.Equal(AlarmState.Cleared, h.Alarms[2].State);
        Assert.False(h.Alarms[2].Unacknowledged);
        Assert.Empty(h.Engine.Snapshot());
    }

    [Fact]
    public void Clearing_before_ack_returns_to_normal_unacknowledged_and_ack_then_ends_it()
    {
        var h = new Harness();
        var c = h.Define();
        c.Update(true, 85, At(0));
        c.Update(false, 70, At(1));
        Assert.Equal(AlarmState.Cleared, h.Alarms[1].State);
        Assert.True(h.Alarms[1].Unacknowledged);
        Assert.Equal("returned-unacknowledged", Assert.Single(h.Engine.Snapshot()).State);

        // Comes back before anyone acknowledged: the same alarm is active again (one alarm per condition).
        c.Update(true, 90, At(2));
        Assert.Equal(AlarmState.Active, h.Alarms[2].State);
        c.Update(false, 70, At(3));
        Assert.True(h.Engine.Acknowledge("press1/hot", "ben", null).Ok);
        Assert.Equal(AlarmState.Cleared, h.Alarms[^1].State);
        Assert.Equal("ben", h.Alarms[^1].By);
        Assert.Empty(h.Engine.Snapshot());
    }

    [Fact]
    public void A_condition_that_stays_true_is_one_alarm_not_one_per_sample()
    {
        var h = new Harness();
        var c = h.Define();
        for (var i = 0; i < 1000; i++)
        {
            c.Update(true, 85 + i, At(i * 0.1));
        }

        Assert.Single(h.Alarms);
    }

    [Fact]
    public void On_and_off_delays_are_measured_on_sample_time()
    {
        var h = new Harness();
        var c = h.Define(onDelay: TimeSpan.FromSeconds(5), offDelay: TimeSpan.FromSeconds(2));
        c.Update(true, 85, At(0));
        c.Update(true, 85, At(4.9));
        Assert.Empty(h.Alarms);
        c.Update(false, 70, At(5)); // a dip restarts the on-delay
        c.Update(true, 85, At(6));
        c.Update(true, 85, At(10.9));
        Assert.Empty(h.Alarms);
        c.Update(true, 85, At(11));
        Assert.Equal(AlarmState.Active, Assert.Single(h.Alarms).State);

        c.Update(false, 70, At(12));
        c.Update(false, 70, At(13.9));
        Assert.Single(h.Alarms);
        c.Update(false, 70, At(14));
        Assert.Equal(AlarmState.Cleared, h.Alarms[1].State);
    }

    [Fact]
    public void Deadband_keeps_an_expression_alarm_active_until_the_value_is_clear_by_that_much()
    {
        var h = new Harness();
        var when = Expression.Compile("press1.temp > 80", DictionaryTagResolver.From(h.Config.Tags));
        var alarm = new EdgeAgent.Equipment.EquipmentAlarmConfig { Name = "hot", Id = "press1/hot", When = when, Deadband = 2 };
        var consumer = new EdgeAgent.Equipment.EquipmentAlarm(alarm, h.Define(), h.Directory);
        double[] temps = [79, 80, 80.5, 79, 78.5, 78, 77.9, 80.1];
        for (var i = 0; i < temps.Length; i++)
        {
            var s = Sample.Good(0, temps[i], At(i));
            h.Directory.Update(s);
            consumer.OnSample(s);
        }

        Assert.Equal([AlarmState.Active, AlarmState.Cleared, AlarmState.Active], h.Alarms.Select(a => a.State));
        Assert.Equal(80.5, h.Alarms[0].Value);
        Assert.Equal(78, h.Alarms[1].Value); // back inside by the deadband (80 - 2)
    }

    [Fact]
    public void A_shelved_alarm_is_not_announced_until_unshelved()
    {
        var h = new Harness();
        var c = h.Define();
        Assert.True(h.Engine.Shelve("press1/hot", TimeSpan.FromHours(1), "anna").Ok);
        c.Update(true, 85, At(0));
        Assert.Empty(h.Alarms);
        Assert.True(h.Engine.Unshelve("press1/hot").Ok);
        Assert.Equal(AlarmState.Active, Assert.Single(h.Alarms).State);
        Assert.False(h.Engine.Shelve("press1/hto", TimeSpan.FromHours(1), null).Ok);
    }

    [Fact]
    public void Active_alarms_survive_a_restart_and_clear_when_the_condition_is_seen_false()
    {
        var first = new Harness();
        first.Set(1, 42, At(0));
        first.Define().Update(true, 85, At(0));
        first.Engine.Persist();

        var second = new Harness(first.DataDir);
        var c = second.Define();
        Assert.True(c.IsActive);
        var restored = Assert.Single(second.Engine.Snapshot());
        Assert.Equal("active", restored.State);
        Assert.Equal(85, restored.Value);
        Assert.Equal(42.0, AlarmStore.FromJson(restored.Context["press1.serial"]));

        c.Update(true, 86, At(10));
        Assert.Empty(second.Alarms); // not re-announced
        c.Update(false, 70, At(11));
        var cleared = Assert.Single(second.Alarms);
        Assert.Equal(AlarmState.Cleared, cleared.State);
        Assert.True(cleared.Unacknowledged);
        Assert.Equal(42.0, cleared.Context["press1.serial"]);
    }

    [Fact]
    public void Ack_command_payloads_are_checked()
    {
        var h = new Harness();
        h.Define().Update(true, 85, At(0));
        Assert.Contains("not JSON", AlarmComponent.Ack(h.Engine, Encoding.UTF8.GetBytes("{nope")).Error);
        Assert.Contains("'id' is missing", AlarmComponent.Ack(h.Engine, Encoding.UTF8.GetBytes("{\"by\":\"x\"}")).Error);
        Assert.Equal("no alarm 'press1/hto' is active or unacknowledged; did you mean 'press1/hot'?",
            AlarmComponent.Ack(h.Engine, Encoding.UTF8.GetBytes("{\"id\":\"press1/hto\"}")).Error);
        Assert.True(AlarmComponent.Ack(h.Engine, Encoding.UTF8.GetBytes("{\"id\":\"press1/hot\",\"by\":\"op\",\"comment\":\"ok\"}")).Ok);
        Assert.Equal(AlarmState.Acknowledged, h.Alarms[^1].State);
    }

    [Fact]
    public void A_corrupt_alarm_file_is_moved_aside_not_fatal()
    {
        var dir = Directory.CreateTempSubdirectory("alarms").FullName;
        File.WriteAllText(Path.Combine(dir, AlarmStore.FileName), "{ not json");
        var h = new Harness(dir);
        Assert.Empty(h.Engine.Snapshot());
        Assert.True(File.Exists(Path.Combine(dir, AlarmStore.FileName + ".bad")));
    }
}

public class AlarmConfigTests
{
    [Fact]
    public void Alarm_names_of_built_in_alarms_are_rejected_at_load()
    {
        const string yaml = """
            sources:
              - name: press1
                driver: simulator
                tags:
                  - { name: temp, signal: sine }
            equipment:
              - name: press1
                running: press1.temp > 0
                alarms:
                  - { name: comm-loss, when: press1.temp > 80 }
                  - { name: hot, when: press1.temp > 80, on_delay: 2s, priority: urgent }
                  - { name: hot2, when: press1.temp > 80 for 1s, on_delay: 2s }
            """;
        var (_, errors) = EdgeAgent.Hosting.ConfigLoader.TryParse(yaml, "a.yaml");
        var lines = errors.Sorted().Select(e => e.ToString()).ToList();
        Assert.Contains(lines, l => l.StartsWith("a.yaml:10:", StringComparison.Ordinal) && l.Contains("'comm-loss' is reserved"));
        Assert.Contains(lines, l => l.StartsWith("a.yaml:11:", StringComparison.Ordinal) && l.Contains("unknown value 'urgent'"));
        Assert.Contains(lines, l => l.StartsWith("a.yaml:12:", StringComparison.Ordinal) && l.Contains("either as 'for' in the condition or as on_delay"));
        Assert.Equal(3, lines.Count);
    }
}
