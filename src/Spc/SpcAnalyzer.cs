namespace EdgeAgent.Spc;

/// <summary>Where the limits of an analysis came from.</summary>
public enum LimitsSource
{
    /// <summary>Estimated from every subgroup.</summary>
    All,

    /// <summary>Estimated from the first N subgroups (phase I), applied to all.</summary>
    Phase1,

    /// <summary>Given.</summary>
    Fixed,
}

/// <summary>The result of <see cref="SpcAnalyzer.Analyze"/>.</summary>
public sealed record SpcReport
{
    public required ChartSpec Spec { get; init; }
    public required LimitsSource LimitsSource { get; init; }

    /// <summary>Subgroups the limits were estimated from (0 for fixed limits).</summary>
    public required int LimitsSubgroups { get; init; }

    public required SubgroupResult[] Points { get; init; }
    public required ChartParameters Parameters { get; init; }

    /// <summary>Within σ: the chart's estimator (MR̄/d2(2), R̄/d2(n), S̄/c4(n)) or the σ the fixed limits imply; NaN for attribute charts.</summary>
    public required double SigmaWithin { get; init; }

    /// <summary>Sample standard deviation (n − 1) of all individual values; NaN for attribute charts.</summary>
    public required double SigmaOverall { get; init; }

    /// <summary>NaN indices when no spec was given or for attribute charts.</summary>
    public required Capability Capability { get; init; }
}

/// <summary>
/// Offline (batch) analysis of a whole data set: the same evaluation as the streaming <see cref="SpcChart"/>, with limits
/// from all data, from the first N subgroups, or fixed. Not a hot path; allocates freely.
/// </summary>
public static class SpcAnalyzer
{
    /// <summary>
    /// Analyzes <paramref name="rows"/>: for variables charts each row is one subgroup of <see cref="ChartSpec.SubgroupSize"/>
    /// values; for p, np and u each row is (count, size); for c each row is (count).
    /// With <see cref="ChartSpec.Limits"/> set the limits are fixed; otherwise they come from the first
    /// <paramref name="phase1"/> rows, or from all rows when it is null.
    /// </summary>
    public static SpcReport Analyze(ChartSpec spec, IReadOnlyList<double[]> rows, int? phase1 = null)
    {
        spec = spec with { CapabilityWindow = 0 };
        LimitsSource source;
        int estimateFrom;
        ChartSpec runSpec;
        if (spec.Limits is not null)
        {
            if (phase1 is not null)
            {
                throw new ArgumentOutOfRangeException(nameof(phase1), phase1, "give either phase I subgroups or fixed limits, not both");
            }

            source = LimitsSource.Fixed;
            estimateFrom = 0;
            runSpec = spec with { Parameters = null };
        }
        else if (spec.Parameters is { } preset && phase1 is null)
        {
            source = LimitsSource.Fixed;
            estimateFrom = 0;
            runSpec = spec;
        }
        else
        {
            source = phase1 is null ? LimitsSource.All : LimitsSource.Phase1;
            estimateFrom = phase1 ?? rows.Count;
            if (estimateFrom < 2 || estimateFrom > rows.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(phase1), estimateFrom, $"limits need at least 2 subgroups and at most the {rows.Count} there are [2-{rows.Count}]");
            }

            var estimator = SpcChart.Create(spec with { Parameters = null, Baseline = estimateFrom });
            for (int i = 0; i < estimateFrom; i++)
            {
                Feed(estimator, rows[i], spec, out _);
            }

            runSpec = spec with { Parameters = estimator.Parameters };
        }

        var chart = SpcChart.Create(runSpec);
        var points = new List<SubgroupResult>(rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            if (Feed(chart, rows[i], spec, out var r))
            {
                points.Add(r);
            }
        }

        var within = double.NaN;
        var overall = double.NaN;
        var capability = Capability.None(0, double.NaN, double.NaN, double.NaN);
        if (!spec.Chart.IsAttribute())
        {
            within = chart.Parameters.Sigma;
            long count = 0;
            double sum = 0;
            foreach (var row in rows)
            {
                foreach (var x in row)
                {
                    sum += x;
                    count++;
                }
            }

            var mean = sum / count;
            double ss = 0;
            foreach (var row in rows)
            {
                foreach (var x in row)
                {
                    ss += (x - mean) * (x - mean);
                }
            }

            overall = count > 1 ? Math.Sqrt(ss / (count - 1)) : double.NaN;
            capability = Capability.Compute(count, mean, within, overall, spec.Lsl, spec.Usl, spec.Target);
        }

        return new SpcReport
        {
            Spec = spec,
            LimitsSource = source,
            LimitsSubgroups = estimateFrom,
            Points = [.. points],
            Parameters = chart.Parameters,
            SigmaWithin = within,
            SigmaOverall = overall,
            Capability = capability,
        };
    }

    private static bool Feed(SpcChart chart, double[] row, ChartSpec spec, out SubgroupResult result)
    {
        switch (spec.Chart)
        {
            case ChartType.C:
                if (row.Length != 1)
                {
                    throw new ArgumentOutOfRangeException(nameof(row), row.Length, "a c chart row is one count [1-1]");
                }

                return chart.Add(row[0], 1.0, out result);
            case ChartType.P or ChartType.Np or ChartType.U:
                if (row.Length != 2)
                {
                    throw new ArgumentOutOfRangeException(nameof(row), row.Length, "an attribute row is count,size [2-2]");
                }

                return chart.Add(row[0], row[1], out result);
            default:
                if (row.Length != spec.SubgroupSize)
                {
                    throw new ArgumentOutOfRangeException(nameof(row), row.Length, $"a row is one subgroup of {spec.SubgroupSize} values");
                }

                result = default;
                var done = false;
                foreach (var x in row)
                {
                    done = chart.Add(x, out result);
                }

                return done;
        }
    }
}
