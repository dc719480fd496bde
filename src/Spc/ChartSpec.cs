namespace EdgeAgent.Spc;

/// <summary>The chart types (YAML <c>chart:</c> and CLI <c>--chart</c> names in <see cref="ChartTypes"/>).</summary>
public enum ChartType
{
    /// <summary>Individuals and moving range of 2 (<c>imr</c>).</summary>
    Imr,

    /// <summary>Subgroup mean and range (<c>xbar-r</c>).</summary>
    XbarR,

    /// <summary>Subgroup mean and standard deviation (<c>xbar-s</c>).</summary>
    XbarS,

    /// <summary>Fraction nonconforming (<c>p</c>), input (count, size).</summary>
    P,

    /// <summary>Number nonconforming (<c>np</c>), input (count, size).</summary>
    Np,

    /// <summary>Nonconformities per unit of constant size (<c>c</c>), input count.</summary>
    C,

    /// <summary>Nonconformities per unit (<c>u</c>), input (count, size).</summary>
    U,

    /// <summary>Exponentially weighted moving average of individuals (<c>ewma</c>).</summary>
    Ewma,

    /// <summary>Tabular CUSUM of individuals (<c>cusum</c>).</summary>
    Cusum,
}

/// <summary>Chart names as users write them.</summary>
public static class ChartTypes
{
    public static string Name(ChartType type) => type switch
    {
        ChartType.Imr => "imr",
        ChartType.XbarR => "xbar-r",
        ChartType.XbarS => "xbar-s",
        ChartType.P => "p",
        ChartType.Np => "np",
        ChartType.C => "c",
        ChartType.U => "u",
        ChartType.Ewma => "ewma",
        ChartType.Cusum => "cusum",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown chart type"),
    };

    public static bool TryParse(string name, out ChartType type)
    {
        foreach (var t in Enum.GetValues<ChartType>())
        {
            if (string.Equals(Name(t), name, StringComparison.OrdinalIgnoreCase))
            {
                type = t;
                return true;
            }
        }

        type = default;
        return false;
    }

    /// <summary>Attribute charts take (count, size) pairs.</summary>
    public static bool IsAttribute(this ChartType type) => type is ChartType.P or ChartType.Np or ChartType.C or ChartType.U;

    /// <summary>Charts with a subgroup of more than one value.</summary>
    public static bool IsSubgrouped(this ChartType type) => type is ChartType.XbarR or ChartType.XbarS;

    /// <summary>The JSON key of the primary chart: i, xbar, p, np, c, u, ewma, cusum.</summary>
    public static string PrimaryKey(this ChartType type) => type switch
    {
        ChartType.Imr => "i",
        ChartType.XbarR or ChartType.XbarS => "xbar",
        _ => Name(type),
    };

    /// <summary>The JSON key of the secondary chart (mr, r, s), or null.</summary>
    public static string? SecondaryKey(this ChartType type) => type switch
    {
        ChartType.Imr => "mr",
        ChartType.XbarR => "r",
        ChartType.XbarS => "s",
        _ => null,
    };
}

/// <summary>Fixed control limits of the primary chart.</summary>
public readonly record struct FixedLimits(double Ucl, double Cl, double Lcl);

/// <summary>
/// Estimated chart parameters: the center of the primary chart (X̄/X̿, p̄, c̄, ū, or μ0 for EWMA/CUSUM), the process
/// sigma σ (within: MR̄/d2(2), R̄/d2(n), S̄/c4(n); NaN for attribute charts) and the center of the secondary
/// chart (MR̄, R̄, S̄; NaN for attribute charts).
/// </summary>
public readonly record struct ChartParameters(double Center, double Sigma, double SecondaryCenter);

/// <summary>What one characteristic is charted with. Immutable; validated by <see cref="Validate"/>.</summary>
public sealed record ChartSpec
{
    public ChartType Chart { get; init; } = ChartType.Imr;

    /// <summary>Values per subgroup: 2..25 for X̄-R and X̄-S, 1 for the others.</summary>
    public int SubgroupSize { get; init; } = 1;

    /// <summary>Enabled run rules. EWMA and CUSUM evaluate only rule 1 (reported as we1 and/or nelson1 as enabled).</summary>
    public SpcRules Rules { get; init; } = SpcRules.WesternElectric;

    /// <summary>Phase I: limits are estimated from the first N subgroups and then frozen. Ignored when <see cref="Limits"/> is set.</summary>
    public int Baseline { get; init; } = 25;

    /// <summary>Fixed limits of the primary chart (for EWMA/CUSUM: μ0 = Cl and σ = (Ucl − Lcl)/6).</summary>
    public FixedLimits? Limits { get; init; }

    /// <summary>Preset parameters (e.g. pushed from the QMS); wins over <see cref="Baseline"/>, loses to <see cref="Limits"/>.</summary>
    public ChartParameters? Parameters { get; init; }

