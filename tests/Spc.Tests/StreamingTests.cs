using System.Text.Json;
using System.Text.Json.Serialization;
using CsCheck;

namespace EdgeAgent.Spc.Tests;

public class StreamingTests
{
    private static readonly ChartType[] AllCharts = Enum.GetValues<ChartType>();

    private static ChartSpec SpecFor(ChartType type, int n) => new()
    {
        Chart = type,
        SubgroupSize = type.IsSubgrouped() ? n : 1,
        Rules = SpcRules.WesternElectric | SpcRules.Nelson,
        Lsl = 8,
        Usl = 12,
        Target = 10,
    };

    /// <summary>Random rows for a chart: subgroups of values near 10 (on a 0.25 grid, so ties and exact lines happen), or (count, size).</summary>
    private static Gen<(ChartType Type, int N, double[][] Rows)> Rows(int min, int max) =>
        from type in Gen.OneOfConst(AllCharts)
        from n in Gen.Int[2, 8]
        from count in Gen.Int[min, max]
        from rows in RowGen(type, type.IsSubgrouped() ? n : 1).Array[count]
        select (type, n, rows);

    private static Gen<double[]> RowGen(ChartType type, int n) => type switch
    {
        ChartType.C => Gen.Int[0, 30].Select(c => new double[] { c }),
        ChartType.P or ChartType.Np or ChartType.U =>
            from size in Gen.Int[1, 60]
            from c in Gen.Int[0, size]
            select new double[] { c, size },
        _ => Gen.Int[-12, 12].Select(k => 10 + 0.25 * k).Array[n],
    };

    private static bool Feed(SpcChart chart, double[] row, out SubgroupResult result)
    {
        if (chart.Spec.Chart.IsAttribute())
        {
            return chart.Add(row[0], row.Length > 1 ? row[1] : 1, out result);
        }

        result = default;
        var done = false;
        foreach (var x in row)
        {
            done = chart.Add(x, out result);
        }

        return done;
    }

    private static void AssertSame(SubgroupResult expected, SubgroupResult actual)
    {
        Assert.Equal(expected.Index, actual.Index);
        Assert.Equal(expected.Value, actual.Value);
        Assert.Equal(expected.Center, actual.Center);
        Assert.Equal(expected.Ucl, actual.Ucl);
        Assert.Equal(expected.Lcl, actual.Lcl);
        Assert.Equal(expected.CusumUpper, actual.CusumUpper);
        Assert.Equal(expected.CusumLower, actual.CusumLower);
        Assert.Equal(expected.SecondaryUcl, actual.SecondaryUcl);
        Assert.Equal(expected.Violations, actual.Violations);
    }

    [Fact]
    public void Streaming_with_a_baseline_agrees_with_the_batch_analyzer_after_phase_1()
    {
        Rows(2, 120).Sample(t =>
        {
            var (type, n, rows) = t;
            var baseline = Math.Max(2, rows.Length / 3);
            var spec = SpecFor(type, n) with { Baseline = baseline };
            var batch = SpcAnalyzer.Analyze(spec, rows, phase1: baseline);
            var chart = SpcChart.Create(spec);
            var k = 0;
            foreach (var row in rows)
            {
                if (Feed(chart, row, out var r))
                {
                    Assert.Equal(k >= baseline, r.HasLimits);
                    if (k >= baseline)
                    {
                        AssertSame(batch.Points[k], r);
                    }

                    k++;
                }
            }

            Assert.Equal(rows.Length, k);
            Assert.Equal(batch.Parameters, chart.Parameters);
        }, iter: 300);
    }

