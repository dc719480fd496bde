namespace EdgeAgent.Spc.Tests;

/// <summary>Published examples (Montgomery, Introduction to Statistical Quality Control, 6th–8th ed.).</summary>
public class TextbookExamplesTests
{
    private static readonly double[] PistonMeans = [.. Data.PistonRings.Select(r => r.Average())];
    private static readonly double[] PistonRanges = [.. Data.PistonRings.Select(r => r.Max() - r.Min())];

    [Fact]
    public void Piston_ring_xbar_r_chart_reproduces_example_6_1()
    {
        var report = SpcAnalyzer.Analyze(new ChartSpec { Chart = ChartType.XbarR, SubgroupSize = 5, Rules = SpcRules.WesternElectric }, Data.PistonRings);
        var xbarbar = PistonMeans.Average();
        var rbar = PistonRanges.Average();
        Approx.Equal(0.581 / 25, rbar, 1e-12);

        var first = report.Points[0];
        Approx.Equal(xbarbar, first.Center);
        Approx.Equal(xbarbar + SpcConstants.A2(5) * rbar, first.Ucl);
        Approx.Equal(xbarbar - SpcConstants.A2(5) * rbar, first.Lcl);
        Approx.Equal(rbar, first.SecondaryCenter);
        Approx.Equal(SpcConstants.D4Factor(5) * rbar, first.SecondaryUcl);
        Assert.Equal(0.0, first.SecondaryLcl);

        // Published: X̿ = 74.001, R̄ = 0.023, UCL = 74.014, LCL = 73.988; R chart UCL = 0.049.
        Approx.Published(74.001, first.Center, 3);
        Approx.Published(74.014, first.Ucl, 3, units: 1);
        Approx.Published(73.988, first.Lcl, 3, units: 1);
        Approx.Published(0.049, first.SecondaryUcl, 3);

        // With the book's rounded X̿ = 74.001 and R̄ = 0.023 the limits are exactly the published ones.
        var rounded = SpcAnalyzer.Analyze(
            new ChartSpec { Chart = ChartType.XbarR, SubgroupSize = 5, Parameters = new ChartParameters(74.001, 0.023 / SpcConstants.D2(5), 0.023) },
            Data.PistonRings);
        Approx.Published(74.014, rounded.Points[0].Ucl, 3);
        Approx.Published(73.988, rounded.Points[0].Lcl, 3);
        Approx.Published(0.0099, report.SigmaWithin, 4, units: 1);

        // "no indication of an out-of-control condition": no point beyond the limits.
        Assert.DoesNotContain(report.Points, p => (p.Violations & SpcRules.We1) != 0);
        for (int i = 0; i < 25; i++)
        {
            Approx.Equal(PistonMeans[i], report.Points[i].Value, 1e-12);
            Approx.Equal(PistonRanges[i], report.Points[i].Secondary, 1e-9);
        }
    }

    [Fact]
    public void Piston_ring_xbar_s_chart_reproduces_example_6_3()
    {
        var report = SpcAnalyzer.Analyze(new ChartSpec { Chart = ChartType.XbarS, SubgroupSize = 5 }, Data.PistonRings);
        var sbar = Data.PistonRings.Select(StdDev).Average();
        var first = report.Points[0];
        Approx.Equal(sbar, first.SecondaryCenter);
        Approx.Equal(PistonMeans.Average() + SpcConstants.A3(5) * sbar, first.Ucl);
        Approx.Equal(SpcConstants.B4(5) * sbar, first.SecondaryUcl);
        Approx.Equal(sbar / SpcConstants.C4(5), report.SigmaWithin);

        // Published: S̄ = 0.0094, UCL = 74.014, LCL = 73.988; S chart UCL = 0.0196, LCL = 0; σ̂ = 0.01.
        Approx.Published(0.0094, first.SecondaryCenter, 4);
        Approx.Published(74.014, first.Ucl, 3, units: 1);
        Approx.Published(73.988, first.Lcl, 3, units: 1);
        Approx.Published(0.0196, first.SecondaryUcl, 4);
        Assert.Equal(0.0, first.SecondaryLcl);
        Approx.Published(0.01, report.SigmaWithin, 3);
    }

