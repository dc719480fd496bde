namespace EdgeAgent.Spc.Tests;

/// <summary>
/// Constructed cases for every rule, on an individuals chart with fixed limits UCL = 3, CL = 0, LCL = −3
/// (so σ = 1 and the zone lines are ±1, ±2, ±3 exactly).
/// </summary>
public class RunRuleTests
{
    private static int[] Fired(SpcRules rule, params double[] values)
    {
        var chart = SpcChart.Create(new ChartSpec { Chart = ChartType.Imr, Limits = new FixedLimits(3, 0, -3), Rules = rule });
        var fired = new List<int>();
        foreach (var v in values)
        {
            Assert.True(chart.Add(v, out var r));
            if ((r.Violations & rule) != 0)
            {
                fired.Add((int)r.Index);
            }
        }

        return [.. fired];
    }

    [Theory]
    [InlineData(SpcRules.We1)]
    [InlineData(SpcRules.Nelson1)]
    public void Rule_1_fires_beyond_a_limit_but_not_on_it(SpcRules rule) =>
        Assert.Equal([2, 4], Fired(rule, 0, 3, 3.0000001, -3, -3.5));

    [Theory]
    [InlineData(SpcRules.We2)]
    [InlineData(SpcRules.Nelson5)]
    public void Two_of_three_beyond_2_sigma_fire_at_the_second_beyond_point(SpcRules rule)
    {
        Assert.Equal([2], Fired(rule, 2.5, 0, 2.5));
        Assert.Equal([1], Fired(rule, 2.5, 2.5, 0));             // point 2 is not beyond: no report there
        Assert.Equal([2], Fired(rule, 2.5, 2, 2.5));             // exactly on the 2σ line is not beyond
        Assert.Equal([1, 2], Fired(rule, -2.1, -2.2, -2.9));    // continuing pattern fires again
        Assert.Equal([2], Fired(rule, 2.5, -2.5, 2.5));          // the other side's point is not counted
        Assert.Empty(Fired(rule, 2.5, 0, 0, 2.5));               // 2 of 4 is not 2 of 3
        Assert.Empty(Fired(rule, 2.5, -2.5, 0));
    }

    [Theory]
    [InlineData(SpcRules.We3)]
    [InlineData(SpcRules.Nelson6)]
    public void Four_of_five_beyond_1_sigma_fire_at_the_fourth_beyond_point(SpcRules rule)
    {
        Assert.Equal([4], Fired(rule, 1.5, 1.5, 0, 1.5, 1.5));
        Assert.Equal([4], Fired(rule, 1, 1.5, 1.5, 1.5, 1.5));   // 1.0 is on the line, not beyond
        Assert.Empty(Fired(rule, 1, 1.5, 1.5, 1.5, 1));
        Assert.Equal([4], Fired(rule, -1.2, -1.2, -1.2, 0.5, -1.2));
        Assert.Empty(Fired(rule, 1.5, 1.5, -1.5, 1.5, -1.5));
    }

    [Fact]
    public void We4_fires_at_the_eighth_point_on_one_side_and_keeps_firing()
    {
        Assert.Equal([7, 8], Fired(SpcRules.We4, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.1));
        Assert.Empty(Fired(SpcRules.We4, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5)); // on the center line: neither side
        Assert.Equal([7], Fired(SpcRules.We4, -0.1, -0.1, -0.1, -0.1, -0.1, -0.1, -0.1, -2.9, 0.1));
    }

    [Fact]
    public void Nelson2_fires_at_the_ninth_point_on_one_side()
    {
        Assert.Equal([8], Fired(SpcRules.Nelson2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5));
        Assert.Empty(Fired(SpcRules.Nelson2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -0.5));
    }

    [Fact]
    public void Nelson3_fires_on_six_strictly_monotone_points_and_a_tie_breaks_it()
    {
        Assert.Equal([5, 6], Fired(SpcRules.Nelson3, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6));
        Assert.Equal([5], Fired(SpcRules.Nelson3, 0, -0.1, -0.2, -0.3, -0.4, -0.5));
        Assert.Empty(Fired(SpcRules.Nelson3, 0, 0.1, 0.1, 0.2, 0.3, 0.4, 0.5));
        Assert.Empty(Fired(SpcRules.Nelson3, 0, 0.1, 0.2, 0.3, 0.4));
    }