    [Fact]
    public void Batch_limits_equal_the_textbook_formulas_on_random_data()
    {
        Rows(2, 60).Sample(t =>
        {
            var (type, n, rows) = t;
            var report = SpcAnalyzer.Analyze(SpecFor(type, n), rows);
            var p0 = report.Points[0];
            switch (type)
            {
                case ChartType.Imr or ChartType.Ewma or ChartType.Cusum:
                {
                    var x = rows.Select(r => r[0]).ToArray();
                    var mrbar = x.Zip(x.Skip(1), (a, b) => Math.Abs(b - a)).Average();
                    Approx.Equal(x.Average(), report.Parameters.Center, 1e-12);
                    Approx.Equal(mrbar / 1.1283791670955126, report.Parameters.Sigma, 1e-9);
                    if (type == ChartType.Imr)
                    {
                        Approx.Equal(x.Average() + 1.5 * Math.Sqrt(Math.PI) * mrbar, p0.Ucl, 1e-12); // E2 = 3/d2(2) = 1.5·√π
                        Approx.Equal(3.2665 * mrbar, p0.SecondaryUcl, 1e-4);
                    }

                    break;
                }

                case ChartType.XbarR:
                {
                    var xbb = rows.Select(r => r.Average()).Average();
                    var rbar = rows.Select(r => r.Max() - r.Min()).Average();
                    Approx.Equal(xbb + SpcConstants.A2(n) * rbar, p0.Ucl, 1e-9);
                    Approx.Equal(xbb - SpcConstants.A2(n) * rbar, p0.Lcl, 1e-9);
                    Approx.Equal(SpcConstants.D4Factor(n) * rbar, p0.SecondaryUcl, 1e-9);
                    break;
                }

                case ChartType.XbarS:
                {
                    var xbb = rows.Select(r => r.Average()).Average();
                    var sbar = rows.Select(r => TextbookExamplesTests.StdDev(r)).Average();
                    Approx.Equal(xbb + SpcConstants.A3(n) * sbar, p0.Ucl, 1e-9);
                    Approx.Equal(SpcConstants.B4(n) * sbar, p0.SecondaryUcl, 1e-9);
                    break;
                }

                case ChartType.P or ChartType.Np or ChartType.U:
                {
                    var bar = rows.Sum(r => r[0]) / rows.Sum(r => r[1]);
                    for (int i = 0; i < rows.Length; i++)
                    {
                        var size = rows[i][1];
                        var (c, s) = type switch
                        {
                            ChartType.P => (bar, Math.Sqrt(bar * (1 - bar) / size)),
                            ChartType.Np => (size * bar, Math.Sqrt(size * bar * (1 - bar))),
                            _ => (bar, Math.Sqrt(bar / size)),
                        };
                        Approx.Equal(c, report.Points[i].Center, 1e-12);
                        Approx.Equal(c + 3 * s, report.Points[i].Ucl, 1e-12);
                        Approx.Equal(Math.Max(0, c - 3 * s), report.Points[i].Lcl, 1e-12);
                    }

                    break;
                }

                case ChartType.C:
                {
                    var cbar = rows.Average(r => r[0]);
                    Approx.Equal(cbar + 3 * Math.Sqrt(cbar), p0.Ucl, 1e-12);
                    Approx.Equal(Math.Max(0, cbar - 3 * Math.Sqrt(cbar)), p0.Lcl, 1e-12);
                    break;
                }
            }
        }, iter: 300);
    }

