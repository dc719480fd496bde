using System.Runtime.CompilerServices;

namespace EdgeAgent.Spc;

/// <summary>
/// One characteristic's control chart on a live stream: O(1) per sample and no allocation after <see cref="Create"/>.
/// <para>Limits come from one of three phases: a baseline of the first N subgroups (phase I; limits are then frozen and
/// the baseline points are replayed through the rule windows, EWMA and CUSUM so that every later point is exactly what
/// the offline analyzer reports with <c>--phase1 N</c>), preset <see cref="ChartParameters"/>, or fixed limits
/// (<see cref="ChartSpec.Limits"/> or <see cref="SetLimits(double, double, double)"/> pushed at run time).</para>
/// <para>Not thread-safe: one chart belongs to one pipeline worker.</para>
/// </summary>
public sealed class SpcChart
{
    private enum Phase
    {
        Baseline = 0,
        Estimated = 1,
        Fixed = 2,
    }

    private readonly ChartSpec spec;
    private readonly ChartType type;
    private readonly int n;
    private readonly double sqrtN;
    private readonly SpcRules enabled;
    private readonly double secondaryUclFactor, secondaryLclFactor, secondaryCenterPerSigma;
    private readonly double withinDivisor;
    private readonly double[] subgroup;
    private int subgroupCount;
    private double lastValue = double.NaN;
    private long index;

    // Limits.
    private Phase phase;
    private double center = double.NaN, sigma = double.NaN, secondaryCenter = double.NaN;
    private double fixedUcl = double.NaN, fixedCl = double.NaN, fixedLcl = double.NaN;

    // Constant limits and zone lines (variables charts and fixed limits): computed once, not per sample.
    private bool constantLimits;
    private double kCenter, kUcl, kLcl, kSigma, kUp1, kUp2, kDown1, kDown2, kSecondaryUcl, kSecondaryLcl;

    // Phase I accumulation: Σstat, Σsecondary, #secondary, #subgroups, Σcount, Σsize; plus the points to replay.
    private double accStat, accSecondary, accSecondaryCount, accSubgroups, accCount, accSize;
    private readonly double[] baselineValues;
    private readonly double[] baselineSizes;
    private int baselineCount;

    // Evaluation state.
    private RuleState rules;
    private double ewma, ewmaDecay = 1.0, cusumUpper, cusumLower;

    // Capability window: per subgroup Σ(x − ref), Σ(x − ref)², count, within statistic (NaN when none).
    private readonly int window;
    private readonly double[] capSum, capSum2, capCount, capWithin;
    private int capPosition, capFilled;
    private double capRef = double.NaN, totSum, totSum2, totCount, totWithin, totWithinCount;

    private SpcChart(ChartSpec spec)
    {
        spec.Validate();
        this.spec = spec;
        type = spec.Chart;
        n = spec.SubgroupSize;
        sqrtN = Math.Sqrt(n);
        enabled = type is ChartType.Ewma or ChartType.Cusum ? spec.Rules & SpcRules.BeyondLimits : spec.Rules;
        subgroup = new double[n];
        switch (type)
        {
            case ChartType.XbarR:
                secondaryUclFactor = SpcConstants.D4Factor(n);
                secondaryLclFactor = SpcConstants.D3Factor(n);
                secondaryCenterPerSigma = SpcConstants.D2(n);
                withinDivisor = SpcConstants.D2(n);
                break;
            case ChartType.XbarS:
                secondaryUclFactor = SpcConstants.B4(n);
                secondaryLclFactor = SpcConstants.B3(n);
                secondaryCenterPerSigma = SpcConstants.C4(n);
                withinDivisor = SpcConstants.C4(n);
                break;
            case ChartType.Imr or ChartType.Ewma or ChartType.Cusum:
                secondaryUclFactor = SpcConstants.D4Factor(2);
                secondaryLclFactor = SpcConstants.D3Factor(2);
                secondaryCenterPerSigma = SpcConstants.D2(2);
                withinDivisor = SpcConstants.D2(2);
                break;
            default:
                secondaryUclFactor = secondaryLclFactor = secondaryCenterPerSigma = withinDivisor = double.NaN;
                break;
        }

        var baseline = spec.Limits is null && spec.Parameters is null ? spec.Baseline : 0;
        baselineValues = new double[baseline];
        baselineSizes = new double[baseline];
        window = spec.CapabilityWindow;
        capSum = new double[window];
        capSum2 = new double[window];
        capCount = new double[window];
        capWithin = new double[window];
        if (spec.Limits is { } f)
        {
            ApplyFixed(f.Ucl, f.Cl, f.Lcl);
        }
        else if (spec.Parameters is { } p)
        {
            ApplyParameters(p);
        }
    }

