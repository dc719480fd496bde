using CsCheck;
using EdgeAgent.Drivers.Modbus;

namespace EdgeAgent.Drivers.Modbus.Tests;

public class AddressAndValueTests
{
    [Theory]
    [InlineData("hr:100", ModbusTable.HoldingRegister, 100, -1)]
    [InlineData("ir:0", ModbusTable.InputRegister, 0, -1)]
    [InlineData("coil:65535", ModbusTable.Coil, 65535, -1)]
    [InlineData("di:7", ModbusTable.DiscreteInput, 7, -1)]
    [InlineData("hr:12.15", ModbusTable.HoldingRegister, 12, 15)]
    [InlineData("HR:3", ModbusTable.HoldingRegister, 3, -1)]
    [InlineData("40101", ModbusTable.HoldingRegister, 100, -1)]
    [InlineData("40001", ModbusTable.HoldingRegister, 0, -1)]
    [InlineData("30001", ModbusTable.InputRegister, 0, -1)]
    [InlineData("00001", ModbusTable.Coil, 0, -1)]
    [InlineData("10001", ModbusTable.DiscreteInput, 0, -1)]
    [InlineData("465536", ModbusTable.HoldingRegister, 65535, -1)]
    [InlineData("40001.4", ModbusTable.HoldingRegister, 0, 4)]
    public void Parses_every_address_form(string text, ModbusTable table, int offset, int bit)
    {
        Assert.Equal(new ModbusAddress(table, (ushort)offset, (sbyte)bit), ModbusAddress.Parse(text));
    }

    [Theory]
    [InlineData("xr:1", "unknown table 'xr'")]
    [InlineData("hr:65536", "0..65535")]
    [InlineData("hr:1.16", "bit must be 0..15")]
    [InlineData("coil:1.2", "applies to registers")]
    [InlineData("20001", "starts with 0")]
    [InlineData("40000", "outside")]
    [InlineData("4001", "Modicon")]
    [InlineData("hr:-1", "0..65535")]
    public void Rejects_bad_addresses_saying_what_is_expected(string text, string fragment)
    {
        Assert.False(ModbusAddress.TryParse(text, out _, out var error));
        Assert.Contains(fragment, error);
    }

