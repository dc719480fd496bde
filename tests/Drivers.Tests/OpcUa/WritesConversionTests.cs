using CsCheck;
using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.Tests;

/// <summary>
/// The engineering double → the node's data type (<see cref="OpcUaSource.ToVariant"/>): integers rounded half away from
/// zero and range-checked per type, Boolean 0/1 only, Float narrowed within its range, Double as is; no other type.
/// </summary>
public sealed class WritesConversionTests
{
    public static TheoryData<BuiltInType, double, object> Fits() => new()
    {
        { BuiltInType.Boolean, 1, true },
        { BuiltInType.Boolean, 0, false },
        { BuiltInType.SByte, -128, (sbyte)-128 },
        { BuiltInType.SByte, 127.4, (sbyte)127 },
        { BuiltInType.Byte, 255, (byte)255 },
        { BuiltInType.Byte, -0.4, (byte)0 },
        { BuiltInType.Int16, -32768, (short)-32768 },
        { BuiltInType.Int16, -1234.5, (short)-1235 },
        { BuiltInType.UInt16, 65535, (ushort)65535 },
        { BuiltInType.Int32, int.MinValue, int.MinValue },
        { BuiltInType.Int32, 2.5, 3 },
        { BuiltInType.UInt32, uint.MaxValue, uint.MaxValue },
        { BuiltInType.Int64, -9.2233720368547758E+18, long.MinValue },
        { BuiltInType.Int64, 9.2233720368547748E+18, 9223372036854774784L }, // the largest double below 2^63
        { BuiltInType.UInt64, 1.844674407370955E+19, 18446744073709549568UL }, // the largest double below 2^64
        { BuiltInType.Float, 10.3, 10.3f },
        { BuiltInType.Float, -3.4028234663852886E+38, float.MinValue },
        { BuiltInType.Double, 1e300, 1e300 },
        { BuiltInType.Double, -0.0, -0.0 },
    };

    [Theory]
    [MemberData(nameof(Fits))]
    public void A_value_that_fits_becomes_a_Variant_of_the_nodes_type(BuiltInType type, double value, object expected)
    {
        var variant = OpcUaSource.ToVariant(value, type, out var problem);

        Assert.Null(problem);
        Assert.NotNull(variant);
        Assert.Equal(type, variant.Value.Type);
        Assert.Equal(expected, variant.Value.Value);
    }

    public static TheoryData<BuiltInType, double, string> DoesNotFit() => new()
    {
        { BuiltInType.Boolean, 2, "a Boolean takes 0 or 1, found 2" },
        { BuiltInType.Boolean, 0.5, "a Boolean takes 0 or 1, found 0.5" },
        { BuiltInType.SByte, 128, "128 does not fit SByte [-128..127]" },
        { BuiltInType.SByte, -128.5, "-128.5 does not fit SByte [-128..127]" }, // rounds away from zero to -129
        { BuiltInType.Byte, -0.5, "-0.5 does not fit Byte [0..255]" },
        { BuiltInType.Byte, 255.5, "255.5 does not fit Byte [0..255]" },
        { BuiltInType.Int16, 40000, "40000 does not fit Int16 [-32768..32767]" },
        { BuiltInType.UInt16, -1, "-1 does not fit UInt16 [0..65535]" },
        { BuiltInType.UInt16, 65536, "65536 does not fit UInt16" },
        { BuiltInType.Int32, 2147483648, "2147483648 does not fit Int32" },
        { BuiltInType.UInt32, 4294967296, "4294967296 does not fit UInt32" },
        { BuiltInType.Int64, 9.2233720368547758E+18, "does not fit Int64" }, // 2^63 itself
        { BuiltInType.UInt64, 1.8446744073709552E+19, "does not fit UInt64" }, // 2^64 itself
        { BuiltInType.UInt64, -1, "-1 does not fit UInt64" },
        { BuiltInType.Float, 3.5e38, "is outside the range of Float" },
        { BuiltInType.Double, double.NaN, "the value must be a finite number, found NaN" },
        { BuiltInType.Int32, double.PositiveInfinity, "the value must be a finite number" },
        { BuiltInType.String, 1, "String values cannot be written" },
        { BuiltInType.DateTime, 1, "DateTime values cannot be written" },
    };

    [Theory]
    [MemberData(nameof(DoesNotFit))]
    public void A_value_that_does_not_fit_is_refused_with_the_reason(BuiltInType type, double value, string reason)
    {
        var variant = OpcUaSource.ToVariant(value, type, out var problem);

        Assert.Null(variant);
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void Any_double_for_any_numeric_type_is_either_refused_or_within_half_a_unit_of_the_value()
    {
        var types = new[]
        {
            BuiltInType.Boolean, BuiltInType.SByte, BuiltInType.Byte, BuiltInType.Int16, BuiltInType.UInt16, BuiltInType.Int32,
            BuiltInType.UInt32, BuiltInType.Int64, BuiltInType.UInt64, BuiltInType.Float, BuiltInType.Double,
        };
        var values = Gen.OneOf(Gen.Double, Gen.Double[-70_000, 70_000], Gen.Int.Select(i => (double)i), Gen.Long.Select(l => (double)l));
        Gen.Select(Gen.OneOfConst(types), values).SampleWithDeadline(t =>
        {
            var (type, value) = t;
            var variant = OpcUaSource.ToVariant(value, type, out var problem);
            Assert.True(variant is null != (problem is null), $"{type} {value}: a variant or a reason, not both");
            if (variant is { } v)
            {
                Assert.Equal(type, v.Type);
                var written = type == BuiltInType.Float ? (double)(float)v.Value! : Convert.ToDouble(v.Value, System.Globalization.CultureInfo.InvariantCulture);
                var tolerance = type == BuiltInType.Float ? Math.Max(Math.Abs(value) * 1e-7, 1e-45) : 0.5;
                Assert.True(Math.Abs(written - value) <= tolerance, $"{type}: {value} became {written}");
            }
        });
    }
}
