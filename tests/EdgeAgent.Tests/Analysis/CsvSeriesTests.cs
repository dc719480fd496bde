using EdgeAgent.Analysis;
using EdgeAgent.Spc;

namespace EdgeAgent.Tests.Analysis;

/// <summary>The CSV reader of <c>spc analyze</c> on bad input: every error names the file, the line and the field.</summary>
public sealed class CsvSeriesTests
{
    private static CsvSeries Read(string text, ChartType chart = ChartType.XbarR, int? subgroup = 3) =>
        CsvSeries.ReadCsv("f.csv", text.Split('\n'), chart, subgroup);

    [Theory]
    [InlineData("1,2,3\nx,2,3\n", "f.csv:2: field 1: 'x' is not a number")]
    [InlineData("1,2,3\n1,2,x\n", "f.csv:2: field 3: 'x' is not a number")]
    [InlineData("1,2,3\n1,,3\n", "f.csv:2: field 2: '' is not a number")]
    [InlineData("1,2,3\n1, abc ,3\n", "f.csv:2: field 2: 'abc' is not a number")]
    [InlineData("1,2,3\n1,2,3,\n", "f.csv:2: field 4: '' is not a number")]
    public void A_field_that_is_not_a_number_is_named_by_line_and_position(string text, string error)
    {
        var csv = Read(text);
        Assert.Equal([error], csv.Errors);
    }

    [Theory]
    [InlineData("inf")]
    [InlineData("-Infinity")]
    [InlineData("NaN")]
    [InlineData("1e999")]
    public void Non_finite_numbers_are_rejected_with_line_and_field(string field)
    {
        var csv = Read($"1,2,3\n4,5,{field}\n");
        Assert.Equal([$"f.csv:2: field 3: '{field}' is not a number"], csv.Errors);
    }

    [Fact]
    public void A_time_column_named_in_the_header_gives_each_row_its_time_and_a_bad_time_is_named()
    {
        var csv = Read("timestamp,a,b,c\n2026-03-01T06:00:00Z,1,2,3\n2026-03-01 07:00,4,5,6\n", ChartType.XbarR, null);
        Assert.Empty(csv.Errors);
        Assert.Equal([[1.0, 2, 3], [4.0, 5, 6]], csv.Rows);
        Assert.Equal([new DateTimeOffset(2026, 3, 1, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 1, 7, 0, 0, TimeSpan.Zero)], csv.Timestamps);

        var bad = Read("time,value\n2026-03-01T06:00:00Z,1\nyesterday,2\n2026-03-01T08:00:00Z,x\n", ChartType.Imr, null);
        Assert.Equal(["f.csv:3: field 1: 'yesterday' is not a timestamp", "f.csv:4: field 2: 'x' is not a number"], bad.Errors);
        Assert.Null(Read("value\n1\n2\n", ChartType.Imr, null).Timestamps);
    }

    [Fact]
    public void Line_numbers_count_blank_lines_and_the_header()
    {
        var csv = Read("a,b,c\n\n1,2,3\n\n   \n1,2,oops\n", ChartType.XbarR, null);
        Assert.Equal(["f.csv:6: field 3: 'oops' is not a number"], csv.Errors);
    }

    [Fact]
    public void Only_the_first_non_blank_line_may_be_a_header()
    {
        var csv = Read("\nvalue\nweight\n1\n2\n", ChartType.Imr, null);
        Assert.Equal(["f.csv:3: field 1: 'weight' is not a number"], csv.Errors);
    }

    [Fact]
    public void Every_bad_row_is_reported_in_file_order()
    {
        var csv = Read("1,2,3\n1,x,3\n4,5,6\ny,2,3\n7,8,z\n");
        Assert.Equal(
            ["f.csv:2: field 2: 'x' is not a number", "f.csv:4: field 1: 'y' is not a number", "f.csv:5: field 3: 'z' is not a number"],
            csv.Errors);
        Assert.Equal(2, csv.Rows.Count);
    }

    [Fact]
    public void Only_the_first_bad_field_of_a_row_is_named()
    {
        var csv = Read("1,2,3\n1,a,b\n");
        Assert.Equal(["f.csv:2: field 2: 'a' is not a number"], csv.Errors);
    }

    [Theory]
    [InlineData(ChartType.P, "1,5\n1,x\n", "f.csv:2: field 2: 'x' is not a number")]
    [InlineData(ChartType.C, "3\n-\n", "f.csv:2: field 1: '-' is not a number")]
    [InlineData(ChartType.Cusum, "3\n4\n5\n1.2.3\n", "f.csv:4: field 1: '1.2.3' is not a number")]
    public void Attribute_and_individual_rows_name_line_and_field_too(ChartType chart, string text, string error)
    {
        var csv = Read(text, chart, null);
        Assert.Equal([error], csv.Errors);
    }

    [Fact]
    public void Good_rows_are_read_as_numbers_after_the_header()
    {
        var csv = Read("x1,x2,x3\n1, 2 ,3e0\n\n-4.5,5,6\n", ChartType.XbarS, null);
        Assert.Empty(csv.Errors);
        Assert.Equal([[1.0, 2.0, 3.0], [-4.5, 5.0, 6.0]], csv.Rows);
    }
}