    [Fact]
    public void Arbitrary_address_text_is_parsed_or_rejected_with_a_message_never_thrown()
    {
        Gen.String[Gen.Char["hrcoildi:.0123456789x -"], 0, 12].SampleWithDeadline(text =>
        {
            if (ModbusAddress.TryParse(text, out var address, out var error))
            {
                Assert.Equal(address, ModbusAddress.Parse(address.ToString()));
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Address_text_round_trips()
    {
        Gen.Select(Gen.Enum<ModbusTable>(), Gen.UShort, Gen.Int[-1, 15]).Sample((t, o, b) =>
        {
            var bit = ModbusLimits.IsBitTable(t) ? -1 : b;
            var a = new ModbusAddress(t, o, (sbyte)bit);
            Assert.Equal(a, ModbusAddress.Parse(a.ToString()));
        });
    }

    // 0x12345678 as float bits etc.: one register image per order, written by hand from the definition.
    [Theory]
    [InlineData(WordOrder.ABCD, new byte[] { 0x12, 0x34, 0x56, 0x78 })]
    [InlineData(WordOrder.CDAB, new byte[] { 0x56, 0x78, 0x12, 0x34 })]
    [InlineData(WordOrder.BADC, new byte[] { 0x34, 0x12, 0x78, 0x56 })]
    [InlineData(WordOrder.DCBA, new byte[] { 0x78, 0x56, 0x34, 0x12 })]
    public void Decodes_32_bit_values_in_every_order(WordOrder order, byte[] wire)
    {
        Assert.Equal(0x12345678, ModbusValueCodec.Decode(wire, ModbusDataType.UInt32, order));
        Assert.Equal(0x12345678, ModbusValueCodec.Decode(wire, ModbusDataType.Int32, order));
        // The float's shortest decimal (5.6904566E-28), not its widening 5.690456613903458E-28.
        Assert.Equal(5.6904566E-28, ModbusValueCodec.Decode(wire, ModbusDataType.Float32, order));
    }

    [Theory]
    [InlineData(WordOrder.ABCD, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })]
    [InlineData(WordOrder.CDAB, new byte[] { 7, 8, 5, 6, 3, 4, 1, 2 })]
    [InlineData(WordOrder.BADC, new byte[] { 2, 1, 4, 3, 6, 5, 8, 7 })]
    [InlineData(WordOrder.DCBA, new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 })]
    public void Decodes_64_bit_values_in_every_order(WordOrder order, byte[] wire)
    {
        const long expected = 0x0102030405060708;
        Assert.Equal((double)expected, ModbusValueCodec.Decode(wire, ModbusDataType.Int64, order));
        Assert.Equal((double)(ulong)expected, ModbusValueCodec.Decode(wire, ModbusDataType.UInt64, order));
        Assert.Equal(BitConverter.Int64BitsToDouble(expected), ModbusValueCodec.Decode(wire, ModbusDataType.Float64, order));
    }

    [Fact]
    public void Decodes_16_bit_values_signed_scaled_and_byte_swapped()
    {
        Assert.Equal(-2, ModbusValueCodec.Decode(new byte[] { 0xFF, 0xFE }, ModbusDataType.Int16, WordOrder.ABCD));
        Assert.Equal(65534, ModbusValueCodec.Decode(new byte[] { 0xFF, 0xFE }, ModbusDataType.UInt16, WordOrder.ABCD));
        Assert.Equal(0x3412, ModbusValueCodec.Decode(new byte[] { 0x12, 0x34 }, ModbusDataType.UInt16, WordOrder.BADC));
        Assert.Equal(25.5, ModbusValueCodec.Decode(new byte[] { 0x00, 0xFF }, ModbusDataType.UInt16, WordOrder.ABCD, scale: 0.1, offset: 0));
        Assert.Equal(-40 + 10, ModbusValueCodec.Decode(new byte[] { 0x00, 0x0A }, ModbusDataType.Int16, WordOrder.ABCD, scale: 1, offset: -40));
    }

    [Fact]
    public void Decodes_a_bit_of_a_register_and_packed_bits()
    {
        Assert.Equal(1, ModbusValueCodec.Decode(new byte[] { 0x80, 0x01 }, ModbusDataType.Bool, WordOrder.ABCD, bit: 15));
        Assert.Equal(1, ModbusValueCodec.Decode(new byte[] { 0x80, 0x01 }, ModbusDataType.Bool, WordOrder.ABCD, bit: 0));
        Assert.Equal(0, ModbusValueCodec.Decode(new byte[] { 0x80, 0x01 }, ModbusDataType.Bool, WordOrder.ABCD, bit: 1));
        ReadOnlySpan<byte> packed = [0b0000_0101, 0b1000_0000];
        Assert.True(ModbusValueCodec.Bit(packed, 0));
        Assert.False(ModbusValueCodec.Bit(packed, 1));
        Assert.True(ModbusValueCodec.Bit(packed, 2));
        Assert.True(ModbusValueCodec.Bit(packed, 15));
    }

    [Fact]
    public void Decodes_ascii_strings_trimming_nuls_in_both_byte_orders()
    {
        var wire = new byte[] { (byte)'A', (byte)'B', (byte)'C', 0, 0, 0 };
        Assert.Equal("ABC", ModbusValueCodec.DecodeString(wire, 3, WordOrder.ABCD));
        var swapped = new byte[] { (byte)'B', (byte)'A', 0, (byte)'C', 0, 0 };
        Assert.Equal("ABC", ModbusValueCodec.DecodeString(swapped, 3, WordOrder.BADC));
    }

    [Fact]
    public void Encode_then_decode_is_identity_for_every_type_and_order()
    {
        var types = new[] { ModbusDataType.Int16, ModbusDataType.UInt16, ModbusDataType.Int32, ModbusDataType.UInt32, ModbusDataType.Int64, ModbusDataType.UInt64, ModbusDataType.Float32, ModbusDataType.Float64 };
        Gen.Select(Gen.OneOfConst(types), Gen.Enum<WordOrder>(), Gen.Long, Gen.Double).Sample((type, order, l, d) =>
        {
            double value = type switch
            {
                ModbusDataType.Int16 => (short)l,
                ModbusDataType.UInt16 => (ushort)l,
                ModbusDataType.Int32 => (int)l,
                ModbusDataType.UInt32 => (uint)l,
                ModbusDataType.Int64 => (long)(double)(l >> 11 << 11) is var x && x == (l >> 11 << 11) ? x : 0,
                ModbusDataType.UInt64 => (ulong)(l & 0x7FFF_FFFF_FFFF_F800),
                ModbusDataType.Float32 => SampleValue.FromSingle(float.IsFinite((float)d) ? (float)d : 1.5f),
                _ => double.IsFinite(d) ? d : 2.5,
            };
            Span<byte> regs = stackalloc byte[8];
            var n = ModbusValueCodec.Encode(value, type, order, regs);
            Assert.Equal(ModbusTagOptions.RegistersOf(type, 0) * 2, n);
            Assert.Equal(value, ModbusValueCodec.Decode(regs, type, order));
        });
    }

    [Fact]
    public void Tag_validation_names_the_problem()
    {
        Assert.Contains("type must be bool", new ModbusTagOptions { Address = ModbusAddress.Parse("coil:1"), Type = ModbusDataType.Float32 }.Validate());
        Assert.Contains("needs length", new ModbusTagOptions { Address = ModbusAddress.Parse("hr:1"), Type = ModbusDataType.String }.Validate());
        Assert.Contains("passes the last address", new ModbusTagOptions { Address = ModbusAddress.Parse("hr:65535"), Type = ModbusDataType.Float32 }.Validate());
        Assert.Null(new ModbusTagOptions { Address = ModbusAddress.Parse("hr:1.3"), Type = ModbusDataType.Bool }.Validate());
    }
}
