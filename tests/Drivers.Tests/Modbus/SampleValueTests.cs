using System.Globalization;
using CsCheck;

namespace EdgeAgent.Drivers.Modbus.Tests;

/// <summary>
/// <see cref="SampleValue.FromSingle"/>, the float32 → sample conversion both the Modbus and the OPC UA driver use
/// (tested here beside its first user: the Abstractions contract has no test project of its own).
/// </summary>
public class SampleValueTests
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Every kind of float: any bit pattern, subnormals, specials, and the two-decimal values registers hold.</summary>
    private static readonly Gen<float> AnyFloat = Gen.OneOf(
        Gen.UInt.Select(BitConverter.UInt32BitsToSingle),
        Gen.UInt[0u, 0x007F_FFFFu].Select(bits => BitConverter.UInt32BitsToSingle(bits) * (bits % 2 == 0 ? 1 : -1)),
        Gen.Float,
        Gen.Float.Special,
        Gen.Int[-10_000_000, 10_000_000].Select(i => i / 100f));

    [Fact]
    public void Narrows_back_to_the_same_float_bit_for_bit()
    {
        AnyFloat.Sample(f =>
        {
            var d = SampleValue.FromSingle(f);
            if (float.IsNaN(f))
            {
                Assert.True(double.IsNaN(d), $"{f} became {d}");
            }
            else
            {
                Assert.True(BitConverter.SingleToUInt32Bits((float)d) == BitConverter.SingleToUInt32Bits(f), $"{f:R} ({BitConverter.SingleToUInt32Bits(f):X8}) became {d:R}");
            }
        }, iter: 200_000);
    }

    [Fact]
    public void Prints_the_shortest_decimal_of_the_float()
    {
        AnyFloat.Sample(f =>
        {
            var single = f.ToString("R", Invariant);
            var wide = SampleValue.FromSingle(f).ToString("R", Invariant);

            // Same decimal; the text may differ in notation only (float prints 1E+10, double 10000000000).
            if (Decimal(single) != Decimal(wide))
            {
                // Only where the decimal's nearest double is halfway between two floats: then the double next to it.
                var nearest = double.Parse(single, Invariant);
                Assert.True((float)nearest != f, $"{BitConverter.SingleToUInt32Bits(f):X8}: float {single}, sample {wide}");
                Assert.Equal(nearest < f ? Math.BitIncrement(nearest) : Math.BitDecrement(nearest), SampleValue.FromSingle(f));
            }
        }, iter: 200_000);
    }

    [Fact]
    public void Register_values_and_the_edges_of_the_float_range_become_their_decimal()
    {
        Assert.Equal(10.3, SampleValue.FromSingle(10.3f));
        Assert.Equal(-273.15, SampleValue.FromSingle(-273.15f));
        Assert.Equal(0.1, SampleValue.FromSingle(0.1f));
        Assert.Equal(3.14159, SampleValue.FromSingle(3.14159f));
        Assert.Equal(1e20, SampleValue.FromSingle(1e20f));
        Assert.Equal(16_777_216.0, SampleValue.FromSingle(16_777_216f));
        Assert.Equal(3.4028235e38, SampleValue.FromSingle(float.MaxValue));
        Assert.Equal(1.1754944e-38, SampleValue.FromSingle(1.17549435e-38f)); // smallest normal
        Assert.Equal(1e-45, SampleValue.FromSingle(float.Epsilon));          // smallest subnormal
        Assert.Equal(-1e-45, SampleValue.FromSingle(-float.Epsilon));
        Assert.Equal(7.038530999999999E-26, SampleValue.FromSingle(BitConverter.UInt32BitsToSingle(0x15AE43FD))); // 7.038531E-26 would narrow to 0x15AE43FE
        Assert.Equal(double.PositiveInfinity, SampleValue.FromSingle(float.PositiveInfinity));
        Assert.Equal(double.NegativeInfinity, SampleValue.FromSingle(float.NegativeInfinity));
        Assert.True(double.IsNaN(SampleValue.FromSingle(float.NaN)));
        Assert.True(double.IsNegative(SampleValue.FromSingle(-0f)), "-0 keeps its sign");
        Assert.True(double.IsPositive(SampleValue.FromSingle(0f)), "0 stays positive");
    }

    [Fact]
    public void Converts_without_allocating()
    {
        var floats = new[] { 10.3f, -273.15f, 1e20f, float.Epsilon, 42f, float.NaN };
        var sum = 0.0;
        foreach (var f in floats)
        {
            sum += SampleValue.FromSingle(f); // JIT and first-call work before measuring
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            sum += SampleValue.FromSingle(floats[i % floats.Length]);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(double.IsNaN(sum));
    }

    /// <summary>A number's text as sign, significant digits and power of ten: "1E+10" and "10000000000" are one decimal.</summary>
    private static (bool Negative, string Digits, int Exponent) Decimal(string text)
    {
        if (text is "NaN" or "Infinity" or "-Infinity")
        {
            return (false, text, 0);
        }

        var negative = text.StartsWith('-');
        var s = negative ? text[1..] : text;
        var exponent = 0;
        var e = s.IndexOf('E', StringComparison.Ordinal);
        if (e >= 0)
        {
            exponent = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, Invariant);
            s = s[..e];
        }

        var point = s.IndexOf('.', StringComparison.Ordinal);
        var fraction = point < 0 ? "" : s[(point + 1)..];
        var digits = (point < 0 ? s : s[..point]) + fraction;
        exponent -= fraction.Length;
        digits = digits.TrimStart('0');
        var trimmed = digits.TrimEnd('0');
        exponent += digits.Length - trimmed.Length;
        return trimmed.Length == 0 ? (negative, "0", 0) : (negative, trimmed, exponent);
    }
}
