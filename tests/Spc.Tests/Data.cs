namespace EdgeAgent.Spc.Tests;

/// <summary>Published data sets (Montgomery, Introduction to Statistical Quality Control).</summary>
internal static class Data
{
    /// <summary>Table 6.3: inside diameter of forged piston rings, 25 samples of 5 (mm).</summary>
    public static readonly double[][] PistonRings =
    [
        [74.030, 74.002, 74.019, 73.992, 74.008], [73.995, 73.992, 74.001, 74.011, 74.004], [73.988, 74.024, 74.021, 74.005, 74.002],
        [74.002, 73.996, 73.993, 74.015, 74.009], [73.992, 74.007, 74.015, 73.989, 74.014], [74.009, 73.994, 73.997, 73.985, 73.993],
        [73.995, 74.006, 73.994, 74.000, 74.005], [73.985, 74.003, 73.993, 74.015, 73.988], [74.008, 73.995, 74.009, 74.005, 74.004],
        [73.998, 74.000, 73.990, 74.007, 73.995], [73.994, 73.998, 73.994, 73.995, 73.990], [74.004, 74.000, 74.007, 74.000, 73.996],
        [73.983, 74.002, 73.998, 73.997, 74.012], [74.006, 73.967, 73.994, 74.000, 73.984], [74.012, 74.014, 73.998, 73.999, 74.007],
        [74.000, 73.984, 74.005, 73.998, 73.996], [73.994, 74.012, 73.986, 74.005, 74.007], [74.006, 74.010, 74.018, 74.003, 74.000],
        [73.984, 74.002, 74.003, 74.005, 73.997], [74.000, 74.010, 74.013, 74.020, 74.003], [73.982, 74.001, 74.015, 74.005, 73.996],
        [74.004, 73.999, 73.990, 74.006, 74.009], [74.010, 73.989, 73.990, 74.009, 74.014], [74.015, 74.008, 73.993, 74.000, 74.010],
        [73.982, 73.984, 73.995, 74.017, 74.013],
    ];

    /// <summary>Example 7.1: frozen orange juice cans, 30 samples of 50, number nonconforming.</summary>
    public static readonly double[] OrangeJuice =
        [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6];

    /// <summary>Example 7.3: nonconformities in 26 samples of 100 printed circuit boards.</summary>
    public static readonly double[] CircuitBoards =
        [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18, 39, 30, 24, 16, 19, 17, 15];

    /// <summary>Table 9.1: 30 observations, the first 20 from N(10, 1), the last 10 from N(11, 1).</summary>
    public static readonly double[] Table91 =
    [
        9.45, 7.99, 9.29, 11.66, 12.16, 10.18, 8.04, 11.46, 9.20, 10.34, 9.03, 11.47, 10.51, 9.40, 10.08,
        9.37, 10.62, 10.31, 8.52, 10.84, 10.90, 9.33, 12.29, 11.50, 10.60, 11.08, 10.38, 11.62, 11.31, 10.52,
    ];

    public static double[][] Rows(IEnumerable<double> values) => [.. values.Select(v => new[] { v })];

    public static double[][] Pairs(IEnumerable<double> counts, double size) => [.. counts.Select(c => new[] { c, size })];
}

internal static class Approx
{
    /// <summary>Asserts |actual − expected| ≤ 1e-6·max(1, |expected|) (src/Spc/README.md: "to within 1e-6 relative").</summary>
    public static void Equal(double expected, double actual, double relative = 1e-6)
    {
        if (expected.Equals(actual))
        {
            return; // also ±∞ and NaN
        }

        var tolerance = relative * Math.Max(1.0, Math.Abs(expected));
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"expected {expected:R} ± {tolerance:G3}, found {actual:R}");
    }

    /// <summary>Asserts that <paramref name="actual"/> rounds to a value published with <paramref name="decimals"/> decimals.</summary>
    /// <remarks>
    /// <paramref name="units"/> = 1 allows one unit in the last published decimal where the book carried rounded
    /// intermediates (e.g. UCL = 74.001 + 0.577 × 0.023 = 74.014, while full precision gives 74.0146).
    /// </remarks>
    public static void Published(double published, double actual, int decimals, double units = 0.5)
    {
        var half = units * Math.Pow(10, -decimals) + 1e-12;
        Assert.True(Math.Abs(actual - published) <= half, $"published {published} ({decimals} decimals), computed {actual:R}");
    }
}
