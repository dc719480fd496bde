using System.Globalization;

namespace EdgeAgent.Drivers.Serial;

/// <summary>Which instrument language a source speaks.</summary>
public enum ProfileKind : byte
{
    Generic = 0,
    Mitutoyo,
    MtSics,
    Sartorius,
    Regex,
}

/// <summary>
/// Turns one frame (terminator removed) into a reading. <see cref="TryParse"/> returns false for a frame that is not
/// this profile's (garbage, cut off): the source drops and counts it. A frame the device sends to say it has no value
/// (overload, an error reply) parses to a Bad reading with its <see cref="ReadingStatus"/>.
/// </summary>
public abstract class GaugeProfile
{
    public abstract ProfileKind Kind { get; }

    /// <summary>The name as written in YAML (<c>mt-sics</c>).</summary>
    public abstract string Name { get; }

    public abstract bool TryParse(ReadOnlySpan<byte> frame, out GaugeReading reading);

    public static GaugeProfile Create(ProfileKind kind, string? pattern = null) => kind switch
    {
        ProfileKind.Mitutoyo => new MitutoyoProfile(),
        ProfileKind.MtSics => new MtSicsProfile(),
        ProfileKind.Sartorius => new SartoriusProfile(),
        ProfileKind.Regex => new RegexProfile(pattern ?? throw new ArgumentNullException(nameof(pattern))),
        _ => new GenericProfile(),
    };

    /// <summary>The YAML names of the built-in profiles.</summary>
    public static readonly string[] Names = ["mitutoyo", "mt-sics", "sartorius", "generic"];

    public static ProfileKind? KindOf(string name) => name switch
    {
        "mitutoyo" => ProfileKind.Mitutoyo,
        "mt-sics" => ProfileKind.MtSics,
        "sartorius" => ProfileKind.Sartorius,
        "generic" => ProfileKind.Generic,
        _ => null,
    };

    /// <summary>A decimal number in ASCII (sign, digits, one point; leading and trailing spaces allowed).</summary>
    protected static bool TryNumber(ReadOnlySpan<byte> text, out double value)
    {
        text = text.Trim((byte)' ');
        if (text.IsEmpty || text.Length > 32)
        {
            value = double.NaN;
            return false;
        }

        // A sign followed by spaces ("+   12.5", Sartorius right-aligns the digits) is one number.
        var negative = false;
        if (text[0] is (byte)'+' or (byte)'-')
        {
            negative = text[0] == (byte)'-';
            text = text[1..].TrimStart((byte)' ');
        }

        foreach (var b in text)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (byte)'.'))
            {
                value = double.NaN;
                return false;
            }
        }

        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        value = negative ? -value : value;
        return true;
    }
}

/// <summary>
/// Mitutoyo Digimatic through its serial interface (DP-1, U-WAVE, MUX): <c>01A+00012.345</c> — two digits (channel),
/// a letter (the data type), the sign and the value. The unit is not on the wire: it is the source's <c>gaugeUnit</c>.
/// <code>
///  0 1 A + 0 0 0 1 2 . 3 4 5 CR
///  └ch┘ │ │ └──── value ────┘
///       │ └ sign
///       └ data type
/// </code>
/// </summary>
public sealed class MitutoyoProfile : GaugeProfile
{
    public override ProfileKind Kind => ProfileKind.Mitutoyo;

    public override string Name => "mitutoyo";

