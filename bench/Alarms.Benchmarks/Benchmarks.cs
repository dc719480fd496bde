using BenchmarkDotNet.Attributes;

namespace EdgeAgent.Alarms.Benchmarks;

/// <summary>Per-sample cost (OperationsPerInvoke = one batch) of sample → router → SPC → alarm decision.</summary>
[MemoryDiagnoser]
public class SampleToAlarmDecision
{
    private readonly HotPath _imr = new();
    private readonly HotPath _imrPublish = new();
    private readonly HotPath _xbarPublish = new();
    private readonly HotPath _expression = new();

    [GlobalSetup]
    public void Setup()
    {
        _imr.Setup("imr", publishPoints: false);
        _imrPublish.Setup("imr", publishPoints: true);
        _xbarPublish.Setup("xbar", publishPoints: true);
        _expression.Setup("expression", publishPoints: false);
    }

    /// <summary>I-MR, fixed limits, spec check, WE1–4 decisions; no point events (the decision alone).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = HotPath.BatchSize)]
    public void Imr_decision() => _imr.RouteMeasurements();

    /// <summary>Same, plus the SpcPointEvent (with capability) published for every point.</summary>
    [Benchmark(OperationsPerInvoke = HotPath.BatchSize)]
    public void Imr_with_point_events() => _imrPublish.RouteMeasurements();

    /// <summary>X̄-R n=5, WE+Nelson, one SpcPointEvent per 5 samples.</summary>
    [Benchmark(OperationsPerInvoke = HotPath.BatchSize)]
    public void XbarR5_with_point_events() => _xbarPublish.RouteMeasurements();

    /// <summary>Expression alarm "sim.temp > 80 for 5s" with a deadband.</summary>
    [Benchmark(OperationsPerInvoke = HotPath.BatchSize)]
    public void Expression_alarm() => _expression.RouteTemperatures();
}
