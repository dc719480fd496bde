namespace EdgeAgent.Spc;

/// <summary>
/// Process capability (Montgomery ch. 8). Within σ gives Cp, Cpl, Cpu, Cpk; overall σ (sample standard deviation,
/// n − 1) gives Pp, Ppl, Ppu, Ppk; Cpm = (USL − LSL)/(6·√(σ_overall² + (mean − T)²)) when a target is given.
/// One-sided specs give only the one-sided indices (Cpk = Cpl or Cpu). NaN where an index does not apply.
/// The confidence interval for Cpk is Bissell's normal approximation (1990):
/// Cpk ± z(1−α/2)·√(1/(9N) + Cpk²/(2(N − 1))), N the number of individual values.
/// </summary>
public readonly record struct Capability
{
    /// <summary>z(0.975) for the 95 % interval.</summary>
    public const double Z975 = 1.959963984540054;

    public long N { get; init; }
    public double Mean { get; init; }
    public double SigmaWithin { get; init; }
    public double SigmaOverall { get; init; }
    public double Cp { get; init; }
    public double Cpl { get; init; }
    public double Cpu { get; init; }
    public double Cpk { get; init; }
    public double Pp { get; init; }
    public double Ppl { get; init; }
    public double Ppu { get; init; }
    public double Ppk { get; init; }
    public double Cpm { get; init; }

    /// <summary>Lower bound of the 95 % confidence interval of Cpk.</summary>
    public double CpkLower95 { get; init; }

    /// <summary>Upper bound of the 95 % confidence interval of Cpk.</summary>
    public double CpkUpper95 { get; init; }

    /// <summary>All indices NaN (no spec, or an attribute chart).</summary>
    public static Capability None(long n, double mean, double within, double overall) => new()
    {
        N = n, Mean = mean, SigmaWithin = within, SigmaOverall = overall,
        Cp = double.NaN, Cpl = double.NaN, Cpu = double.NaN, Cpk = double.NaN,
        Pp = double.NaN, Ppl = double.NaN, Ppu = double.NaN, Ppk = double.NaN,
        Cpm = double.NaN, CpkLower95 = double.NaN, CpkUpper95 = double.NaN,
    };

    /// <summary>Computes every index that the given specs allow.</summary>
    public static Capability Compute(long n, double mean, double sigmaWithin, double sigmaOverall, double? lsl, double? usl, double? target)
    {
        var c = None(n, mean, sigmaWithin, sigmaOverall);
        if (lsl is null && usl is null)
        {
            return c;
        }

        double cpl = double.NaN, cpu = double.NaN, ppl = double.NaN, ppu = double.NaN, cp = double.NaN, pp = double.NaN, cpm = double.NaN;
        if (lsl is { } lo)
        {
            cpl = (mean - lo) / (3 * sigmaWithin);
            ppl = (mean - lo) / (3 * sigmaOverall);
        }

        if (usl is { } hi)
        {
            cpu = (hi - mean) / (3 * sigmaWithin);
            ppu = (hi - mean) / (3 * sigmaOverall);
        }

        if (lsl is { } l2 && usl is { } h2)
        {
            cp = (h2 - l2) / (6 * sigmaWithin);
            pp = (h2 - l2) / (6 * sigmaOverall);
            if (target is { } t)
            {
                cpm = (h2 - l2) / (6 * Math.Sqrt(sigmaOverall * sigmaOverall + (mean - t) * (mean - t)));
            }
        }

        var cpk = Min(cpl, cpu);
        var ppk = Min(ppl, ppu);
        double lower = double.NaN, upper = double.NaN;
        if (n > 1 && double.IsFinite(cpk))
        {
            var half = Z975 * Math.Sqrt(1.0 / (9.0 * n) + cpk * cpk / (2.0 * (n - 1)));
            lower = cpk - half;
            upper = cpk + half;
        }

        return c with
        {
            Cp = cp, Cpl = cpl, Cpu = cpu, Cpk = cpk, Pp = pp, Ppl = ppl, Ppu = ppu, Ppk = ppk, Cpm = cpm,
            CpkLower95 = lower, CpkUpper95 = upper,
        };
    }

    private static double Min(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Min(a, b);
}
