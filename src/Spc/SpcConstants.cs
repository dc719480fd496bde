namespace EdgeAgent.Spc;

/// <summary>
/// Control-chart constants for subgroup sizes 2..25, computed from their definitions rather than copied from
/// 3-decimal tables (Montgomery, Introduction to SQC, Appendix VI, gives the definitions):
/// <list type="bullet">
/// <item>d2(n) = E[W], W the range of n standard normals: d2 = ∫ [1 − Φ(x)ⁿ − (1 − Φ(x))ⁿ] dx (trapezoid over the line,
/// which converges geometrically for this smooth, fast-decaying integrand).</item>
/// <item>d3(n) = sd[W]: E[W²] = ∫₀^∞ 2w·P(W &gt; w) dw with P(W ≤ w) = n∫ φ(x)[Φ(x + w) − Φ(x)]ⁿ⁻¹ dx (Simpson in w,
/// trapezoid in x).</item>
/// <item>c4(n) = √(2/(n−1))·Γ(n/2)/Γ((n−1)/2).</item>
/// </list>
/// The others follow: A2 = 3/(d2√n), D3 = max(0, 1 − 3d3/d2), D4 = 1 + 3d3/d2, A3 = 3/(c4√n),
/// B3 = max(0, 1 − 3√(1−c4²)/c4), B4 = 1 + 3√(1−c4²)/c4.
/// </summary>
public static class SpcConstants
{
    public const int MinSubgroup = 2;
    public const int MaxSubgroup = 25;

    private const double Step = 0.02;    // grid step for x and w
    private const double XMin = -9.0;    // φ(±9) ≈ 1e-18: the tails beyond add nothing at double precision
    private const double XMax = 9.0;
    private const double WMax = 14.0;    // P(W > 14) < 1e-20 for n ≤ 25

    private static readonly double[] D2Table = new double[MaxSubgroup + 1];
    private static readonly double[] D3Table = new double[MaxSubgroup + 1];
    private static double[]? phiGrid;

    /// <summary>d2(n): mean of the relative range. d2(2) = 2/√π.</summary>
    public static double D2(int n)
    {
        CheckN(n);
        var v = Volatile.Read(ref D2Table[n]);
        if (v == 0)
        {
            Compute(n);
            v = D2Table[n];
        }

        return v;
    }

    /// <summary>d3(n): standard deviation of the relative range. d3(2) = √(2 − 4/π).</summary>
    public static double D3(int n)
    {
        CheckN(n);
        var v = Volatile.Read(ref D3Table[n]);
        if (v == 0)
        {
            Compute(n);
            v = D3Table[n];
        }

        return v;
    }

    /// <summary>c4(n) = √(2/(n−1))·Γ(n/2)/Γ((n−1)/2), so that E[S] = c4·σ. Valid for any n ≥ 2.</summary>
    public static double C4(int n)
    {
        if (n < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "c4 needs a subgroup size of at least 2 [2-∞)");
        }

        return Math.Sqrt(2.0 / (n - 1)) * SpcMath.GammaRatioHalfIntegers(n / 2.0, (n - 1) / 2.0);
    }

    /// <summary>A2 = 3/(d2·√n): X̄ limits are X̿ ± A2·R̄.</summary>
    public static double A2(int n) => 3.0 / (D2(n) * Math.Sqrt(n));

    /// <summary>A3 = 3/(c4·√n): X̄ limits are X̿ ± A3·S̄.</summary>
    public static double A3(int n) => 3.0 / (C4(n) * Math.Sqrt(n));

    /// <summary>D3 = max(0, 1 − 3·d3/d2): R (and MR) chart LCL = D3·R̄; 0 for n ≤ 6.</summary>
    public static double D3Factor(int n) => Math.Max(0.0, 1.0 - 3.0 * D3(n) / D2(n));

    /// <summary>D4 = 1 + 3·d3/d2: R (and MR) chart UCL = D4·R̄.</summary>
    public static double D4Factor(int n) => 1.0 + 3.0 * D3(n) / D2(n);

    /// <summary>B3 = max(0, 1 − 3·√(1 − c4²)/c4): S chart LCL = B3·S̄.</summary>
    public static double B3(int n)
    {
        var c4 = C4(n);
        return Math.Max(0.0, 1.0 - 3.0 * Math.Sqrt(1.0 - c4 * c4) / c4);
    }

    /// <summary>B4 = 1 + 3·√(1 − c4²)/c4: S chart UCL = B4·S̄.</summary>
    public static double B4(int n)
    {
        var c4 = C4(n);
        return 1.0 + 3.0 * Math.Sqrt(1.0 - c4 * c4) / c4;
    }

    private static void CheckN(int n)
    {
        if (n is < MinSubgroup or > MaxSubgroup)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"subgroup size must be in [{MinSubgroup}-{MaxSubgroup}]");
        }
    }

    private static double[] PhiGrid()
    {
        var grid = Volatile.Read(ref phiGrid);
        if (grid is not null)
        {
            return grid;
        }

        // Φ at x = XMin + j·Step for x up to XMax + WMax, so that Φ(x + w) is a grid value when w is a multiple of Step.
        var count = (int)Math.Round((XMax + WMax - XMin) / Step) + 1;
        grid = new double[count];
        for (int j = 0; j < count; j++)
        {
            grid[j] = SpcMath.NormalCdf(XMin + j * Step);
        }

        Volatile.Write(ref phiGrid, grid);
        return grid;
    }

    private static double Pow(double x, int n)
    {
        double result = 1;
        while (n > 0)
        {
            if ((n & 1) != 0)
            {
                result *= x;
            }

            x *= x;
            n >>= 1;
        }

        return result;
    }

    private static void Compute(int n)
    {
        var phi = PhiGrid();
        int nx = (int)Math.Round((XMax - XMin) / Step) + 1;
        int nw = (int)Math.Round(WMax / Step); // even: Simpson panels
        var pdf = new double[nx];
        for (int j = 0; j < nx; j++)
        {
            pdf[j] = SpcMath.NormalPdf(XMin + j * Step);
        }

        // d2 on the whole line (trapezoid; the end terms are below 1e-18).
        double d2 = 0;
        for (int j = 0; j < nx; j++)
        {
            double p = phi[j];
            d2 += 1.0 - Pow(p, n) - Pow(1.0 - p, n);
        }

        d2 *= Step;

        // E[W²] = ∫₀^∞ 2w·(1 − F(w)) dw, F(w) = n∫ φ(x)[Φ(x+w) − Φ(x)]^(n−1) dx.
        double ew2 = 0;
        for (int m = 0; m <= nw; m++)
        {
            double w = m * Step;
            double f = 0;
            for (int j = 0; j < nx; j++)
            {
                f += pdf[j] * Pow(phi[j + m] - phi[j], n - 1);
            }

            double tail = 1.0 - n * f * Step;
            double weight = m == 0 || m == nw ? 1 : (m % 2 == 1 ? 4 : 2);
            ew2 += weight * 2 * w * tail;
        }

        ew2 *= Step / 3;
        Volatile.Write(ref D3Table[n], Math.Sqrt(ew2 - d2 * d2));
        Volatile.Write(ref D2Table[n], d2);
    }
}
