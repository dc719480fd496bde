using System.Text;

namespace EdgeAgent.Drivers.Serial.Tests;

public class UnitTests
{
    [Theory]
    [InlineData(GaugeUnit.Inch, GaugeUnit.Millimetre, 1, 25.4)]
    [InlineData(GaugeUnit.Millimetre, GaugeUnit.Micrometre, 0.012, 12)]
    [InlineData(GaugeUnit.Kilogram, GaugeUnit.Gram, 1.5, 1500)]
    [InlineData(GaugeUnit.Pound, GaugeUnit.Gram, 1, 453.59237)]
    [InlineData(GaugeUnit.Ounce, GaugeUnit.Gram, 16, 453.59237)]
    [InlineData(GaugeUnit.PoundForceInch, GaugeUnit.NewtonMetre, 1, 0.1129848290276167)]
    [InlineData(GaugeUnit.NewtonMetre, GaugeUnit.PoundForceInch, 0.1129848290276167, 1)]
    public void Converts_within_a_dimension(GaugeUnit from, GaugeUnit to, double value, double expected)
    {
        Assert.True(GaugeUnits.TryConvert(value, from, to, out var converted));
        Assert.Equal(expected, converted, 9);
    }

    [Theory]
    [InlineData(GaugeUnit.Gram, GaugeUnit.Millimetre)]
    [InlineData(GaugeUnit.NewtonMetre, GaugeUnit.Kilogram)]
    [InlineData(GaugeUnit.Unknown, GaugeUnit.Gram)]
    public void Refuses_to_convert_across_dimensions(GaugeUnit from, GaugeUnit to) => Assert.False(GaugeUnits.TryConvert(1, from, to, out _));

    [Theory]
    [InlineData("mm", GaugeUnit.Millimetre)]
    [InlineData("MM", GaugeUnit.Millimetre)]
    [InlineData("µm", GaugeUnit.Micrometre)]
    [InlineData("um", GaugeUnit.Micrometre)]
    [InlineData("N·m", GaugeUnit.NewtonMetre)]
    [InlineData("Nm", GaugeUnit.NewtonMetre)]
    [InlineData("lbf·in", GaugeUnit.PoundForceInch)]
    [InlineData("in-lb", GaugeUnit.PoundForceInch)]
    [InlineData("ct", GaugeUnit.Unknown)]
    [InlineData("", GaugeUnit.None)]
    public void Parses_the_spellings_gauges_print(string text, GaugeUnit unit) => Assert.Equal(unit, GaugeUnits.Parse(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Parses_latin1_micro_sign_as_sent_by_older_gauges() => Assert.Equal(GaugeUnit.Micrometre, GaugeUnits.Parse([0xB5, (byte)'m']));

    [Fact]
    public void A_reading_in_an_unknown_unit_or_the_wrong_dimension_is_bad_with_the_reason()
    {
        var decoder = new GaugeDecoder(new SerialSourceOptions { Line = new SerialPortOptions { Port = "x" } }, [new TagBinding(0, "w", new SerialTagOptions(Unit: GaugeUnit.Gram))]);
        Assert.Equal(ReadingStatus.UnknownUnit, decoder.Convert(GaugeReading.Good(1, GaugeUnit.Unknown), GaugeUnit.Gram, out _));
        Assert.Equal(ReadingStatus.UnitMismatch, decoder.Convert(GaugeReading.Good(1, GaugeUnit.Millimetre), GaugeUnit.Gram, out _));
        Assert.Equal(ReadingStatus.NoUnit, decoder.Convert(GaugeReading.Good(1, GaugeUnit.None), GaugeUnit.Gram, out _));
        Assert.Equal(ReadingStatus.Stable, decoder.Convert(GaugeReading.Good(1, GaugeUnit.Kilogram), GaugeUnit.Gram, out var grams));
        Assert.Equal(1000, grams);
    }
}