    [Fact]
    public void Nelson4_fires_on_fourteen_alternating_points()
    {
        var alternating = Enumerable.Range(0, 15).Select(i => i % 2 == 0 ? 0.1 : -0.1).ToArray();
        Assert.Equal([13, 14], Fired(SpcRules.Nelson4, alternating));
        Assert.Empty(Fired(SpcRules.Nelson4, alternating[..13]));
        var tie = (double[])alternating.Clone();
        tie[6] = tie[5];                                         // a tie breaks the alternation
        Assert.Empty(Fired(SpcRules.Nelson4, tie[..14]));
    }

    [Fact]
    public void Nelson7_fires_on_fifteen_points_within_1_sigma_including_on_the_line()
    {
        var within = Enumerable.Range(0, 15).Select(i => i % 3 == 0 ? 1.0 : i % 3 == 1 ? -1.0 : 0.0).ToArray();
        Assert.Equal([14], Fired(SpcRules.Nelson7, within));
        within[7] = 1.0000001;
        Assert.Empty(Fired(SpcRules.Nelson7, within));
    }

    [Fact]
    public void Nelson8_fires_on_eight_points_beyond_1_sigma_with_both_sides()
    {
        Assert.Equal([7], Fired(SpcRules.Nelson8, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, -1.5));
        Assert.Empty(Fired(SpcRules.Nelson8, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5));   // one side only
        Assert.Empty(Fired(SpcRules.Nelson8, 1.5, -1.5, 1.5, -1.5, 1, -1.5, 1.5, -1.5));  // 1.0 is not beyond
    }

    [Fact]
    public void Only_enabled_rules_are_reported()
    {
        var chart = SpcChart.Create(new ChartSpec { Chart = ChartType.Imr, Limits = new FixedLimits(3, 0, -3), Rules = SpcRules.We1 | SpcRules.We4 });
        SubgroupResult r = default;
        foreach (var v in new[] { 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 3.5 })
        {
            chart.Add(v, out r);
        }

        Assert.Equal(SpcRules.We1 | SpcRules.We4, r.Violations);
    }

    [Fact]
    public void Xbar_zones_use_sigma_over_root_n()
    {
        // σ = 2, n = 4: σ(x̄) = 1, so limits are ±3 and a subgroup mean of exactly 3 is on the limit.
        var chart = SpcChart.Create(new ChartSpec { Chart = ChartType.XbarR, SubgroupSize = 4, Parameters = new ChartParameters(0, 2, double.NaN), Rules = SpcRules.We1 | SpcRules.We2 });
        SubgroupResult r = default;
        foreach (var v in new double[] { 3, 3, 3, 3, 2.5, 2.5, 2.5, 2.5, 3.5, 3.5, 3.5, 3.5 })
        {
            if (chart.Add(v, out r) && r.Index == 0)
            {
                Assert.Equal(3.0, r.Ucl);
                Assert.Equal(SpcRules.None, r.Violations);
            }
        }

        Assert.Equal(2, r.Index);
        Assert.Equal(SpcRules.We1 | SpcRules.We2, r.Violations);
        Approx.Equal(SpcConstants.D2(4) * 2, r.SecondaryCenter);
    }

    [Fact]
    public void Asymmetric_fixed_limits_give_each_side_its_own_zones()
    {
        // UCL 6, CL 0, LCL −3: σ above = 2, σ below = 1.
        var chart = SpcChart.Create(new ChartSpec { Chart = ChartType.Imr, Limits = new FixedLimits(6, 0, -3), Rules = SpcRules.We2 });
        chart.Add(4.5, out _);
        chart.Add(4.5, out var up);
        Assert.Equal(SpcRules.We2, up.Violations);
        chart.Add(-2.5, out _);
        chart.Add(-2.5, out var down);
        Assert.Equal(SpcRules.We2, down.Violations);
    }

    [Fact]
    public void Rule_names_round_trip()
    {
        foreach (var rule in SpcRuleNames.Each(SpcRules.WesternElectric | SpcRules.Nelson))
        {
            Assert.True(SpcRuleNames.TryParse(SpcRuleNames.Name(rule), out var parsed));
            Assert.Equal(rule, parsed);
        }

        Assert.Equal(SpcRules.We1 | SpcRules.We4, SpcRuleNames.Parse(["we1", "WE4"]));
        Assert.Equal(SpcRules.Nelson, SpcRuleNames.Parse(["nelson"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpcRuleNames.Parse(["we9"]));
    }
}
