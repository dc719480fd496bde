using System.Text;
using CsCheck;

namespace EdgeAgent.Drivers.Serial.Tests;

public class ProfileTests
{
    private static (bool Ok, GaugeReading Reading) Parse(GaugeProfile profile, string frame)
    {
        var ok = profile.TryParse(Encoding.Latin1.GetBytes(frame), out var reading);
        return (ok, reading);
    }

    [Theory]
    [InlineData("01A+00012.345", 12.345)]
    [InlineData("01A-00000.125", -0.125)]
    [InlineData("02A+0000.5000", 0.5)]
    public void Mitutoyo_reads_sign_and_value_and_carries_no_unit(string frame, double value)
    {
        var (ok, reading) = Parse(new MitutoyoProfile(), frame);
        Assert.True(ok);
        Assert.Equal(GaugeReading.Good(value, GaugeUnit.None), reading);
    }

    [Theory]
    [InlineData("1A+00012.345")]
    [InlineData("01a+00012.345")]
    [InlineData("01A 00012.345")]
    [InlineData("01A+12.3.4")]
    [InlineData("01A+")]
    [InlineData("")]
    public void Mitutoyo_rejects_frames_that_are_not_its_format(string frame) => Assert.False(Parse(new MitutoyoProfile(), frame).Ok);

    [Theory]
    [InlineData("S S      12.345 g", 12.345, GaugeUnit.Gram, Quality.Good)]
    [InlineData("S D      12.346 g", 12.346, GaugeUnit.Gram, Quality.Uncertain)]
    [InlineData("S S     -0.0021 kg", -0.0021, GaugeUnit.Kilogram, Quality.Good)]
    [InlineData("S S        1.50 lb", 1.5, GaugeUnit.Pound, Quality.Good)]
    public void Mt_sics_stable_is_good_and_dynamic_is_uncertain(string frame, double value, GaugeUnit unit, Quality quality)
    {
        var (ok, reading) = Parse(new MtSicsProfile(), frame);
        Assert.True(ok);
        Assert.Equal((value, unit, quality), (reading.Value, reading.Unit, reading.Quality));
    }

    [Theory]
    [InlineData("S I", ReadingStatus.NotExecutable)]
    [InlineData("S +", ReadingStatus.Overload)]
    [InlineData("S -", ReadingStatus.Underload)]
    [InlineData("ES", ReadingStatus.SyntaxError)]
    [InlineData("ET", ReadingStatus.TransmissionError)]
    [InlineData("EL", ReadingStatus.LogicalError)]
    public void Mt_sics_replies_without_a_value_are_bad_with_their_reason(string frame, ReadingStatus status)
    {
        var (ok, reading) = Parse(new MtSicsProfile(), frame);
        Assert.True(ok);
        Assert.Equal(GaugeReading.Bad(status), reading);
    }

    [Theory]
    [InlineData("S X 1.0 g")]
    [InlineData("S S")]
    [InlineData("S S 12.3")]
    [InlineData("SS 12.3 g")]
    [InlineData("EX")]
    [InlineData("hello")]
    public void Mt_sics_rejects_other_frames(string frame) => Assert.False(Parse(new MtSicsProfile(), frame).Ok);

    [Theory]
    [InlineData("+  1255.7 g  ", 1255.7, GaugeUnit.Gram, Quality.Good)]
    [InlineData("-     0.52 kg ", -0.52, GaugeUnit.Kilogram, Quality.Good)]
    [InlineData("N     +   123.56 g  ", 123.56, GaugeUnit.Gram, Quality.Good)]
    [InlineData("+  1255.7      ", 1255.7, GaugeUnit.None, Quality.Uncertain)]
    public void Sartorius_reads_16_and_22_character_frames_and_a_missing_unit_is_unstable(string frame, double value, GaugeUnit unit, Quality quality)
    {
        var (ok, reading) = Parse(new SartoriusProfile(), frame);
        Assert.True(ok);
        Assert.Equal((value, unit, quality), (reading.Value, reading.Unit, reading.Quality));
    }

    [Theory]
    [InlineData("      H       ", ReadingStatus.Overload)]
    [InlineData("      LL      ", ReadingStatus.Underload)]
    [InlineData("      C       ", ReadingStatus.Adjusting)]
    [InlineData("   Err 54     ", ReadingStatus.DeviceError)]
    public void Sartorius_special_codes_are_bad_with_their_reason(string frame, ReadingStatus status) =>
        Assert.Equal(GaugeReading.Bad(status), Parse(new SartoriusProfile(), frame).Reading);