    /// <summary>The rules straight from their definitions, over the whole array (O(n·w)); the streaming engine must agree.</summary>
    private static SpcRules Reference(double[] x, int i, double c, double s, double ucl, double lcl)
    {
        bool Above(int j, double k) => x[j] > c + k * s;
        bool Below(int j, double k) => x[j] < c - k * s;
        int Count(int from, Func<int, bool> f)
        {
            var n = 0;
            for (int j = Math.Max(0, from); j <= i; j++)
            {
                n += f(j) ? 1 : 0;
            }

            return n;
        }

        bool All(int from, Func<int, bool> f) => from >= 0 && Count(from, f) == i - from + 1;

        var v = SpcRules.None;
        if (x[i] > ucl || x[i] < lcl)
        {
            v |= SpcRules.We1 | SpcRules.Nelson1;
        }

        if ((Above(i, 2) && Count(i - 2, j => Above(j, 2)) >= 2) || (Below(i, 2) && Count(i - 2, j => Below(j, 2)) >= 2))
        {
            v |= SpcRules.We2 | SpcRules.Nelson5;
        }

        if ((Above(i, 1) && Count(i - 4, j => Above(j, 1)) >= 4) || (Below(i, 1) && Count(i - 4, j => Below(j, 1)) >= 4))
        {
            v |= SpcRules.We3 | SpcRules.Nelson6;
        }

        if (All(i - 7, j => x[j] > c) || All(i - 7, j => x[j] < c))
        {
            v |= SpcRules.We4;
        }

        if (All(i - 8, j => x[j] > c) || All(i - 8, j => x[j] < c))
        {
            v |= SpcRules.Nelson2;
        }

        if (All(i - 4, j => j > 0 && x[j] > x[j - 1]) || All(i - 4, j => j > 0 && x[j] < x[j - 1]))
        {
            v |= SpcRules.Nelson3;
        }

        if (i >= 13 && All(i - 12, j => j > 0 && x[j] != x[j - 1] && (j == i - 12 || Math.Sign(x[j] - x[j - 1]) == -Math.Sign(x[j - 1] - x[j - 2]))))
        {
            v |= SpcRules.Nelson4;
        }

        if (All(i - 14, j => !Above(j, 1) && !Below(j, 1)))
        {
            v |= SpcRules.Nelson7;
        }

        if (All(i - 7, j => Above(j, 1) || Below(j, 1)) && Count(i - 7, j => Above(j, 1)) > 0 && Count(i - 7, j => Below(j, 1)) > 0)
        {
            v |= SpcRules.Nelson8;
        }

        return v;
    }

    [Fact]
    public void Streaming_rules_agree_with_the_rule_definitions()
    {
        // Values on a ½σ grid so that points land exactly on zone lines and ties are common.
        Gen.Int[-8, 8].Select(k => 0.5 * k).Array[1, 300].Sample(x =>
        {
            var chart = SpcChart.Create(new ChartSpec { Chart = ChartType.Imr, Limits = new FixedLimits(3, 0, -3), Rules = SpcRules.WesternElectric | SpcRules.Nelson });
            for (int i = 0; i < x.Length; i++)
            {
                chart.Add(x[i], out var r);
                Assert.Equal(Reference(x, i, 0, 1, 3, -3), r.Violations);
            }
        }, iter: 500);
    }

    [Fact]
    public void Rolling_capability_agrees_with_a_two_pass_computation_over_the_window()
    {
        var gen = from window in Gen.Int[2, 30]
                  from n in Gen.Int[1, 6]
                  from x in Gen.Double[9.5, 10.5].Array[n * 2, n * 80]
                  select (window, n, x);
        gen.Sample(t =>
        {
            var (window, n, x) = t;
            var type = n == 1 ? ChartType.Imr : ChartType.XbarS;
            var chart = SpcChart.Create(new ChartSpec { Chart = type, SubgroupSize = n, CapabilityWindow = window, Lsl = 9, Usl = 11, Target = 10 });
            var groups = x.Length / n;
            for (int g = 0; g < groups; g++)
            {
                for (int j = 0; j < n; j++)
                {
                    chart.Add(x[g * n + j], out _);
                }

                var first = Math.Max(0, g - window + 1);
                var values = x[(first * n)..((g + 1) * n)];
                if (values.Length < 2)
                {
                    continue;
                }

                var cap = chart.GetCapability();
                Approx.Equal(values.Average(), cap.Mean, 1e-9);
                Approx.Equal(TextbookExamplesTests.StdDev(values), cap.SigmaOverall, 1e-7);
                double within;
                if (n == 1)
                {
                    var mrs = Enumerable.Range(Math.Max(1, first), g - Math.Max(1, first) + 1).Select(i => Math.Abs(x[i] - x[i - 1])).ToArray();
                    if (mrs.Length == 0)
                    {
                        continue;
                    }

                    within = mrs.Average() / SpcConstants.D2(2);
                }
                else
                {
                    within = Enumerable.Range(first, g - first + 1).Select(i => TextbookExamplesTests.StdDev(x[(i * n)..((i + 1) * n)])).Average() / SpcConstants.C4(n);
                }

                Approx.Equal(within, cap.SigmaWithin, 1e-9);
                Approx.Equal(2 / (6 * within), cap.Cp, 1e-7);
            }
        }, iter: 200);
    }

