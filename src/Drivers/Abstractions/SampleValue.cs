using System.Globalization;

namespace EdgeAgent.Drivers;

/// <summary>Conversions of device values into the double a <see cref="Sample"/> carries.</summary>
public static class SampleValue
{
    /// <summary>
    /// A float32 (Modbus register pair, OPC UA Float) as the double nearest the float's shortest round-trip decimal:
    /// 10.3f becomes 10.3, not the widened 10.300000190734863 that every consumer (SPC, read, MQTT, reports) would
    /// otherwise print. The result narrows back to the same float bit for bit, so nothing the device sent is lost.
    /// NaN, ±Infinity and -0 pass through as widened; integers up to 2^24 are exact in both and widen directly.
    /// For the one float (and its negative) whose decimal's nearest double sits halfway between two floats the result
    /// is the adjacent double toward the float: bit-for-bit wins over the shorter text.
    /// Allocation-free and bounded: the shortest decimal of a float has at most 9 digits (15 characters with sign,
    /// point and exponent), formatted into the stack and parsed from there.
    /// </summary>
    public static double FromSingle(float value)
    {
        double wide = value;
        if (!float.IsFinite(value) || (Math.Abs(wide) <= 16_777_216 && wide == Math.Floor(wide)))
        {
            return wide;
        }

        Span<char> text = stackalloc char[32];
        if (!value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture))
        {
            return wide;
        }

        var shortest = double.Parse(text[..length], NumberStyles.Float, CultureInfo.InvariantCulture);
        if ((float)shortest == value)
        {
            return shortest;
        }

        // Decimal → double → float rounds twice. For two of all 2^32 floats (±0x15AE43FD, ±7.038531E-26: checked
        // exhaustively) the double nearest the decimal lies exactly halfway between two floats and narrows to the
        // even neighbour. The double one step toward the float keeps the value bit for bit and prints as
        // 7.038530999999999E-26; the widening stays the last resort should a runtime format or parse differently.
        var nudged = shortest < wide ? Math.BitIncrement(shortest) : Math.BitDecrement(shortest);
        return (float)nudged == value ? nudged : wide;
    }
}