    [Fact]
    public void Piston_ring_capability_reproduces_example_6_1()
    {
        // Specification 74.000 ± 0.05 mm; Montgomery: Cp = 0.10/(6·0.0099) ≈ 1.68 (with σ̂ rounded to 0.0099).
        var report = SpcAnalyzer.Analyze(new ChartSpec { Chart = ChartType.XbarR, SubgroupSize = 5, Lsl = 73.95, Usl = 74.05, Target = 74.0 }, Data.PistonRings);
        var sigma = PistonRanges.Average() / SpcConstants.D2(5);
        var all = Data.PistonRings.SelectMany(r => r).ToArray();
        var mean = all.Average();
        var overall = StdDev(all);
        var c = report.Capability;
        Approx.Equal(0.1 / (6 * sigma), c.Cp);
        Approx.Equal(Math.Min(74.05 - mean, mean - 73.95) / (3 * sigma), c.Cpk);
        Approx.Equal(0.1 / (6 * overall), c.Pp);
        Approx.Equal(Math.Min(74.05 - mean, mean - 73.95) / (3 * overall), c.Ppk);
        Approx.Equal(0.1 / (6 * Math.Sqrt(overall * overall + (mean - 74.0) * (mean - 74.0))), c.Cpm);
        Assert.InRange(c.Cp, 1.66, 1.69);
        Assert.True(c.CpkLower95 < c.Cpk && c.Cpk < c.CpkUpper95);
        Approx.Equal(overall, report.SigmaOverall);
    }

    [Fact]
    public void Orange_juice_p_chart_reproduces_example_7_1()
    {
        var report = SpcAnalyzer.Analyze(new ChartSpec { Chart = ChartType.P, Rules = SpcRules.We1 }, Data.Pairs(Data.OrangeJuice, 50));
        var pbar = 347.0 / 1500;
        var s = Math.Sqrt(pbar * (1 - pbar) / 50);
        var first = report.Points[0];
        Approx.Equal(pbar, first.Center);
        Approx.Equal(pbar + 3 * s, first.Ucl);
        Approx.Equal(pbar - 3 * s, first.Lcl);

        // Published: p̄ = 0.2313, UCL = 0.4102, LCL = 0.0524; samples 15 and 23 are out of control.
        Approx.Published(0.2313, first.Center, 4);
        Approx.Published(0.4102, first.Ucl, 4);
        Approx.Published(0.0524, first.Lcl, 4);
        Assert.Equal([14, 22], report.Points.Where(p => p.Violations != 0).Select(p => (int)p.Index));
        Approx.Equal(12.0 / 50, report.Points[0].Value, 1e-15);
    }

    [Fact]
    public void Orange_juice_np_chart_has_n_times_the_p_chart_limits()
    {
        var report = SpcAnalyzer.Analyze(new ChartSpec { Chart = ChartType.Np, Rules = SpcRules.We1 }, Data.Pairs(Data.OrangeJuice, 50));
        var pbar = 347.0 / 1500;
        Approx.Equal(50 * pbar, report.Points[0].Center);
        Approx.Equal(50 * pbar + 3 * Math.Sqrt(50 * pbar * (1 - pbar)), report.Points[0].Ucl);
        Assert.Equal([14, 22], report.Points.Where(p => p.Violations != 0).Select(p => (int)p.Index));
    }

    [Fact]
    public void Circuit_board_c_chart_reproduces_example_7_3()
    {
        var report = SpcAnalyzer.Analyze(new ChartSpec { Chart = ChartType.C, Rules = SpcRules.We1 }, Data.Rows(Data.CircuitBoards));
        var cbar = 516.0 / 26;
        var first = report.Points[0];
        Approx.Equal(cbar, first.Center);
        Approx.Equal(cbar + 3 * Math.Sqrt(cbar), first.Ucl);
        Approx.Equal(cbar - 3 * Math.Sqrt(cbar), first.Lcl);

        // Published: c̄ = 19.85, UCL = 33.22, LCL = 6.48; samples 6 and 20 beyond the limits.
        Approx.Published(19.85, first.Center, 2);
        Approx.Published(33.22, first.Ucl, 2, units: 1); // the book rounds c̄ to 19.85 first
        Approx.Published(6.48, first.Lcl, 2, units: 1);
        Assert.Equal([5, 19], report.Points.Where(p => p.Violations != 0).Select(p => (int)p.Index));
    }

