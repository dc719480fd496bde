using System.Buffers;
using EdgeAgent.Equipment;
using EdgeAgent.Characteristics;
using EdgeAgent.Hosting;
using EdgeAgent.Alarms;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Alarms.Benchmarks;

/// <summary>
/// The hot path as the agent runs it: a batch of samples through <see cref="SamplePipeline.Route"/> (tag directory
/// update, fan-out) into a characteristic (spec check, src/Spc chart, run-rule alarm decisions) or an expression alarm.
/// The values are in control (alternating just above and below the center), so no alarm changes state.
/// </summary>
public sealed class HotPath
{
    public const int BatchSize = 1000;

    private const string Yaml = """
        sources:
          - name: sim
            driver: simulator
            tags:
              - { name: d, signal: normal }
              - { name: temp, signal: sine }
              - { name: serial, signal: counter }
        characteristics:
          - name: imr
            tag: sim.d
            chart: imr
            limits: { ucl: 10.03, cl: 10.0, lcl: 9.97 }
            spec: { lsl: 9.9, usl: 10.1 }
            rules: [we1, we2, we3, we4]
            context: [sim.serial]
          - name: xbar
            tag: sim.d
            chart: xbar-r
            subgroup: 5
            limits: { baseline: 25 }
            spec: { lsl: 9.9, usl: 10.1 }
            rules: [we, nelson]
        equipment:
          - name: press1
            running: sim.temp > 0
            alarms:
              - { name: hot, when: "sim.temp > 80 for 5s", deadband: 2, context: [sim.serial] }
        """;

    public SamplePipeline Pipeline { get; private set; } = null!;
    public Characteristic Imr { get; private set; } = null!;
    public Characteristic Xbar { get; private set; } = null!;
    public int Events { get; private set; }

    private Sample[] _d = null!;
    private Sample[] _temp = null!;

    /// <summary>Builds the pipeline with the consumers selected: "imr", "xbar", "expression".</summary>
    public void Setup(string consumers, bool publishPoints)
    {
        var (config, errors) = ConfigLoader.TryParse(Yaml, "bench.yaml");
        if (config is null || errors.HasErrors)
        {
            throw new InvalidOperationException(string.Join("\n", errors.Sorted()));
        }

        var directory = TagDirectory.Of(config);
        var data = Directory.CreateTempSubdirectory("alarms-bench").FullName;
        var engine = new AlarmEngine(data, directory, _ => Events++, TimeProvider.System, new AgentMetrics(), NullLogger.Instance);
        var list = new List<(int, ISampleConsumer)>();
        Imr = new Characteristic(config.Characteristics()[0], Spc.SpcChart.Create(CharacteristicComponent.SpecOf(config.Characteristics()[0])), engine, directory, _ => Events++)
        {
            PublishPoints = publishPoints,
        };
        Xbar = new Characteristic(config.Characteristics()[1], Spc.SpcChart.Create(CharacteristicComponent.SpecOf(config.Characteristics()[1])), engine, directory, _ => Events++)
        {
            PublishPoints = publishPoints,
        };
        if (consumers.Contains("imr", StringComparison.Ordinal))
        {
            list.Add((0, Imr));
        }

        if (consumers.Contains("xbar", StringComparison.Ordinal))
        {
            list.Add((0, Xbar));
        }

        if (consumers.Contains("expression", StringComparison.Ordinal))
        {
            var alarm = config.Equipment()[0].Alarms[0];
            var condition = engine.Define(new AlarmDefinition { Id = alarm.Id, Source = "press1", OnDelay = alarm.OnDelay, Context = alarm.Context });
            list.Add((1, new EquipmentAlarm(alarm, condition, directory)));
        }

        Pipeline = new SamplePipeline(directory, list, [], 16, new AgentMetrics(), NullLogger.Instance);
        var t = DateTime.UtcNow.Ticks;
        _d = new Sample[BatchSize];
        _temp = new Sample[BatchSize];
        for (var i = 0; i < BatchSize; i++)
        {
            // In control: ±0.1σ around the center, alternating sides (no WE/Nelson pattern), well inside the spec.
            _d[i] = Sample.Good(0, 10.0 + (i % 2 == 0 ? 0.001 : -0.001) * (1 + (i % 3) * 0.1), t + i);
            _temp[i] = Sample.Good(1, 60 + (i % 7), t + i);
        }

        // Xbar-R: finish its baseline so that rules are evaluated on every subgroup.
        for (var i = 0; i < 25 * 5; i++)
        {
            Xbar.Measure(10.0 + ((i * 7) % 5 - 2) * 0.004, t);
        }

        _bareChart = Spc.SpcChart.Create(CharacteristicComponent.SpecOf(config.Characteristics()[0]));
        Events = 0;
    }

    /// <summary>Routes one batch of <see cref="BatchSize"/> samples of the measured tag.</summary>
    public void RouteMeasurements() => Route(_d);

    public void RouteTemperatures() => Route(_temp);

    /// <summary>Reference: the same values straight into a bare src/Spc I-MR chart (no router, no alarms).</summary>
    public void ChartOnly()
    {
        var chart = _bareChart;
        var d = _d;
        for (var i = 0; i < d.Length; i++)
        {
            chart.Add(d[i].Value, out _);
        }
    }

    private Spc.SpcChart _bareChart = null!;

    private void Route(Sample[] source)
    {
        var items = ArrayPool<Sample>.Shared.Rent(BatchSize); // the pipeline returns it, as it does for sources
        source.AsSpan().CopyTo(items);
        Pipeline.Route(new SampleBatch(items, BatchSize, 0));
    }
}