    public double? Lsl { get; init; }
    public double? Usl { get; init; }
    public double? Target { get; init; }

    /// <summary>EWMA weight λ in (0, 1].</summary>
    public double Lambda { get; init; } = 0.2;

    /// <summary>EWMA limit width L (in σ of the EWMA statistic).</summary>
    public double L { get; init; } = 3.0;

    /// <summary>CUSUM reference value k (K = kσ).</summary>
    public double K { get; init; } = 0.5;

    /// <summary>CUSUM decision interval h (H = hσ).</summary>
    public double H { get; init; } = 5.0;

    /// <summary>Capability over the last N subgroups; 0 = everything since the start.</summary>
    public int CapabilityWindow { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Chart))
        {
            throw new ArgumentOutOfRangeException(nameof(Chart), Chart, "unknown chart type");
        }

        if (Chart.IsSubgrouped())
        {
            if (SubgroupSize is < SpcConstants.MinSubgroup or > SpcConstants.MaxSubgroup)
            {
                throw new ArgumentOutOfRangeException(nameof(SubgroupSize), SubgroupSize, $"{ChartTypes.Name(Chart)} needs a subgroup size in [2-25]");
            }
        }
        else if (SubgroupSize != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SubgroupSize), SubgroupSize, $"{ChartTypes.Name(Chart)} charts one value per point [1-1]");
        }

        if (Limits is null && Parameters is null && Baseline is < 2 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Baseline), Baseline, "baseline subgroups [2-1000000]");
        }

        if (Limits is { } f && !(f.Lcl <= f.Cl && f.Cl <= f.Ucl && f.Lcl < f.Ucl && double.IsFinite(f.Ucl) && double.IsFinite(f.Lcl)))
        {
            throw new ArgumentOutOfRangeException(nameof(Limits), f, "fixed limits must be finite with lcl ≤ cl ≤ ucl and lcl < ucl");
        }

        if (!(Lambda > 0 && Lambda <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "EWMA λ [0-1], 0 excluded");
        }

        if (!(L > 0 && double.IsFinite(L)))
        {
            throw new ArgumentOutOfRangeException(nameof(L), L, "EWMA L (0-∞)");
        }

        if (!(K >= 0 && double.IsFinite(K)))
        {
            throw new ArgumentOutOfRangeException(nameof(K), K, "CUSUM k [0-∞)");
        }

        if (!(H > 0 && double.IsFinite(H)))
        {
            throw new ArgumentOutOfRangeException(nameof(H), H, "CUSUM h (0-∞)");
        }

        if (Lsl is { } lo && Usl is { } hi && !(lo < hi))
        {
            throw new ArgumentOutOfRangeException(nameof(Usl), hi, $"usl must be greater than lsl ({lo})");
        }

        if (CapabilityWindow is < 0 or > 10_000_000 || CapabilityWindow == 1)
        {
            throw new ArgumentOutOfRangeException(nameof(CapabilityWindow), CapabilityWindow, "capability window in subgroups, 0 = all [2-10000000]");
        }
    }
}

/// <summary>
/// One completed point (an individual value or a subgroup). A struct so the hot path allocates nothing.
/// Limits are NaN while the baseline is still being collected (<see cref="HasLimits"/> false).
/// For CUSUM: Value is the observation, Center = μ0, Ucl = H, Lcl = −H, and <see cref="CusumUpper"/>/<see cref="CusumLower"/>
/// hold C+ and C− (both ≥ 0). For EWMA: Value is z_i and the limits are the exact time-varying ones.
/// </summary>
public readonly record struct SubgroupResult
{
    /// <summary>0-based subgroup index since the chart started.</summary>
    public long Index { get; init; }

    /// <summary>Subgroup size (sample size n_i for attribute charts).</summary>
    public double Size { get; init; }

    /// <summary>The plotted statistic of the primary chart: x, x̄, p, np, c, u, z (EWMA), x (CUSUM).</summary>
    public double Value { get; init; }

    public double Center { get; init; }
    public double Ucl { get; init; }
    public double Lcl { get; init; }

    /// <summary>Sigma of the plotted statistic at this point (σ/√n for x̄; per point for p and u).</summary>
    public double Sigma { get; init; }

    /// <summary>MR, R or S; NaN when the chart has none (or for the first MR).</summary>
    public double Secondary { get; init; }

    public double SecondaryCenter { get; init; }
    public double SecondaryUcl { get; init; }
    public double SecondaryLcl { get; init; }
    public double CusumUpper { get; init; }
    public double CusumLower { get; init; }

    /// <summary>Enabled rules violated at this point (primary chart only).</summary>
    public SpcRules Violations { get; init; }

    /// <summary>False during the baseline (phase I collection).</summary>
    public bool HasLimits { get; init; }
}