    /// <summary>Creates a chart; throws <see cref="ArgumentOutOfRangeException"/> for a bad spec.</summary>
    public static SpcChart Create(ChartSpec spec) => new(spec);

    public ChartSpec Spec => spec;

    /// <summary>Points (subgroups) completed so far.</summary>
    public long Count => index;

    /// <summary>True once limits are known (baseline complete, parameters preset or fixed limits).</summary>
    public bool HasLimits => phase != Phase.Baseline;

    /// <summary>True when the limits are fixed values rather than estimated.</summary>
    public bool IsFixed => phase == Phase.Fixed;

    /// <summary>Current parameters (center, process σ, secondary center); NaN during the baseline.</summary>
    public ChartParameters Parameters => new(center, sigma, secondaryCenter);

    /// <summary>
    /// Adds one measurement (variables charts; for a c chart, one count). Returns true when it completes a point,
    /// with the result in <paramref name="result"/>.
    /// </summary>
    public bool Add(double value, out SubgroupResult result)
    {
        if (type.IsAttribute())
        {
            if (type == ChartType.C)
            {
                return Add(value, 1.0, out result);
            }

            throw new InvalidOperationException($"a {ChartTypes.Name(type)} chart takes (count, size): call Add(count, size, out result)");
        }

        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "a measurement must be a finite number");
        }

        if (double.IsNaN(capRef))
        {
            capRef = value;
        }

        double stat, secondary;
        if (n == 1)
        {
            stat = value;
            secondary = double.IsNaN(lastValue) ? double.NaN : Math.Abs(value - lastValue);
            lastValue = value;
            var d = value - capRef;
            CapabilityAdd(d, d * d, 1, secondary);
        }
        else
        {
            subgroup[subgroupCount++] = value;
            if (subgroupCount < n)
            {
                result = default;
                return false;
            }

            subgroupCount = 0;
            double sum = 0, min = subgroup[0], max = subgroup[0], s1 = 0, s2 = 0;
            for (int i = 0; i < n; i++)
            {
                var x = subgroup[i];
                sum += x;
                min = Math.Min(min, x);
                max = Math.Max(max, x);
                var d = x - capRef;
                s1 += d;
                s2 += d * d;
            }

            stat = sum / n;
            if (type == ChartType.XbarR)
            {
                secondary = max - min;
            }
            else
            {
                double ss = 0;
                for (int i = 0; i < n; i++)
                {
                    var d = subgroup[i] - stat;
                    ss += d * d;
                }

                secondary = Math.Sqrt(ss / (n - 1));
            }

            CapabilityAdd(s1, s2, n, secondary);
        }

        Complete(stat, secondary, n, out result);
        return true;
    }

    /// <summary>Adds one inspected sample to an attribute chart: <paramref name="count"/> nonconforming (or nonconformities) out of <paramref name="size"/>.</summary>
    public bool Add(double count, double size, out SubgroupResult result)
    {
        if (!type.IsAttribute())
        {
            throw new InvalidOperationException($"a {ChartTypes.Name(type)} chart takes measurements: call Add(value, out result)");
        }

        if (!(count >= 0 && double.IsFinite(count)))
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "count must be finite and not negative [0-∞)");
        }

        if (!(size > 0 && double.IsFinite(size)))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "sample size must be positive (0-∞)");
        }

        if (type is ChartType.P or ChartType.Np && count > size)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"nonconforming count cannot exceed the sample size [0-{size}]");
        }

        Complete(count, double.NaN, size, out result);
        return true;
    }

    /// <summary>Fixes the primary chart's limits (e.g. pushed from the QMS). EWMA and CUSUM take μ0 = cl, σ = (ucl − lcl)/6 and restart.</summary>
    public void SetLimits(double ucl, double cl, double lcl)
    {
        var f = new FixedLimits(ucl, cl, lcl);
        (spec with { Limits = f }).Validate();
        ApplyFixed(ucl, cl, lcl);
        ReplayBaseline();
    }

    /// <summary>Sets estimated parameters (center, σ, secondary center); EWMA and CUSUM restart from the new μ0.</summary>
    public void SetParameters(ChartParameters parameters)
    {
        if (!double.IsFinite(parameters.Center))
        {
            throw new ArgumentOutOfRangeException(nameof(parameters), parameters.Center, "center must be finite");
        }

        ApplyParameters(parameters);
        ReplayBaseline();
    }

    /// <summary>Starts a new phase I: limits are re-estimated from the next <see cref="ChartSpec.Baseline"/> subgroups.</summary>
    public void RestartBaseline()
    {
        if (baselineValues.Length == 0)
        {
            throw new InvalidOperationException("this chart was created with fixed limits or parameters; create it with a baseline to re-estimate");
        }

        phase = Phase.Baseline;
        center = sigma = secondaryCenter = double.NaN;
        Recache();
        accStat = accSecondary = accSecondaryCount = accSubgroups = accCount = accSize = 0;
        baselineCount = 0;
        rules = default;
        ewmaDecay = 1.0;
        cusumUpper = cusumLower = 0;
    }

    /// <summary>Capability over the window (or everything since the start); NaN indices where they do not apply.</summary>
    public Capability GetCapability()
    {
        if (type.IsAttribute() || totCount < 2)
        {
            return Capability.None((long)totCount, double.NaN, double.NaN, double.NaN);
        }

        var mean = capRef + totSum / totCount;
        var variance = (totSum2 - totSum * totSum / totCount) / (totCount - 1);
        var overall = Math.Sqrt(Math.Max(0, variance));
        var within = totWithinCount > 0 ? totWithin / totWithinCount / withinDivisor : double.NaN;
        return Capability.Compute((long)totCount, mean, within, overall, spec.Lsl, spec.Usl, spec.Target);
    }

    private void ApplyFixed(double ucl, double cl, double lcl)
    {
        if (type is ChartType.Ewma or ChartType.Cusum)
        {
            ApplyParameters(new ChartParameters(cl, (ucl - lcl) / 6, double.NaN));
            phase = Phase.Fixed;
            return;
        }

        phase = Phase.Fixed;
        fixedUcl = ucl;
        fixedCl = cl;
        fixedLcl = lcl;
        center = cl;
        if (type.IsAttribute())
        {
            sigma = secondaryCenter = double.NaN;
        }
        else
        {
            // The process σ the limits imply (3σ/√n either side); the secondary chart is drawn for that σ.
            sigma = (ucl - lcl) / 6 * sqrtN;
            secondaryCenter = secondaryCenterPerSigma * sigma;
        }

        Recache();
    }

    private void Recache()
    {
        kSecondaryUcl = secondaryCenter * secondaryUclFactor;
        kSecondaryLcl = secondaryCenter * secondaryLclFactor;
        if (phase == Phase.Fixed && type is not (ChartType.Ewma or ChartType.Cusum))
        {
            // Fixed limits may be asymmetric: each side gets its own zone width.
            double su = (fixedUcl - fixedCl) / 3, sd = (fixedCl - fixedLcl) / 3;
            (constantLimits, kCenter, kUcl, kLcl, kSigma) = (true, fixedCl, fixedUcl, fixedLcl, (fixedUcl - fixedLcl) / 6);
            (kUp1, kUp2, kDown1, kDown2) = (fixedCl + su, fixedCl + 2 * su, fixedCl - sd, fixedCl - 2 * sd);
        }
        else if (phase != Phase.Baseline && type is ChartType.Imr or ChartType.XbarR or ChartType.XbarS)
        {
            var sp = sigma / sqrtN;
            (constantLimits, kCenter, kUcl, kLcl, kSigma) = (true, center, center + 3 * sp, center - 3 * sp, sp);
            (kUp1, kUp2, kDown1, kDown2) = (center + sp, center + 2 * sp, center - sp, center - 2 * sp);
        }
        else
        {
            constantLimits = false;
        }
    }

    private void ApplyParameters(ChartParameters p)
    {
        phase = Phase.Estimated;
        center = p.Center;
        sigma = p.Sigma;
        secondaryCenter = double.IsNaN(p.SecondaryCenter) && !type.IsAttribute() ? secondaryCenterPerSigma * p.Sigma : p.SecondaryCenter;
        fixedUcl = fixedCl = fixedLcl = double.NaN;
        ewma = center;
        ewmaDecay = 1.0;
        cusumUpper = cusumLower = 0;
        Recache();
    }

    private ChartParameters Estimate()
    {
        switch (type)
        {
            case ChartType.P or ChartType.Np or ChartType.U:
                return new ChartParameters(accCount / accSize, double.NaN, double.NaN);
            case ChartType.C:
                return new ChartParameters(accCount / accSubgroups, double.NaN, double.NaN);
            default:
                var secondaryBar = accSecondary / accSecondaryCount;
                return new ChartParameters(accStat / accSubgroups, secondaryBar / withinDivisor, secondaryBar);
        }
    }

    private void ReplayBaseline()
    {
        // Bring rule windows, EWMA and CUSUM to where they would be had the limits been known from the start.
        for (int j = 0; j < baselineCount; j++)
        {
            Evaluate(baselineValues[j], double.NaN, baselineSizes[j], j, out _);
        }

        baselineCount = 0;
    }

    private void Complete(double raw, double secondary, double size, out SubgroupResult result)
    {
        var i = index++;
        if (phase != Phase.Baseline)
        {
            Evaluate(raw, secondary, size, i, out result);
            return;
        }

        accSubgroups++;
        accStat += raw;
        accCount += raw;
        accSize += size;
        if (!double.IsNaN(secondary))
        {
            accSecondary += secondary;
            accSecondaryCount++;
        }

        baselineValues[baselineCount] = raw;
        baselineSizes[baselineCount] = size;
        baselineCount++;
        result = new SubgroupResult
        {
            Index = i,
            Size = size,
            Value = type switch
            {
                ChartType.P or ChartType.U => raw / size,
                ChartType.Ewma => double.NaN,
                _ => raw,
            },
            Center = double.NaN,
            Ucl = double.NaN,
            Lcl = double.NaN,
            Sigma = double.NaN,
            Secondary = secondary,
            SecondaryCenter = double.NaN,
            SecondaryUcl = double.NaN,
            SecondaryLcl = double.NaN,
            CusumUpper = double.NaN,
            CusumLower = double.NaN,
            HasLimits = false,
        };

        if (baselineCount == baselineValues.Length)
        {
            ApplyParameters(Estimate());
            ReplayBaseline();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Evaluate(double raw, double secondary, double size, long i, out SubgroupResult result)
    {
        double value, c, sp, ucl, lcl, su, sd;
        double cu = double.NaN, cl = double.NaN;
        SpcRules violations;
        switch (type)
        {
            case ChartType.Ewma:
            {
                var lambda = spec.Lambda;
                ewma = lambda * raw + (1 - lambda) * ewma;
                ewmaDecay *= (1 - lambda) * (1 - lambda);
                value = ewma;
                c = center;
                sp = sigma * Math.Sqrt(lambda / (2 - lambda) * (1 - ewmaDecay));
                ucl = c + spec.L * sp;
                lcl = c - spec.L * sp;
                violations = value > ucl || value < lcl ? enabled : SpcRules.None;
                break;
            }

            case ChartType.Cusum:
            {
                var k = spec.K * sigma;
                var h = spec.H * sigma;
                cusumUpper = Math.Max(0, raw - (center + k) + cusumUpper);
                cusumLower = Math.Max(0, center - k - raw + cusumLower);
                cu = cusumUpper;
                cl = cusumLower;
                value = raw;
                c = center;
                sp = sigma;
                ucl = h;
                lcl = -h;
                violations = cusumUpper > h || cusumLower > h ? enabled : SpcRules.None;
                break;
            }

            default:
            {
                value = type switch
                {
                    ChartType.P or ChartType.U => raw / size,
                    _ => raw,
                };

                if (constantLimits)
                {
                    c = kCenter;
                    ucl = kUcl;
                    lcl = kLcl;
                    sp = kSigma;
                    violations = rules.Evaluate(value, c, kUp1, kUp2, kDown1, kDown2, ucl, lcl, enabled);
                    break;
                }
                else
                {
                    switch (type)
                    {
                        case ChartType.P:
                            c = center;
                            sp = Math.Sqrt(center * (1 - center) / size);
                            break;
                        case ChartType.Np:
                            c = size * center;
                            sp = Math.Sqrt(size * center * (1 - center));
                            break;
                        case ChartType.C:
                            c = center;
                            sp = Math.Sqrt(center);
                            break;
                        case ChartType.U:
                            c = center;
                            sp = Math.Sqrt(center / size);
                            break;
                        default:
                            c = center;
                            sp = sigma / sqrtN;
                            break;
                    }

                    ucl = c + 3 * sp;
                    lcl = c - 3 * sp;
                    if (type.IsAttribute() && lcl < 0)
                    {
                        lcl = 0;
                    }

                    su = sd = sp;
                }

                violations = rules.Evaluate(value, c, su, sd, ucl, lcl, enabled);
                break;
            }
        }

        result = new SubgroupResult
        {
            Index = i,
            Size = size,
            Value = value,
            Center = c,
            Ucl = ucl,
            Lcl = lcl,
            Sigma = sp,
            Secondary = secondary,
            SecondaryCenter = secondaryCenter,
            SecondaryUcl = kSecondaryUcl,
            SecondaryLcl = kSecondaryLcl,
            CusumUpper = cu,
            CusumLower = cl,
            Violations = violations,
            HasLimits = true,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CapabilityAdd(double s1, double s2, double count, double within)
    {
        if (window == 0)
        {
            totSum += s1;
            totSum2 += s2;
            totCount += count;
            if (!double.IsNaN(within))
            {
                totWithin += within;
                totWithinCount++;
            }

            return;
        }

        if (capFilled == window)
        {
            totSum -= capSum[capPosition];
            totSum2 -= capSum2[capPosition];
            totCount -= capCount[capPosition];
            if (!double.IsNaN(capWithin[capPosition]))
            {
                totWithin -= capWithin[capPosition];
                totWithinCount--;
            }
        }
        else
        {
            capFilled++;
        }

        capSum[capPosition] = s1;
        capSum2[capPosition] = s2;
        capCount[capPosition] = count;
        capWithin[capPosition] = within;
        totSum += s1;
        totSum2 += s2;
        totCount += count;
        if (!double.IsNaN(within))
        {
            totWithin += within;
            totWithinCount++;
        }

        if (++capPosition == window)
        {
            // Once per lap, re-add the window from scratch so that rounding from add/remove never accumulates
            // (O(window) every window samples: O(1) amortized).
            capPosition = 0;
            totSum = totSum2 = totCount = totWithin = totWithinCount = 0;
            for (int j = 0; j < window; j++)
            {
                totSum += capSum[j];
                totSum2 += capSum2[j];
                totCount += capCount[j];
                if (!double.IsNaN(capWithin[j]))
                {
                    totWithin += capWithin[j];
                    totWithinCount++;
                }
            }
        }
    }

    /// <summary>A snapshot of everything needed to continue after a restart (allocates; not for the per-sample path).</summary>
    public SpcState Save() => new()
    {
        Chart = ChartTypes.Name(type),
        SubgroupSize = n,
        Index = index,
        Subgroup = subgroup.AsSpan(0, subgroupCount).ToArray(),
        LastValue = lastValue,
        Phase = (int)phase,
        Center = center,
        Sigma = sigma,
        SecondaryCenter = secondaryCenter,
        FixedUcl = fixedUcl,
        FixedCl = fixedCl,
        FixedLcl = fixedLcl,
        Accumulator = [accStat, accSecondary, accSecondaryCount, accSubgroups, accCount, accSize],
        BaselineValues = baselineValues.AsSpan(0, baselineCount).ToArray(),
        BaselineSizes = baselineSizes.AsSpan(0, baselineCount).ToArray(),
        Rules = rules.ToArray(),
        Ewma = [ewma, ewmaDecay, cusumUpper, cusumLower],
        CapabilityWindow = window,
        CapabilityRing = [.. capSum, .. capSum2, .. capCount, .. capWithin],
        CapabilityTotals = [capPosition, capFilled, capRef, totSum, totSum2, totCount, totWithin, totWithinCount],
    };

    /// <summary>Recreates a chart from <paramref name="spec"/> and a <see cref="Save"/>d state; throws when they do not match.</summary>
    public static SpcChart Restore(ChartSpec spec, SpcState state)
    {
        var chart = new SpcChart(spec);
        if (state.Chart != ChartTypes.Name(chart.type) || state.SubgroupSize != chart.n)
        {
            throw new ArgumentOutOfRangeException(nameof(state), state.Chart, $"state is for a {state.Chart} chart of subgroup {state.SubgroupSize}, spec is {ChartTypes.Name(chart.type)} of {chart.n}");
        }

        if (state.CapabilityWindow != chart.window || state.CapabilityRing.Length != 4 * chart.window || state.CapabilityTotals.Length != 8
            || state.Accumulator.Length != 6 || state.Ewma.Length != 4 || state.Subgroup.Length >= chart.n + (chart.n == 1 ? 1 : 0)
            || state.BaselineValues.Length > chart.baselineValues.Length || state.BaselineSizes.Length != state.BaselineValues.Length
            || state.Phase is < 0 or > 2 || state.Rules.Length != 14
            || (state.Phase == (int)Phase.Baseline ? state.BaselineValues.Length >= chart.baselineValues.Length : state.BaselineValues.Length != 0)
            || state.CapabilityTotals[0] < 0 || state.CapabilityTotals[0] >= Math.Max(1, chart.window)
            || state.CapabilityTotals[1] < 0 || state.CapabilityTotals[1] > chart.window)
        {
            throw new ArgumentOutOfRangeException(nameof(state), "state does not fit this spec (window, baseline or subgroup size differ)");
        }

        chart.index = state.Index;
        state.Subgroup.CopyTo(chart.subgroup, 0);
        chart.subgroupCount = state.Subgroup.Length;
        chart.lastValue = state.LastValue;
        chart.phase = (Phase)state.Phase;
        chart.center = state.Center;
        chart.sigma = state.Sigma;
        chart.secondaryCenter = state.SecondaryCenter;
        chart.fixedUcl = state.FixedUcl;
        chart.fixedCl = state.FixedCl;
        chart.fixedLcl = state.FixedLcl;
        chart.Recache();
        var a = state.Accumulator;
        (chart.accStat, chart.accSecondary, chart.accSecondaryCount, chart.accSubgroups, chart.accCount, chart.accSize) = (a[0], a[1], a[2], a[3], a[4], a[5]);
        state.BaselineValues.CopyTo(chart.baselineValues, 0);
        state.BaselineSizes.CopyTo(chart.baselineSizes, 0);
        chart.baselineCount = state.BaselineValues.Length;
        chart.rules = RuleState.FromArray(state.Rules);
        (chart.ewma, chart.ewmaDecay, chart.cusumUpper, chart.cusumLower) = (state.Ewma[0], state.Ewma[1], state.Ewma[2], state.Ewma[3]);
        var w = chart.window;
        var ring = state.CapabilityRing;
        Array.Copy(ring, 0, chart.capSum, 0, w);
        Array.Copy(ring, w, chart.capSum2, 0, w);
        Array.Copy(ring, 2 * w, chart.capCount, 0, w);
        Array.Copy(ring, 3 * w, chart.capWithin, 0, w);
        var t = state.CapabilityTotals;
        chart.capPosition = (int)t[0];
        chart.capFilled = (int)t[1];
        (chart.capRef, chart.totSum, chart.totSum2, chart.totCount, chart.totWithin, chart.totWithinCount) = (t[2], t[3], t[4], t[5], t[6], t[7]);
        return chart;
    }
}

/// <summary>
/// A chart's state as plain numbers and arrays, serializable with System.Text.Json (NaN needs
/// <c>JsonNumberHandling.AllowNamedFloatingPointLiterals</c>). Small: the baseline buffer is only kept while collecting.
/// </summary>
public sealed record SpcState
{
    public string Chart { get; init; } = "imr";
    public int SubgroupSize { get; init; } = 1;
    public long Index { get; init; }
    public double[] Subgroup { get; init; } = [];
    public double LastValue { get; init; } = double.NaN;
    public int Phase { get; init; }
    public double Center { get; init; }
    public double Sigma { get; init; }
    public double SecondaryCenter { get; init; }
    public double FixedUcl { get; init; }
    public double FixedCl { get; init; }
    public double FixedLcl { get; init; }
    public double[] Accumulator { get; init; } = [];
    public double[] BaselineValues { get; init; } = [];
    public double[] BaselineSizes { get; init; } = [];
    public double[] Rules { get; init; } = [];
    public double[] Ewma { get; init; } = [];
    public int CapabilityWindow { get; init; }
    public double[] CapabilityRing { get; init; } = [];
    public double[] CapabilityTotals { get; init; } = [];
}
