using System.Text;

namespace EdgeAgent.Drivers.Serial;

/// <summary>What a gauge measures; a reading converts only within one dimension.</summary>
public enum Dimension : byte
{
    None = 0,
    Length,
    Mass,
    Torque,
}

/// <summary>The units a gauge may send and a tag may ask for. <see cref="None"/>: the frame carried no unit.</summary>
public enum GaugeUnit : byte
{
    None = 0,
    Unknown,
    Millimetre,
    Inch,
    Micrometre,
    Gram,
    Milligram,
    Kilogram,
    Pound,
    Ounce,
    NewtonMetre,
    PoundForceInch,
}

/// <summary>
/// Unit names (as gauges print them and as a tag's <c>unit:</c> gives them) and conversion between units of one
/// dimension. Parsing works on the frame's bytes, so a reading allocates nothing.
/// </summary>
public static class GaugeUnits
{
    // Factor to the dimension's base unit (mm, g, N·m). lb and lbf·in from the exact pound (0.45359237 kg) and
    // standard gravity (9.80665 m/s²): 1 lbf·in = 0.45359237 × 9.80665 × 0.0254 N·m.
    private static readonly double[] Factor = [double.NaN, double.NaN, 1, 25.4, 0.001, 1, 0.001, 1000, 453.59237, 28.349523125, 1, 0.45359237 * 9.80665 * 0.0254];

    private static readonly Dimension[] DimensionOf =
        [Dimension.None, Dimension.None, Dimension.Length, Dimension.Length, Dimension.Length, Dimension.Mass, Dimension.Mass, Dimension.Mass, Dimension.Mass, Dimension.Mass, Dimension.Torque, Dimension.Torque];

    private static readonly string[] Names = ["", "?", "mm", "in", "µm", "g", "mg", "kg", "lb", "oz", "N·m", "lbf·in"];

    /// <summary>The spellings accepted for each unit (compared ignoring ASCII case, except g/G stays lenient too).</summary>
    private static readonly (byte[] Text, GaugeUnit Unit)[] Spellings =
    [
        (B("mm"), GaugeUnit.Millimetre),
        (B("in"), GaugeUnit.Inch), (B("inch"), GaugeUnit.Inch), (B("\""), GaugeUnit.Inch),
        (B("µm"), GaugeUnit.Micrometre), ([0xB5, (byte)'m'], GaugeUnit.Micrometre), (B("um"), GaugeUnit.Micrometre),
        (B("g"), GaugeUnit.Gram), (B("mg"), GaugeUnit.Milligram), (B("kg"), GaugeUnit.Kilogram),
        (B("lb"), GaugeUnit.Pound), (B("lbs"), GaugeUnit.Pound), (B("oz"), GaugeUnit.Ounce),
        (B("N·m"), GaugeUnit.NewtonMetre), ([(byte)'N', 0xB7, (byte)'m'], GaugeUnit.NewtonMetre), (B("Nm"), GaugeUnit.NewtonMetre),
        (B("N.m"), GaugeUnit.NewtonMetre), (B("N-m"), GaugeUnit.NewtonMetre), (B("N*m"), GaugeUnit.NewtonMetre),
        (B("lbf·in"), GaugeUnit.PoundForceInch), ([.. "lbf"u8, 0xB7, .. "in"u8], GaugeUnit.PoundForceInch), (B("lbf.in"), GaugeUnit.PoundForceInch),
        (B("lbf-in"), GaugeUnit.PoundForceInch), (B("lbfin"), GaugeUnit.PoundForceInch), (B("in-lb"), GaugeUnit.PoundForceInch),
        (B("lb-in"), GaugeUnit.PoundForceInch), (B("in.lb"), GaugeUnit.PoundForceInch), (B("inlb"), GaugeUnit.PoundForceInch),
    ];

    /// <summary>The unit's canonical name (mm, in, µm, g, mg, kg, lb, oz, N·m, lbf·in).</summary>
    public static string Name(GaugeUnit unit) => Names[(int)unit];

    public static Dimension Of(GaugeUnit unit) => DimensionOf[(int)unit];

    /// <summary>Every canonical name, for error messages and docs.</summary>
    public static string Known => "mm, in, µm; g, mg, kg, lb, oz; N·m, lbf·in";

    /// <summary>The unit of <paramref name="text"/> (bytes from the wire, UTF-8 or Latin-1 µ/·); <see cref="GaugeUnit.Unknown"/> when not known, <see cref="GaugeUnit.None"/> when empty.</summary>
    public static GaugeUnit Parse(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
        {
            return GaugeUnit.None;
        }

        foreach (var (spelling, unit) in Spellings)
        {
            if (text.Length == spelling.Length && Ascii.EqualsIgnoreCase(text, spelling))
            {
                return unit;
            }
        }

        // Ascii.EqualsIgnoreCase refuses non-ASCII bytes (µ, ·): compare those exactly.
        foreach (var (spelling, unit) in Spellings)
        {
            if (text.SequenceEqual(spelling))
            {
                return unit;
            }
        }

        return GaugeUnit.Unknown;
    }

    /// <summary>The unit a tag's <c>unit:</c> names; <see cref="GaugeUnit.Unknown"/> when this driver cannot convert to it.</summary>
    public static GaugeUnit Parse(string text) => Parse(Encoding.UTF8.GetBytes(text.Trim()));

    /// <summary><paramref name="value"/> in <paramref name="from"/> expressed in <paramref name="to"/>; false when the dimensions differ.</summary>
    public static bool TryConvert(double value, GaugeUnit from, GaugeUnit to, out double converted)
    {
        if (from == to)
        {
            converted = value;
            return true;
        }

        var dimension = Of(from);
        if (dimension == Dimension.None || dimension != Of(to))
        {
            converted = double.NaN;
            return false;
        }

        converted = value * Factor[(int)from] / Factor[(int)to];
        return true;
    }

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);
}