    public override bool TryParse(ReadOnlySpan<byte> frame, out GaugeReading reading)
    {
        reading = default;
        frame = frame.Trim((byte)' ');
        if (frame.Length < 5 || !IsDigit(frame[0]) || !IsDigit(frame[1]) || !IsUpper(frame[2]) || frame[3] is not ((byte)'+' or (byte)'-'))
        {
            return false;
        }

        if (!TryNumber(frame[3..], out var value))
        {
            return false;
        }

        reading = GaugeReading.Good(value, GaugeUnit.None);
        return true;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool IsUpper(byte b) => b is >= (byte)'A' and <= (byte)'Z';
}

/// <summary>
/// Mettler Toledo MT-SICS (answers to <c>S</c>, <c>SI</c>, <c>SIR</c>; the balance's send-continuous mode speaks the same):
/// <c>S S     12.345 g</c> stable (Good), <c>S D     12.346 g</c> dynamic (Uncertain), and the replies without a value,
/// each Bad with its reason: <c>S I</c> not executable, <c>S +</c> overload, <c>S -</c> underload, <c>ES</c> syntax
/// error, <c>ET</c> transmission error, <c>EL</c> logical error.
/// </summary>
public sealed class MtSicsProfile : GaugeProfile
{
    public override ProfileKind Kind => ProfileKind.MtSics;

    public override string Name => "mt-sics";

    public override bool TryParse(ReadOnlySpan<byte> frame, out GaugeReading reading)
    {
        reading = default;
        frame = frame.Trim((byte)' ');
        if (frame.Length == 2 && frame[0] == (byte)'E')
        {
            var status = frame[1] switch
            {
                (byte)'S' => ReadingStatus.SyntaxError,
                (byte)'T' => ReadingStatus.TransmissionError,
                (byte)'L' => ReadingStatus.LogicalError,
                _ => (ReadingStatus?)null,
            };
            if (status is null)
            {
                return false;
            }

            reading = GaugeReading.Bad(status.Value);
            return true;
        }

        // The command echo: S (also SI/SIR answers start with "S "), then the status letter.
        if (frame.Length < 3 || frame[0] != (byte)'S' || frame[1] != (byte)' ')
        {
            return false;
        }

        var kind = frame[2];
        var rest = frame[3..];
        switch (kind)
        {
            case (byte)'I' or (byte)'+' or (byte)'-' when rest.Trim((byte)' ').IsEmpty:
                reading = GaugeReading.Bad(kind switch
                {
                    (byte)'I' => ReadingStatus.NotExecutable,
                    (byte)'+' => ReadingStatus.Overload,
                    _ => ReadingStatus.Underload,
                });
                return true;
            case (byte)'S' or (byte)'D':
                break;
            default:
                return false;
        }

        if (rest.IsEmpty || rest[0] != (byte)' ')
        {
            return false;
        }

        // "     12.345 g": the value right-aligned, one space, the unit.
        rest = rest.Trim((byte)' ');
        var space = rest.LastIndexOf((byte)' ');
        if (space < 0)
        {
            return false;
        }

        if (!TryNumber(rest[..space], out var value))
        {
            return false;
        }

        var unit = GaugeUnits.Parse(rest[(space + 1)..]);
        reading = kind == (byte)'S' ? GaugeReading.Good(value, unit) : GaugeReading.Uncertain(value, unit, ReadingStatus.Dynamic);
        return true;
    }
}

/// <summary>
/// Sartorius SBI: 16 characters (<c>+  1255.7 g  CR LF</c>: sign, value right-aligned, a space, a unit of up to three
/// characters) or 22 with a 6-character ID in front (<c>N     +  1255.7 g</c>). The balance prints the unit only when
/// the value is stable: without one the reading is Uncertain. Special codes: <c>H</c>/<c>HH</c> overload,
/// <c>L</c>/<c>LL</c> underload, <c>C</c> adjusting, <c>Err ##</c> a device error — each Bad.
/// </summary>
public sealed class SartoriusProfile : GaugeProfile
{
    public override ProfileKind Kind => ProfileKind.Sartorius;

    public override string Name => "sartorius";

