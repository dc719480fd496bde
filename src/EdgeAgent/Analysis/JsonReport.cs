using System.Text;
using System.Text.Json;
using EdgeAgent.Spc;

namespace EdgeAgent.Analysis;

/// <summary>
/// The JSON form of an <see cref="AnalysisReport"/> (contract in README.md): NaN is <c>null</c>; a limit that is the same
/// at every point is a number, otherwise an array as long as <c>points</c> (EWMA limits and CUSUM sums always arrays).
/// </summary>
internal static class JsonReport
{
    public static string Write(AnalysisReport report)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            WriteHeader(w, report);
            WritePoints(w, report);
            w.WriteStartObject("limits");
            WritePrimaryLimits(w, report);
            WriteSecondaryLimits(w, report);
            w.WriteEndObject();
            WriteSigmaAndCapability(w, report);
            WriteViolations(w, report);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteHeader(Utf8JsonWriter w, AnalysisReport report)
    {
        w.WriteString("chart", ChartTypes.Name(report.Chart));
        w.WriteNumber("subgroupSize", report.SubgroupSize);
        w.WriteString("limitsFrom", report.LimitsFrom switch { LimitsSource.All => "all", LimitsSource.Phase1 => "phase1", _ => "fixed" });
        if (report.LimitsFrom == LimitsSource.Phase1)
        {
            w.WriteNumber("phase1", report.LimitsSubgroups);
        }
    }

    private static void WritePoints(Utf8JsonWriter w, AnalysisReport report)
    {
        w.WriteStartArray("points");
        foreach (var p in report.Points)
        {
            Number(w, p.Value);
        }

        w.WriteEndArray();
        if (report.Timestamps is { } times)
        {
            w.WriteStartArray("timestamps");
            foreach (var t in times)
            {
                w.WriteStringValue(t);
            }

            w.WriteEndArray();
        }

        if (report.Chart.SecondaryKey() is not null)
        {
            w.WriteStartArray("secondaryPoints");
            foreach (var p in report.Points)
            {
                Number(w, p.Secondary);
            }

            w.WriteEndArray();
        }
    }

    private static void WritePrimaryLimits(Utf8JsonWriter w, AnalysisReport report)
    {
        var points = report.Points;
        w.WriteStartObject(report.Chart.PrimaryKey());
        switch (report.Chart)
        {
            case ChartType.Cusum:
                Property(w, "center", report.Center);
                Property(w, "h", report.H);
                Property(w, "k", report.K);
                Series(w, "cplus", points, p => p.CusumUpper, forceArray: true);
                Series(w, "cminus", points, p => p.CusumLower, forceArray: true);
                break;
            case ChartType.Ewma:
                Property(w, "center", report.Center);
                Series(w, "ucl", points, p => p.Ucl, forceArray: true);
                Series(w, "lcl", points, p => p.Lcl, forceArray: true);
                w.WriteNumber("lambda", report.Lambda);
                w.WriteNumber("L", report.L);
                break;
            default:
                Series(w, "center", points, p => p.Center, forceArray: false);
                Series(w, "ucl", points, p => p.Ucl, forceArray: false);
                Series(w, "lcl", points, p => p.Lcl, forceArray: false);
                break;
        }

        w.WriteEndObject();
    }

    private static void WriteSecondaryLimits(Utf8JsonWriter w, AnalysisReport report)
    {
        if (report.Secondary is { } s)
        {
            w.WriteStartObject(s.Key);
            Property(w, "center", s.Center);
            Property(w, "ucl", s.Ucl);
            Property(w, "lcl", s.Lcl);
            w.WriteEndObject();
        }
    }

    private static void WriteSigmaAndCapability(Utf8JsonWriter w, AnalysisReport report)
    {
        if (report.Sigma is not { } sigma)
        {
            w.WriteNull("sigma");
        }
        else
        {
            w.WriteStartObject("sigma");
            Property(w, "within", sigma.Within);
            Property(w, "overall", sigma.Overall);
            w.WriteEndObject();
        }

        if (report.Capability is not { } c)
        {
            w.WriteNull("capability");
            return;
        }

        w.WriteStartObject("capability");
        foreach (var (name, value) in new[]
        {
            ("cp", c.Cp), ("cpk", c.Cpk), ("pp", c.Pp), ("ppk", c.Ppk), ("cpm", c.Cpm),
            ("cpl", c.Cpl), ("cpu", c.Cpu), ("ppl", c.Ppl), ("ppu", c.Ppu),
            ("cpkLower95", c.CpkLower95), ("cpkUpper95", c.CpkUpper95), ("mean", c.Mean),
        })
        {
            Property(w, name, value);
        }

        w.WriteNumber("n", c.N);
        w.WriteEndObject();
    }

    private static void WriteViolations(Utf8JsonWriter w, AnalysisReport report)
    {
        w.WriteStartArray("violations");
        foreach (var v in report.Violations)
        {
            w.WriteStartObject();
            w.WriteString("chart", v.Chart);
            w.WriteNumber("index", v.Index);
            w.WriteString("rule", v.RuleName);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void Property(Utf8JsonWriter w, string name, double v)
    {
        w.WritePropertyName(name);
        Number(w, v);
    }

    private static void Number(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v))
        {
            w.WriteNumberValue(v);
        }
        else
        {
            w.WriteNullValue();
        }
    }

    /// <summary>A scalar when every point has the same value (and not <paramref name="forceArray"/>), else an array as long as points.</summary>
    private static void Series(Utf8JsonWriter w, string name, SubgroupResult[] points, Func<SubgroupResult, double> get, bool forceArray)
    {
        w.WritePropertyName(name);
        var first = get(points[0]);
        if (!forceArray && points.All(p => get(p).Equals(first)))
        {
            Number(w, first);
            return;
        }

        w.WriteStartArray();
        foreach (var p in points)
        {
            Number(w, get(p));
        }

        w.WriteEndArray();
    }
}
