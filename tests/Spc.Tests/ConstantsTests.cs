namespace EdgeAgent.Spc.Tests;

public class ConstantsTests
{
    [Fact]
    public void D2_of_2_is_two_over_root_pi() => Approx.Equal(2 / Math.Sqrt(Math.PI), SpcConstants.D2(2), 1e-10);

    [Fact]
    public void D3_of_2_is_root_of_two_minus_four_over_pi() => Approx.Equal(Math.Sqrt(2 - 4 / Math.PI), SpcConstants.D3(2), 1e-9);

    [Fact]
    public void C4_of_2_is_root_two_over_pi() => Approx.Equal(Math.Sqrt(2 / Math.PI), SpcConstants.C4(2), 1e-14);

    [Fact]
    public void C4_of_3_is_root_pi_over_two() => Approx.Equal(Math.Sqrt(Math.PI) / 2, SpcConstants.C4(3), 1e-14);

    [Fact]
    public void D2_of_3_is_three_over_root_pi() =>
        // E[range of 3 normals] = 3/√π (a closed form known for n = 3).
        Approx.Equal(3 / Math.Sqrt(Math.PI), SpcConstants.D2(3), 1e-10);

    // Montgomery, Appendix VI (d2, d3 to 3 decimals, c4 to 4).
    [Theory]
    [InlineData(2, 1.128, 0.853, 0.7979)]
    [InlineData(3, 1.693, 0.888, 0.8862)]
    [InlineData(4, 2.059, 0.880, 0.9213)]
    [InlineData(5, 2.326, 0.864, 0.9400)]
    [InlineData(6, 2.534, 0.848, 0.9515)]
    [InlineData(7, 2.704, 0.833, 0.9594)]
    [InlineData(8, 2.847, 0.820, 0.9650)]
    [InlineData(9, 2.970, 0.808, 0.9693)]
    [InlineData(10, 3.078, 0.797, 0.9727)]
    [InlineData(15, 3.472, 0.756, 0.9823)]
    [InlineData(20, 3.735, 0.729, 0.9869)]
    [InlineData(25, 3.931, 0.708, 0.9896)]
    public void Constants_match_the_published_tables(int n, double d2, double d3, double c4)
    {
        Approx.Published(d2, SpcConstants.D2(n), 3);
        Approx.Published(d3, SpcConstants.D3(n), 3);
        Approx.Published(c4, SpcConstants.C4(n), 4);
    }

    [Theory]
    [InlineData(2, 1.880, 0, 3.267, 2.659, 0, 3.267)]
    [InlineData(5, 0.577, 0, 2.114, 1.427, 0, 2.089)]
    [InlineData(7, 0.419, 0.076, 1.924, 1.182, 0.118, 1.882)]
    [InlineData(10, 0.308, 0.223, 1.777, 0.975, 0.284, 1.716)]
    [InlineData(25, 0.153, 0.459, 1.541, 0.606, 0.565, 1.435)]
    public void Derived_factors_match_the_published_tables(int n, double a2, double d3, double d4, double a3, double b3, double b4)
    {
        Approx.Published(a2, SpcConstants.A2(n), 3);
        Approx.Published(d3, SpcConstants.D3Factor(n), 3);
        Approx.Published(d4, SpcConstants.D4Factor(n), 3);
        Approx.Published(a3, SpcConstants.A3(n), 3);
        Approx.Published(b3, SpcConstants.B3(n), 3);
        Approx.Published(b4, SpcConstants.B4(n), 3);
    }

    [Fact]
    public void D3_factor_is_zero_up_to_six_and_positive_from_seven()
    {
        for (int n = 2; n <= 6; n++)
        {
            Assert.Equal(0.0, SpcConstants.D3Factor(n));
        }

        Assert.True(SpcConstants.D3Factor(7) > 0);
    }

    [Fact]
    public void Erfc_matches_known_values()
    {
        Approx.Equal(1.0, SpcMath.Erfc(0), 1e-15);
        Approx.Equal(0.157299207050285, SpcMath.Erfc(1), 1e-13);
        Approx.Equal(4.677734981047266e-3, SpcMath.Erfc(2), 1e-13);
        Assert.True(Math.Abs(SpcMath.Erfc(3) / 2.209049699858544e-5 - 1) < 1e-12);
        Approx.Equal(0.975002104851780, SpcMath.NormalCdf(1.96), 1e-13);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(26)]
    public void Subgroup_size_outside_2_to_25_is_rejected(int n)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SpcConstants.D2(n));
        Assert.Equal("n", e.ParamName);
    }
}