    private static readonly JsonSerializerOptions StateJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    [Fact]
    public void A_restored_chart_continues_exactly_where_the_saved_one_stopped()
    {
        var gen = from t in Rows(3, 80)
                  from split in Gen.Int[0, 400]
                  from window in Gen.Int[0, 5]
                  select (t.Type, t.N, t.Rows, split, window == 1 ? 0 : window);
        gen.Sample(t =>
        {
            var (type, n, rows, split, window) = t;
            var spec = SpecFor(type, n) with { Baseline = Math.Max(2, rows.Length / 2), CapabilityWindow = window };
            var flat = rows.SelectMany(r => type.IsAttribute() ? [r] : r.Select(v => new[] { v })).ToArray();
            split %= flat.Length + 1;
            var straight = SpcChart.Create(spec);
            var expected = new List<SubgroupResult>();
            foreach (var item in flat)
            {
                if (Feed(straight, item, out var r))
                {
                    expected.Add(r);
                }
            }

            var first = SpcChart.Create(spec);
            var actual = new List<SubgroupResult>();
            for (int i = 0; i < split; i++)
            {
                if (Feed(first, flat[i], out var r))
                {
                    actual.Add(r);
                }
            }

            var json = JsonSerializer.Serialize(first.Save(), StateJson);
            var second = SpcChart.Restore(spec, JsonSerializer.Deserialize<SpcState>(json, StateJson)!);
            for (int i = split; i < flat.Length; i++)
            {
                if (Feed(second, flat[i], out var r))
                {
                    actual.Add(r);
                }
            }

            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                AssertSame(expected[i], actual[i]);
            }

            Assert.Equal(straight.GetCapability(), second.GetCapability());
        }, iter: 200);
    }

    [Fact]
    public void Restoring_into_a_different_chart_is_rejected()
    {
        var state = SpcChart.Create(new ChartSpec { Chart = ChartType.Imr }).Save();
        Assert.Throws<ArgumentOutOfRangeException>(() => SpcChart.Restore(new ChartSpec { Chart = ChartType.Ewma }, state));
    }

    /// <summary>
    /// What <see cref="SpcChart.Restore"/> must accept follows from the spec (subgroups of 3, a baseline of 4 subgroups,
    /// a capability window of 5): at most 2 values of an unfinished subgroup; while collecting the baseline (phase 0)
    /// fewer than 4 baseline subgroups, none after it; 14 rule counters, 6 accumulators, 4 EWMA/CUSUM numbers; a ring
    /// of 4 × 5 numbers and 8 totals whose position is in [0, 5) and fill in [0, 5]. Each field is replaced with
    /// random numbers, half the time of the length that fits: a state that does not fit is rejected with a typed error,
    /// one that fits is restored and keeps running, whatever the numbers in it.
    /// </summary>
    [Fact]
    public void A_saved_state_that_does_not_fit_the_spec_is_rejected_and_one_that_fits_keeps_running()
    {
        var spec = new ChartSpec { Chart = ChartType.XbarR, SubgroupSize = 3, Baseline = 4, CapabilityWindow = 5 };
        var chart = SpcChart.Create(spec);
        for (int i = 0; i < 10; i++)
        {
            chart.Add(i % 4, out _);
        }

        var good = chart.Save();
        // 10 values: 3 subgroups of 3 in the baseline (still collecting: phase 0) and 1 value of the 4th subgroup.
        Assert.Equal((1, 3, 0), (good.Subgroup.Length, good.BaselineValues.Length, good.Phase));
        int[] fittingLength = [2, 14, 20, 8, 6, 3, 4];
        var gen = from which in Gen.Int[0, 8]
                  from data in Gen.Double[-10, 10].Array[0, 30]
                  from number in Gen.Int[-3, 40]
                  from fitting in Gen.Bool
                  select (which, data, number, fitting);
        gen.SampleWithDeadline(t =>
        {
            var (which, data, number, fitting) = t;
            if (fitting && which < fittingLength.Length)
            {
                Array.Resize(ref data, fittingLength[which]);
            }

            var (bad, fits) = which switch
            {
                0 => (good with { Subgroup = data }, data.Length < 3),
                1 => (good with { Rules = data }, data.Length == 14),
                2 => (good with { CapabilityRing = data }, data.Length == 20),
                3 => (good with { CapabilityTotals = data }, data.Length == 8 && data[0] >= 0 && data[0] < 5 && data[1] >= 0 && data[1] <= 5),
                4 => (good with { Accumulator = data }, data.Length == 6),
                5 => (good with { BaselineValues = data, BaselineSizes = data }, data.Length < 4),
                6 => (good with { Ewma = data }, data.Length == 4),
                7 => (good with { Phase = fitting ? 0 : number }, (fitting ? 0 : number) == 0),
                _ => (good with { CapabilityWindow = fitting ? 5 : number }, (fitting ? 5 : number) == 5),
            };
            if (!fits)
            {
                Assert.Equal("state", Assert.Throws<ArgumentOutOfRangeException>(() => SpcChart.Restore(spec, bad)).ParamName);
                return;
            }

            var restored = SpcChart.Restore(spec, bad);
            var completed = 0;
            for (int i = 0; i < 20; i++)
            {
                completed += restored.Add(i, out _) ? 1 : 0;
            }

            Assert.Equal((bad.Subgroup.Length + 20) / 3, completed);
            _ = restored.GetCapability();
        }, iter: 500);
    }

    [Theory]
    [InlineData(ChartType.Imr, 1)]
    [InlineData(ChartType.XbarR, 5)]
    [InlineData(ChartType.XbarS, 5)]
    [InlineData(ChartType.Ewma, 1)]
    [InlineData(ChartType.Cusum, 1)]
    [InlineData(ChartType.P, 1)]
    [InlineData(ChartType.U, 1)]
    [InlineData(ChartType.C, 1)]
    public void The_streaming_path_allocates_nothing_per_sample_and_flags_what_the_batch_analyzer_flags(ChartType type, int n)
    {
        var spec = SpecFor(type, n) with { Baseline = 50, CapabilityWindow = 100 };
        var chart = SpcChart.Create(spec);
        var random = new Random(7);
        // Uniform on [10, 11) (σ ≈ 0.29), shifted up by 0.3 for the last quarter so that every chart, CUSUM too, breaks rules.
        var values = Enumerable.Range(0, 20_000).Select(i => 10 + random.NextDouble() + (i >= 15_000 ? 0.3 : 0)).ToArray();
        const int warm = 2_000;
        Run(chart, values, warm); // through the baseline and warm (tiered JIT)
        // A garbage collection that is still running (the batch analysis of the previous case leaves plenty) may resize
        // this thread's allocation buffer during the run and add its unused part (a few KB) to the count: collect first.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var fired = Run(chart, values, values.Length);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);

        // The measured run went through the rule path: it flagged exactly the subgroups the batch analyzer flags on the
        // same stream (the first 2 000 values, then all 20 000), and there are some.
        var attribute = type.IsAttribute();
        var size = attribute ? 1 : spec.SubgroupSize;
        var stream = values.Take(warm).Concat(values).ToArray();
        var rows = attribute
            ? stream.Select(v => type == ChartType.C ? new[] { Math.Floor(v * 3 - 28) } : [Math.Floor(v * 3 - 28), 10]).ToArray()
            : stream.Chunk(size).ToArray();
        var batch = SpcAnalyzer.Analyze(spec, rows, phase1: spec.Baseline);
        var expected = batch.Points.Skip(warm / size).Count(p => p.Violations != SpcRules.None);
        Assert.True(expected > 0, "the data must break a rule, or the allocation check would not cover the rule path");
        Assert.Equal(expected, fired);

        static int Run(SpcChart chart, double[] values, int count)
        {
            var fired = 0;
            var attribute = chart.Spec.Chart.IsAttribute();
            for (int i = 0; i < count; i++)
            {
                var done = attribute ? chart.Add(Math.Floor(values[i] * 3 - 28), 10, out var r) : chart.Add(values[i], out r);
                if (done && r.Violations != 0)
                {
                    fired++;
                }
            }

            _ = chart.GetCapability();
            return fired;
        }
    }

    [Fact]
    public void Baseline_results_have_no_limits_and_freeze_after_n_subgroups()
    {
        var chart = SpcChart.Create(new ChartSpec { Chart = ChartType.Imr, Baseline = 3 });
        Assert.True(chart.Add(1, out var r0));
        Assert.False(r0.HasLimits);
        Assert.True(double.IsNaN(r0.Ucl));
        chart.Add(2, out _);
        Assert.False(chart.HasLimits);
        chart.Add(4, out var r2);
        Assert.False(r2.HasLimits);
        Assert.True(chart.HasLimits);
        chart.Add(3, out var r3);
        Assert.True(r3.HasLimits);
        Approx.Equal(7.0 / 3, r3.Center, 1e-15);
        Approx.Equal(1.5 / SpcConstants.D2(2), chart.Parameters.Sigma, 1e-15);
    }

    [Fact]
    public void Limits_pushed_at_run_time_take_effect_on_the_next_point()
    {
        var chart = SpcChart.Create(new ChartSpec { Chart = ChartType.Imr, Parameters = new ChartParameters(0, 1, double.NaN), Rules = SpcRules.We1 });
        chart.Add(2.5, out var before);
        Assert.Equal(SpcRules.None, before.Violations);
        chart.SetLimits(2, 0, -2);
        chart.Add(2.5, out var after);
        Assert.Equal(SpcRules.We1, after.Violations);
        Assert.True(chart.IsFixed);
        Assert.Throws<ArgumentOutOfRangeException>(() => chart.SetLimits(-1, 0, 1));
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_parameter_named()
    {
        var imr = SpcChart.Create(new ChartSpec { Chart = ChartType.Imr });
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => imr.Add(double.NaN, out _)).ParamName);
        var p = SpcChart.Create(new ChartSpec { Chart = ChartType.P });
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => p.Add(6, 5, out _)).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => p.Add(0, 0, out _)).ParamName);
        Assert.Throws<InvalidOperationException>(() => p.Add(1.0, out _));
        Assert.Equal("SubgroupSize", Assert.Throws<ArgumentOutOfRangeException>(() => SpcChart.Create(new ChartSpec { Chart = ChartType.XbarR, SubgroupSize = 26 })).ParamName);
        Assert.Equal("Lambda", Assert.Throws<ArgumentOutOfRangeException>(() => SpcChart.Create(new ChartSpec { Chart = ChartType.Ewma, Lambda = 0 })).ParamName);
    }

    [Fact]
    public void One_sided_specs_give_one_sided_indices()
    {
        var c = Capability.Compute(100, 10, 0.5, 0.6, lsl: 8, usl: null, target: null);
        Approx.Equal(2.0 / 1.5, c.Cpl, 1e-15);
        Approx.Equal(c.Cpl, c.Cpk, 1e-15);
        Assert.True(double.IsNaN(c.Cp));
        Assert.True(double.IsNaN(c.Cpu));
        Approx.Equal(2.0 / 1.8, c.Ppk, 1e-15);
        var half = Capability.Z975 * Math.Sqrt(1 / 900.0 + c.Cpk * c.Cpk / 198);
        Approx.Equal(c.Cpk - half, c.CpkLower95, 1e-15);
    }
}