    [Fact]
    public void Table_9_1_tabular_cusum_signals_at_period_29()
    {
        // μ0 = 10, σ = 1, k = ½, h = 5 (K = 0.5, H = 5): fixed limits imply μ0 = cl and σ = (ucl − lcl)/6.
        var spec = new ChartSpec { Chart = ChartType.Cusum, Limits = new FixedLimits(13, 10, 7), K = 0.5, H = 5, Rules = SpcRules.WesternElectric };
        var report = SpcAnalyzer.Analyze(spec, Data.Rows(Data.Table91));
        double cp = 0, cm = 0;
        for (int i = 0; i < 30; i++)
        {
            cp = Math.Max(0, Data.Table91[i] - 10.5 + cp);
            cm = Math.Max(0, 9.5 - Data.Table91[i] + cm);
            Approx.Equal(cp, report.Points[i].CusumUpper, 1e-12);
            Approx.Equal(cm, report.Points[i].CusumLower, 1e-12);
        }

        // Published (Table 9.2): C+29 = 5.28 is the first value above H = 5; C−1 = 0.05, C−3 = 1.77.
        Approx.Published(5.28, report.Points[28].CusumUpper, 2);
        Approx.Published(0.05, report.Points[0].CusumLower, 2);
        Approx.Published(1.77, report.Points[2].CusumLower, 2);
        Assert.Equal([28, 29], report.Points.Where(p => p.Violations != 0).Select(p => (int)p.Index));
        Assert.Equal(SpcRules.We1, report.Points[28].Violations);
        Assert.Equal(5.0, report.Points[0].Ucl);
    }

    [Fact]
    public void Table_9_1_ewma_reproduces_example_9_2()
    {
        // λ = 0.1, L = 2.7, μ0 = 10, σ = 1.
        var spec = new ChartSpec { Chart = ChartType.Ewma, Limits = new FixedLimits(13, 10, 7), Lambda = 0.1, L = 2.7, Rules = SpcRules.Nelson };
        var report = SpcAnalyzer.Analyze(spec, Data.Rows(Data.Table91));
        double z = 10;
        for (int i = 0; i < 30; i++)
        {
            z = 0.1 * Data.Table91[i] + 0.9 * z;
            var half = 2.7 * Math.Sqrt(0.1 / 1.9 * (1 - Math.Pow(0.9, 2 * (i + 1))));
            Approx.Equal(z, report.Points[i].Value, 1e-12);
            Approx.Equal(10 + half, report.Points[i].Ucl, 1e-12);
            Approx.Equal(10 - half, report.Points[i].Lcl, 1e-12);
        }

        // Published: z1 = 9.945, UCL1 = 10.27, LCL1 = 9.73; z2 = 9.7495; UCL2 = 10.36; asymptotic limits 10.62, 9.38.
        Approx.Equal(9.945, report.Points[0].Value, 1e-12);
        Approx.Published(10.27, report.Points[0].Ucl, 2);
        Approx.Published(9.73, report.Points[0].Lcl, 2);
        Approx.Equal(9.7495, report.Points[1].Value, 1e-12);
        Approx.Published(10.36, report.Points[1].Ucl, 2);
        Approx.Published(10.62, report.Points[29].Ucl, 2);
        Approx.Published(9.38, report.Points[29].Lcl, 2);
        Assert.Equal([28, 29], report.Points.Where(p => p.Violations != 0).Select(p => (int)p.Index));
        Assert.Equal(SpcRules.Nelson1, report.Points[28].Violations);
    }