    [Theory]
    [InlineData("12.345 mm", 12.345, GaugeUnit.Millimetre)]
    [InlineData("+0.0125in", 0.0125, GaugeUnit.Inch)]
    [InlineData("W: - 3.2 g", -3.2, GaugeUnit.Gram)]
    [InlineData("T= 4.20 N·m", 4.2, GaugeUnit.NewtonMetre)]
    [InlineData("35.1 lbf-in OK", 35.1, GaugeUnit.PoundForceInch)]
    [InlineData("12 µm", 12, GaugeUnit.Micrometre)]
    [InlineData(".5", 0.5, GaugeUnit.None)]
    [InlineData("7 ct", 7, GaugeUnit.Unknown)]
    public void Generic_takes_the_first_number_and_the_unit_after_it(string frame, double value, GaugeUnit unit)
    {
        var profile = new GenericProfile();
        var ok = profile.TryParse(Encoding.UTF8.GetBytes(frame), out var reading);
        Assert.True(ok);
        Assert.Equal(value, reading.Value, 9);
        Assert.Equal(unit, reading.Unit);
    }

    [Theory]
    [InlineData("no digits here")]
    [InlineData("")]
    [InlineData("1.2.3 mm")]
    public void Generic_rejects_frames_without_one_clean_number(string frame) => Assert.False(Parse(new GenericProfile(), frame).Ok);

    [Fact]
    public void Regex_profile_uses_the_value_unit_and_status_groups()
    {
        var profile = new RegexProfile(@"^(?<status>ST|US),GS,\s*(?<value>[-+]?[0-9.]+)\s*(?<unit>\S+)$");
        Assert.Equal(GaugeReading.Good(12.5, GaugeUnit.Kilogram), Parse(profile, "ST,GS,  12.5 kg").Reading);
        Assert.Equal(Quality.Uncertain, Parse(profile, "US,GS,  12.6 kg").Reading.Quality);
        Assert.False(Parse(profile, "OL,GS").Ok);
    }

    [Fact]
    public void Regex_profile_with_an_unknown_status_is_bad()
    {
        var profile = new RegexProfile(@"^(?<status>\w+) (?<value>[0-9.]+)$");
        Assert.Equal(Quality.Bad, Parse(profile, "OL 1.0").Reading.Quality);
    }

    [Theory]
    [InlineData("(?<val>1)", "needs a named group 'value'")]
    [InlineData("(?<value>1)(?<weight>2)", "unknown group name 'weight'")]
    [InlineData("(?<value>[", "not a regular expression")]
    public void Regex_patterns_without_a_value_group_or_with_unknown_groups_are_refused(string pattern, string message) =>
        Assert.Contains(message, RegexProfile.Check(pattern));

    public static TheoryData<string> Profiles => new() { "mitutoyo", "mt-sics", "sartorius", "generic", "regex" };

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Random_bytes_into_a_profile_never_crash_or_hang(string name)
    {
        var profile = name == "regex"
            ? GaugeProfile.Create(ProfileKind.Regex, @"^(?<status>[A-Z]+)?\s*(?<value>[-+]?[0-9.]+)\s*(?<unit>\S*)$")
            : GaugeProfile.Create(GaugeProfile.KindOf(name)!.Value);
        var alphabet = Gen.OneOf(Gen.Byte, Gen.Char["S DIE+-.0123456789 gkmLHC"].Select(c => (byte)c));
        alphabet.Array[0, 40].SampleWithDeadline(bytes =>
        {
            if (profile.TryParse(bytes, out var reading) && reading.Quality != Quality.Bad)
            {
                Assert.False(double.IsNaN(reading.Value), $"profile {name}: a reading that is not Bad has no value");
            }
        }, iter: 5000, property: $"profile {name} on random frames");
    }

    [Fact]
    public void Mt_sics_round_trips_any_value_it_prints()
    {
        Gen.Double[-99999, 99999].Select(Gen.OneOfConst("g", "kg", "lb", "oz", "mg")).Sample((value, unit) =>
        {
            var text = $"S S {value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture),12} {unit}";
            return new MtSicsProfile().TryParse(Encoding.ASCII.GetBytes(text), out var reading)
                && Math.Abs(reading.Value - Math.Round(value, 4)) < 1e-9 && reading.Quality == Quality.Good;
        });
    }
}
