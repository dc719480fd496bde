using System.Globalization;
using EdgeAgent.Spc;

namespace EdgeAgent.Analysis;

/// <summary>
/// Historic data for one chart read from CSV: one row per subgroup, comma separated; blank lines are skipped; the
/// first non-blank line is a header when any of its fields is not a number. Every bad row is one error
/// <c>FILE:LINE: message</c> (LINE counts every line from 1, blank ones included; a bad field is named <c>field N</c>).
/// A header whose first field is <c>timestamp</c>, <c>time</c>, <c>ts</c>, <c>date</c> or <c>datetime</c> makes the first
/// column the time of each row (ISO 8601, UTC unless it gives an offset); the values follow it.
/// </summary>
/// <param name="Rows">The good rows: imr/ewma/cusum one value, xbar-r/xbar-s one subgroup, p/np/u count,size, c count.</param>
/// <param name="Errors">One message per bad row; the rows are unusable when there is any.</param>
internal sealed record CsvSeries(IReadOnlyList<double[]> Rows, IReadOnlyList<string> Errors)
{
    private static readonly string[] TimeColumns = ["timestamp", "time", "ts", "date", "datetime"];

    /// <summary>The time of each good row when the file has a time column, else null.</summary>
    public IReadOnlyList<DateTimeOffset>? Timestamps { get; init; }

    /// <summary>
    /// Reads <paramref name="lines"/> (the text of <paramref name="path"/>) for a <paramref name="type"/> chart;
    /// <paramref name="subgroup"/> is the values per xbar-r/xbar-s row, or null to take the first data row's count.
    /// </summary>
    public static CsvSeries ReadCsv(string path, string[] lines, ChartType type, int? subgroup)
    {
        var rows = new List<double[]>();
        var errors = new List<string>();
        List<DateTimeOffset>? times = null;
        int? width = type switch
        {
            ChartType.P or ChartType.Np or ChartType.U => 2,
            ChartType.XbarR or ChartType.XbarS => subgroup,
            _ => 1,
        };
        var seenFirst = false;
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split(',');
            var skip = times is null ? 0 : 1;
            var (values, bad) = ParseFields(fields, skip);
            var isFirst = !seenFirst;
            seenFirst = true;
            if (bad >= 0 && isFirst)
            {
                // The first line with a field that is not a number is the header; it may name a time column.
                times = TimeColumns.Contains(fields[0].Trim().ToLowerInvariant()) ? [] : null;
                continue;
            }

            DateTimeOffset time = default;
            if (times is not null && !DateTimeOffset.TryParse(fields[0].Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time))
            {
                errors.Add($"{path}:{i + 1}: field 1: '{fields[0].Trim()}' is not a timestamp");
                continue;
            }

            if (bad >= 0)
            {
                errors.Add($"{path}:{i + 1}: field {bad + 1}: '{fields[bad].Trim()}' is not a number");
                continue;
            }

            width ??= values.Length;
            if (type.IsSubgrouped() && width is < 2 or > 25)
            {
                errors.Add($"{path}:{i + 1}: a subgroup needs 2 to 25 values, found {values.Length} (set --subgroup)");
                return new CsvSeries(rows, errors);
            }

            var problem = values.Length != width
                ? $"expected {width} value{(width == 1 ? string.Empty : "s")} ({RowDescription(type)}), found {values.Length}"
                : type.IsAttribute() ? CheckCounts(type, values) : null;
            if (problem is not null)
            {
                errors.Add($"{path}:{i + 1}: {problem}");
                continue;
            }

            rows.Add(values);
            times?.Add(time);
        }

        if (errors.Count == 0 && rows.Count == 0)
        {
            errors.Add($"{path}: no data rows");
        }

        return new CsvSeries(rows, errors) { Timestamps = times };
    }

    /// <summary>The fields after the first <paramref name="skip"/> as numbers, and the index of the first one that is not a finite number (-1 when none).</summary>
    private static (double[] Values, int Bad) ParseFields(string[] fields, int skip)
    {
        var values = new double[Math.Max(0, fields.Length - skip)];
        for (int f = skip; f < fields.Length; f++)
        {
            if (!double.TryParse(fields[f].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[f - skip]) || !double.IsFinite(values[f - skip]))
            {
                return (values, f);
            }
        }

        return (values, -1);
    }

    private static string RowDescription(ChartType type) => type switch
    {
        ChartType.P or ChartType.Np or ChartType.U => "count,size",
        ChartType.C => "one count",
        ChartType.XbarR or ChartType.XbarS => "one subgroup",
        _ => "one value",
    };

    /// <summary>What is wrong with an attribute row (count, or count,size), or null.</summary>
    private static string? CheckCounts(ChartType type, double[] values)
    {
        var count = values[0];
        if (count < 0)
        {
            return $"count must not be negative, found {Format(count)}";
        }

        if (type == ChartType.C)
        {
            return null;
        }

        var size = values[1];
        if (size <= 0)
        {
            return $"sample size must be positive, found {Format(size)}";
        }

        return type is ChartType.P or ChartType.Np && count > size
            ? $"{Format(count)} nonconforming exceeds the sample size {Format(size)}"
            : null;
    }

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