    [Fact]
    public void Nist_handbook_ewma_limits_converge_to_the_published_steady_state()
    {
        // NIST/SEMATECH e-Handbook 6.3.2.4: EWMA0 = 50, s = 2.0539, λ = 0.3, k = 3 → UCL = 52.5884, LCL = 47.4115.
        var spec = new ChartSpec { Chart = ChartType.Ewma, Parameters = new ChartParameters(50, 2.0539, double.NaN), Lambda = 0.3, L = 3 };
        var report = SpcAnalyzer.Analyze(spec, Data.Rows(Enumerable.Repeat(50.0, 60)));
        Approx.Published(52.5884, report.Points[59].Ucl, 4, units: 1);
        Approx.Published(47.4115, report.Points[59].Lcl, 4, units: 1);
        Approx.Equal(50 + 3 * 2.0539 * Math.Sqrt(0.3 / 1.7), report.Points[59].Ucl, 1e-12);

        // First point: σ(z1) = σ·λ (exactly: √(λ/(2−λ)·(1−(1−λ)²)) = λ).
        Approx.Equal(50 + 3 * 2.0539 * 0.3, report.Points[0].Ucl, 1e-12);
    }

    [Fact]
    public void Individuals_chart_uses_mr_bar_over_d2_and_D4()
    {
        var values = Data.Table91;
        var report = SpcAnalyzer.Analyze(new ChartSpec { Chart = ChartType.Imr }, Data.Rows(values));
        var mr = values.Zip(values.Skip(1), (a, b) => Math.Abs(b - a)).ToArray();
        var mrbar = mr.Average();
        var sigma = mrbar / (2 / Math.Sqrt(Math.PI));
        var first = report.Points[0];
        Approx.Equal(values.Average(), first.Center);
        Approx.Equal(values.Average() + 3 * sigma, first.Ucl);
        Approx.Equal(mrbar, first.SecondaryCenter);
        Approx.Equal(SpcConstants.D4Factor(2) * mrbar, first.SecondaryUcl);
        Approx.Published(3.267, SpcConstants.D4Factor(2), 3);
        Assert.True(double.IsNaN(first.Secondary));
        Approx.Equal(mr[0], report.Points[1].Secondary, 1e-12);
        Approx.Equal(sigma, report.SigmaWithin);
        Approx.Equal(StdDev(values), report.SigmaOverall);
    }

    [Fact]
    public void U_chart_with_variable_sample_size_has_per_point_limits_floored_at_zero()
    {
        double[][] rows = [[2, 1], [5, 2], [3, 4], [10, 2.5], [0, 0.5]];
        var report = SpcAnalyzer.Analyze(new ChartSpec { Chart = ChartType.U }, rows);
        var ubar = 20 / 10.0;
        for (int i = 0; i < rows.Length; i++)
        {
            var s = Math.Sqrt(ubar / rows[i][1]);
            Approx.Equal(ubar, report.Points[i].Center);
            Approx.Equal(ubar + 3 * s, report.Points[i].Ucl);
            Approx.Equal(Math.Max(0, ubar - 3 * s), report.Points[i].Lcl);
            Approx.Equal(rows[i][0] / rows[i][1], report.Points[i].Value);
        }

        Assert.Equal(0.0, report.Points[4].Lcl);
    }

    [Fact]
    public void Phase1_limits_come_from_the_first_subgroups_only()
    {
        var report = SpcAnalyzer.Analyze(new ChartSpec { Chart = ChartType.XbarR, SubgroupSize = 5 }, Data.PistonRings, phase1: 10);
        Approx.Equal(PistonMeans.Take(10).Average(), report.Points[24].Center);
        Approx.Equal(PistonRanges.Take(10).Average(), report.Points[24].SecondaryCenter);
        Assert.Equal(25, report.Points.Length);
        Assert.Equal(LimitsSource.Phase1, report.LimitsSource);
    }

    internal static double StdDev(IReadOnlyCollection<double> xs)
    {
        var m = xs.Average();
        return Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / (xs.Count - 1));
    }
}
