using EdgeAgent.Drivers;
using EdgeAgent.Equipment;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Equipment;

public class EquipmentMachineTests
{
    private const string Yaml = """
        sources:
          - name: press1
            driver: simulator
            tags:
              - { name: running, signal: square }
              - { name: fault_code, signal: constant }
              - { name: setup, signal: constant }
              - { name: count, signal: counter }
              - { name: good, signal: counter }
          - name: other
            driver: simulator
            tags:
              - { name: x, signal: constant }
        equipment:
          - name: press1
            running: press1.running == 1
            fault: press1.fault_code != 0
            setup: press1.setup == 1 and not (press1.fault_code != 0)
            parts: { total: press1.count, good: press1.good }
        """;

    private static readonly long T0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    private sealed class Harness
    {
        public Harness()
        {
            var config = TestAgent.Parse(Yaml);
            Directory = TagDirectory.Of(config);
            Machine = new EquipmentMachine(config.Equipment()[0], Directory, Events.Add, TimeProvider.System);
        }

        public TagDirectory Directory { get; }
        public EquipmentMachine Machine { get; }
        public List<AgentEvent> Events { get; } = new();
        public EquipmentStatusEvent[] Status => Events.OfType<EquipmentStatusEvent>().ToArray();

        public void Feed(double seconds, params (int Tag, double Value)[] values)
        {
            foreach (var (tag, value) in values)
            {
                var s = double.IsNaN(value) ? Sample.Bad(tag, Ticks(seconds)) : Sample.Good(tag, value, Ticks(seconds));
                Directory.Update(s);
                Machine.OnSample(s);
            }
        }

        public static long Ticks(double seconds) => T0 + (long)(seconds * TimeSpan.TicksPerSecond);
    }

    [Fact]
    public void State_follows_the_conditions_with_fault_over_setup_over_running_over_idle()
    {
        var h = new Harness();
        h.Feed(0, (0, 1), (1, 0));
        Assert.Empty(h.Status); // setup tag not seen yet: no state to announce
        h.Feed(0, (2, 0));
        h.Feed(10, (1, 3));
        h.Feed(15, (2, 1)); // setup while faulted: still fault
        h.Feed(20, (1, 0));
        h.Feed(25, (2, 0));
        h.Feed(30, (0, 0));
        Assert.Equal(["running", "fault", "setup", "running", "idle"], h.Status.Select(s => s.State));
        Assert.Equal([2, 4, 3, 2, 1], h.Status.Select(s => s.Code));
        Assert.Equal("setup", h.Status[3].Previous);
        Assert.Equal(new DateTime(Harness.Ticks(20), DateTimeKind.Utc), h.Status[2].Since);
        var counters = h.Status[^1].Counters;
        Assert.Equal(15, counters["running_s"]); // 0–10 and 25–30
        Assert.Equal(10, counters["fault_s"]);
        Assert.Equal(5, counters["setup_s"]);
    }

    [Fact]
    public void A_bad_tag_or_a_source_down_makes_the_equipment_offline()
    {
        var h = new Harness();
        h.Feed(0, (0, 1), (1, 0), (2, 0));
        h.Feed(1, (0, double.NaN));
        h.Feed(2, (0, 1));
        h.Machine.OnSourceState(0, SourceState.Down, new DateTime(Harness.Ticks(3), DateTimeKind.Utc));
        h.Machine.OnSourceState(1, SourceState.Down, new DateTime(Harness.Ticks(3), DateTimeKind.Utc)); // not its source
        h.Machine.OnSourceState(0, SourceState.Up, new DateTime(Harness.Ticks(4), DateTimeKind.Utc));
        Assert.Equal(["running", "offline", "running", "offline", "running"], h.Status.Select(s => s.State));
        Assert.Equal(0, h.Status[1].Code);
    }

    [Fact]
    public void Part_counters_add_up_increments_and_survive_a_counter_reset()
    {
        var h = new Harness();
        h.Feed(0, (0, 1), (1, 0), (2, 0), (3, 100), (4, 90));
        h.Feed(1, (3, 105), (4, 94));
        h.Feed(2, (3, 2), (4, 2)); // PLC restarted its counters
        h.Feed(3, (3, 4), (4, 3));
        var counters = h.Machine.Counters();
        Assert.Equal(9, counters["parts_total"]); // +5, +2 after the reset, +2
        Assert.Equal(7, counters["parts_good"]);
    }
}
