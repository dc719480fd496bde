using EdgeAgent.Spc;

namespace EdgeAgent.Analysis;

/// <summary>
/// What <c>spc analyze</c> reports for one data set, taken from <see cref="SpcAnalyzer"/>'s <see cref="SpcReport"/>:
/// where the limits came from, every point with its limits, the secondary chart's limits, σ, capability and the
/// run-rule violations. Undefined numbers stay NaN; the writers decide how to show them.
/// </summary>
internal sealed record AnalysisReport
{
    public required ChartType Chart { get; init; }

    /// <summary>Values per subgroup (1 except for xbar-r and xbar-s).</summary>
    public required int SubgroupSize { get; init; }

    public required LimitsSource LimitsFrom { get; init; }

    /// <summary>Subgroups the limits were estimated from (0 for fixed limits).</summary>
    public required int LimitsSubgroups { get; init; }

    /// <summary>Every point: statistic, center, limits and σ at that point, secondary value, C±, violated rules.</summary>
    public required SubgroupResult[] Points { get; init; }

    /// <summary>The process center (μ0 for EWMA and CUSUM).</summary>
    public required double Center { get; init; }

    /// <summary>EWMA weight λ and limit width L in σ.</summary>
    public required double Lambda { get; init; }

    public required double L { get; init; }

    /// <summary>CUSUM decision interval H = hσ and reference value K = kσ, in the data's units.</summary>
    public required double H { get; init; }

    public required double K { get; init; }

    /// <summary>Limits of the MR, R or S chart; null for charts without one.</summary>
    public required SecondaryLimits? Secondary { get; init; }

    /// <summary>σ within and overall; null for attribute charts.</summary>
    public required SigmaEstimate? Sigma { get; init; }

    /// <summary>Capability indices; null for attribute charts and when neither LSL nor USL was given.</summary>
    public required Capability? Capability { get; init; }

    /// <summary>One entry per violated rule per point, in point order, rules in order we1..nelson8.</summary>
    public required IReadOnlyList<Violation> Violations { get; init; }

    /// <summary>The run rules evaluated (the figures draw the 1σ/2σ zone lines only when a zone rule is among them).</summary>
    public required SpcRules Rules { get; init; }

    /// <summary>Specification limits and target as given; null when not.</summary>
    public required double? Lsl { get; init; }

    public required double? Usl { get; init; }

    public required double? Target { get; init; }

    /// <summary>Every individual value of a variables chart in row order (the capability histogram); empty for attribute charts.</summary>
    public required double[] Individuals { get; init; }

    /// <summary>The time of each point, from the CSV's time column; null when it has none.</summary>
    public IReadOnlyList<DateTimeOffset>? Timestamps { get; init; }

    /// <summary>
    /// The report of <paramref name="report"/>, which <see cref="SpcAnalyzer"/> computed from <paramref name="rows"/>;
    /// <paramref name="timestamps"/>, one per row, when the data has times.
    /// </summary>
    public static AnalysisReport From(SpcReport report, IReadOnlyList<double[]> rows, IReadOnlyList<DateTimeOffset>? timestamps = null)
    {
        var spec = report.Spec;
        var type = spec.Chart;
        var points = report.Points;
        var sigma = report.Parameters.Sigma;
        return new AnalysisReport
        {
            Chart = type,
            SubgroupSize = spec.SubgroupSize,
            LimitsFrom = report.LimitsSource,
            LimitsSubgroups = report.LimitsSubgroups,
            Points = points,
            Center = report.Parameters.Center,
            Lambda = spec.Lambda,
            L = spec.L,
            H = spec.H * sigma,
            K = spec.K * sigma,
            Secondary = type.SecondaryKey() is { } key && points.Length > 0
                ? new SecondaryLimits(key, points[0].SecondaryCenter, points[0].SecondaryUcl, points[0].SecondaryLcl)
                : null,
            Sigma = type.IsAttribute() ? null : new SigmaEstimate(report.SigmaWithin, report.SigmaOverall),
            Capability = type.IsAttribute() || (spec.Lsl is null && spec.Usl is null) ? null : report.Capability,
            Violations = [.. points.SelectMany(p => SpcRuleNames.Each(p.Violations).Select(rule => new Violation(type.PrimaryKey(), p.Index, rule)))],
            Rules = spec.Rules,
            Lsl = spec.Lsl,
            Usl = spec.Usl,
            Target = spec.Target,
            Individuals = type.IsAttribute() ? [] : [.. rows.SelectMany(row => row)],
            Timestamps = timestamps is { } t && t.Count == points.Length ? t : null,
        };
    }
}

/// <summary>Center and limits of the secondary chart (<see cref="Key"/> mr, r or s); the same for every point.</summary>
internal readonly record struct SecondaryLimits(string Key, double Center, double Ucl, double Lcl);

/// <summary>σ within (the chart's estimator, or what fixed limits imply) and σ overall (sample standard deviation).</summary>
internal readonly record struct SigmaEstimate(double Within, double Overall);

/// <summary>Rule <see cref="Rule"/> fired at point <see cref="Index"/> of chart <see cref="Chart"/> (i, xbar, p, …).</summary>
internal readonly record struct Violation(string Chart, long Index, SpcRules Rule)
{
    /// <summary>we1..we4, nelson1..nelson8.</summary>
    public string RuleName => SpcRuleNames.Name(Rule);
}
