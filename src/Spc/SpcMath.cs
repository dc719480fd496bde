namespace EdgeAgent.Spc;

/// <summary>Special functions the SPC constants need. Computed here because the BCL has no erf/erfc nor Gamma.</summary>
public static class SpcMath
{
    private const double InvSqrtPi = 0.56418958354775628695; // 1/√π
    private const double InvSqrt2 = 0.70710678118654752440;
    private const double InvSqrt2Pi = 0.39894228040143267794; // 1/√(2π)

    /// <summary>
    /// Complementary error function, absolute error below 1e-15.
    /// |z| &lt; 2.5: the all-positive Maclaurin series erf(z) = 2/√π·e^(−z²)·Σ (2z²)^k·z / (1·3·…·(2k+1)) (no cancellation);
    /// otherwise the Laplace continued fraction erfc(z) = e^(−z²)/√π · 1/(z + ½/(z + 1/(z + 3⁄2/(z + …)))), evaluated backwards.
    /// </summary>
    public static double Erfc(double z)
    {
        if (double.IsNaN(z))
        {
            return double.NaN;
        }

        if (z < 0)
        {
            return 2.0 - Erfc(-z);
        }

        if (z < 2.5)
        {
            double z2 = z * z, term = z, sum = z;
            for (int k = 1; k < 200; k++)
            {
                term *= 2.0 * z2 / (2 * k + 1);
                sum += term;
                if (term < 1e-17 * sum)
                {
                    break;
                }
            }

            return 1.0 - 2.0 * InvSqrtPi * Math.Exp(-z2) * sum;
        }

        if (z > 27)
        {
            return 0.0;
        }

        double t = z;
        for (int k = 120; k >= 1; k--)
        {
            t = z + 0.5 * k / t;
        }

        return Math.Exp(-z * z) * InvSqrtPi / t;
    }

    /// <summary>Standard normal cumulative distribution Φ(x).</summary>
    public static double NormalCdf(double x) => 0.5 * Erfc(-x * InvSqrt2);

    /// <summary>Standard normal density φ(x).</summary>
    public static double NormalPdf(double x) => InvSqrt2Pi * Math.Exp(-0.5 * x * x);

    /// <summary>
    /// Γ(a)/Γ(b) for a, b positive multiples of ½ with a − b a whole number, by the recurrence Γ(x+1) = x·Γ(x)
    /// (exact up to rounding; no Stirling series needed for the half-integers c4 uses).
    /// </summary>
    public static double GammaRatioHalfIntegers(double a, double b)
    {
        double ratio = 1.0;
        while (a - b >= 1)
        {
            a -= 1;
            ratio *= a;
        }

        while (b - a >= 1)
        {
            b -= 1;
            ratio /= b;
        }

        // Remaining Γ(a)/Γ(b) with |a − b| < 1: both equal, or a, b ∈ {½, 1} after reduction.
        if (a == b)
        {
            return ratio;
        }

        return ratio * Gamma(a) / Gamma(b);
    }

    /// <summary>Γ(x) for x &gt; 0 (Lanczos approximation, g = 7, n = 9; relative error ~1e-15).</summary>
    public static double Gamma(double x)
    {
        if (x < 0.5)
        {
            return Math.PI / (Math.Sin(Math.PI * x) * Gamma(1 - x));
        }

        if (x == 0.5)
        {
            return Math.Sqrt(Math.PI);
        }

        if (x == Math.Floor(x) && x <= 171)
        {
            double f = 1;
            for (int i = 2; i < (int)x; i++)
            {
                f *= i;
            }

            return f;
        }

        x -= 1;
        double a = LanczosCoefficients[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++)
        {
            a += LanczosCoefficients[i] / (x + i);
        }

        return Math.Sqrt(2 * Math.PI) * Math.Pow(t, x + 0.5) * Math.Exp(-t) * a;
    }

    // Published Lanczos coefficients for g = 7, n = 9 (a numerical fact, as in Numerical Recipes / Wikipedia).
    private static readonly double[] LanczosCoefficients =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7,
    ];
}