    public override bool TryParse(ReadOnlySpan<byte> frame, out GaugeReading reading)
    {
        reading = default;
        // 22-character form: 6 ID characters, then the 16-character form (frames reach us without CR LF: 20 and 14).
        if (frame.Length >= 20)
        {
            frame = frame[6..];
        }

        var text = frame.Trim((byte)' ');
        if (text.IsEmpty)
        {
            return false;
        }

        if (text.StartsWith("Err"u8) || text.StartsWith("ERR"u8))
        {
            reading = GaugeReading.Bad(ReadingStatus.DeviceError);
            return true;
        }

        if (text is [(byte)'H'] or [(byte)'H', (byte)'H'])
        {
            reading = GaugeReading.Bad(ReadingStatus.Overload);
            return true;
        }

        if (text is [(byte)'L'] or [(byte)'L', (byte)'L'])
        {
            reading = GaugeReading.Bad(ReadingStatus.Underload);
            return true;
        }

        if (text is [(byte)'C'])
        {
            reading = GaugeReading.Bad(ReadingStatus.Adjusting);
            return true;
        }

        if (text[0] is not ((byte)'+' or (byte)'-' or (>= (byte)'0' and <= (byte)'9')))
        {
            return false;
        }

        // The number runs from the sign to the first space after a digit; what follows is the unit (if any).
        var end = 1;
        while (end < text.Length && (text[end] == (byte)' ' && !HasDigit(text[..end]) || text[end] is (>= (byte)'0' and <= (byte)'9') or (byte)'.'))
        {
            end++;
        }

        if (!TryNumber(text[..end], out var value))
        {
            return false;
        }

        var unitText = text[end..].Trim((byte)' ');
        if (unitText.IsEmpty)
        {
            reading = GaugeReading.Uncertain(value, GaugeUnit.None, ReadingStatus.Dynamic);
            return true;
        }

        reading = GaugeReading.Good(value, GaugeUnits.Parse(unitText));
        return true;
    }

    private static bool HasDigit(ReadOnlySpan<byte> text) => text.IndexOfAnyInRange((byte)'0', (byte)'9') >= 0;
}

/// <summary>
/// Any gauge that prints a number and maybe a unit (<c>12.345 mm</c>, <c>+0.0125in</c>, <c>W: -3.2 g</c>): the first
/// number in the frame, then the unit right after it (spaces allowed between). No number: not a reading.
/// </summary>
public sealed class GenericProfile : GaugeProfile
{
    public override ProfileKind Kind => ProfileKind.Generic;

    public override string Name => "generic";

    public override bool TryParse(ReadOnlySpan<byte> frame, out GaugeReading reading)
    {
        reading = default;
        var start = frame.IndexOfAnyInRange((byte)'0', (byte)'9');
        if (start < 0)
        {
            return false;
        }

        // Take a point and a sign just before the first digit (".5", "-0.5", "- 0.5").
        if (start > 0 && frame[start - 1] == (byte)'.')
        {
            start--;
        }

        var signAt = start - 1;
        while (signAt >= 0 && frame[signAt] == (byte)' ')
        {
            signAt--;
        }

        if (signAt >= 0 && frame[signAt] is (byte)'+' or (byte)'-')
        {
            start = signAt;
        }

        var end = start + 1;
        while (end < frame.Length && frame[end] is (>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)' ' && !(frame[end] == (byte)' ' && HasDigitAfterSign(frame[start..end])))
        {
            end++;
        }

        if (!TryNumber(frame[start..end], out var value))
        {
            return false;
        }

        var rest = frame[end..].TrimStart((byte)' ');
        var unitEnd = rest.IndexOfAny((byte)' ', (byte)'\t');
        var unitText = unitEnd < 0 ? rest : rest[..unitEnd];
        reading = GaugeReading.Good(value, GaugeUnits.Parse(unitText));
        return true;
    }

    /// <summary>Spaces belong to the number only between a sign and its first digit.</summary>
    private static bool HasDigitAfterSign(ReadOnlySpan<byte> number) => number.IndexOfAnyInRange((byte)'0', (byte)'9') >= 0;
}
