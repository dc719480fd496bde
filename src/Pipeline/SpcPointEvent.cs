namespace EdgeAgent.Pipeline;

/// <summary>
/// One completed subgroup (or individual point) of a characteristic's chart: <c>{site}/spc/{characteristic}</c>,
/// InfluxDB <c>spc</c> (and <c>capability</c> when <see cref="Capability"/> is set).
/// </summary>
public sealed record SpcPointEvent(
    DateTime Ts,
    string Characteristic,
    string Chart,
    long Index,
    double Value,
    double Center,
    double Ucl,
    double Lcl,
    IReadOnlyList<string> Violations) : AgentEvent(Ts)
{
    /// <summary>Secondary chart (mr, r, s) statistic and limits, when the chart has one.</summary>
    public string? SecondaryChart { get; init; }
    public double? Secondary { get; init; }
    public double? SecondaryCenter { get; init; }
    public double? SecondaryUcl { get; init; }
    public double? SecondaryLcl { get; init; }

    /// <summary>Subgroup size (n) of this point (variable for p/u charts).</summary>
    public int Size { get; init; } = 1;

    /// <summary>True while limits are still being learned from the baseline (no rule evaluation yet).</summary>
    public bool Baseline { get; init; }

    public CapabilitySnapshot? Capability { get; init; }
}
