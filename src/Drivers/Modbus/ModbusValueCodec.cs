using System.Buffers.Binary;
using System.Text;

namespace EdgeAgent.Drivers.Modbus;

/// <summary>
/// Typed decode and encode of register values. Allocation-free for every numeric type: the registers are read as
/// wire bytes straight from the response PDU, words assembled in the configured order into a 64-bit integer.
/// </summary>
public static class ModbusValueCodec
{
    /// <summary>
    /// Decodes a numeric tag from its registers (<paramref name="registers"/> starts at the tag's first register, as
    /// wire bytes), applying scale and offset. Bits of registers yield 0 or 1. A float32 yields the double of its
    /// shortest decimal (10.3, not 10.300000190734863; see <see cref="SampleValue.FromSingle"/>).
    /// </summary>
    public static double Decode(ReadOnlySpan<byte> registers, ModbusDataType type, WordOrder order, double scale = 1.0, double offset = 0.0, int bit = -1)
    {
        double raw;
        if (bit >= 0)
        {
            raw = (BinaryPrimitives.ReadUInt16BigEndian(registers) >> bit) & 1;
            return raw;
        }

        switch (type)
        {
            case ModbusDataType.Int16: raw = (short)Assemble(registers, 1, order); break;
            case ModbusDataType.UInt16: raw = (ushort)Assemble(registers, 1, order); break;
            case ModbusDataType.Int32: raw = (int)Assemble(registers, 2, order); break;
            case ModbusDataType.UInt32: raw = (uint)Assemble(registers, 2, order); break;
            case ModbusDataType.Int64: raw = (long)Assemble(registers, 4, order); break;
            case ModbusDataType.UInt64: raw = Assemble(registers, 4, order); break;
            case ModbusDataType.Float32: raw = SampleValue.FromSingle(BitConverter.UInt32BitsToSingle((uint)Assemble(registers, 2, order))); break;
            case ModbusDataType.Float64: raw = BitConverter.UInt64BitsToDouble(Assemble(registers, 4, order)); break;
            case ModbusDataType.Bool: raw = Assemble(registers, 1, order) != 0 ? 1 : 0; return raw;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "not a numeric type");
        }

        // Exact passthrough when unscaled keeps 64-bit integers as precise as a double allows.
        return scale == 1.0 && offset == 0.0 ? raw : (raw * scale) + offset;
    }

    /// <summary>Decodes a tag whose registers start at <paramref name="registers"/>.</summary>
    public static double Decode(ReadOnlySpan<byte> registers, ModbusTagOptions tag) =>
        Decode(registers, tag.Type, tag.Order, tag.Scale, tag.Offset, tag.Address.Bit);

    /// <summary>Bit <paramref name="index"/> of packed FC 1/2 data (LSB of the first byte is the first bit).</summary>
    public static bool Bit(ReadOnlySpan<byte> bits, int index) => ((bits[index >> 3] >> (index & 7)) & 1) != 0;

    /// <summary>
    /// ASCII string of <paramref name="registerCount"/> registers, two characters each (high byte first unless the
    /// order swaps bytes: BADC, DCBA), NULs trimmed from both ends.
    /// </summary>
    public static string DecodeString(ReadOnlySpan<byte> registers, int registerCount, WordOrder order)
    {
        Span<byte> bytes = stackalloc byte[ModbusLimits.MaxReadRegisters * 2];
        var n = registerCount * 2;
        var swap = order is WordOrder.BADC or WordOrder.DCBA;
        for (var i = 0; i < n; i += 2)
        {
            bytes[i] = swap ? registers[i + 1] : registers[i];
            bytes[i + 1] = swap ? registers[i] : registers[i + 1];
        }

        var text = bytes[..n].Trim((byte)0);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 0x7F)
            {
                text[i] = (byte)'?';
            }
        }

        return Encoding.ASCII.GetString(text);
    }

    /// <summary>
    /// Encodes <paramref name="value"/> (an engineering value: scale and offset are undone) into the tag's registers;
    /// returns the bytes written. Integers are rounded and must fit the type.
    /// </summary>
    public static int Encode(double value, ModbusDataType type, WordOrder order, Span<byte> destination, double scale = 1.0, double offset = 0.0)
    {
        var raw = scale == 1.0 && offset == 0.0 ? value : (value - offset) / scale;
        ulong bits;
        int words;
        switch (type)
        {
            case ModbusDataType.Int16: bits = (ushort)(short)Checked(raw, short.MinValue, short.MaxValue); words = 1; break;
            case ModbusDataType.UInt16 or ModbusDataType.Bool: bits = (ushort)Checked(raw, 0, ushort.MaxValue); words = 1; break;
            case ModbusDataType.Int32: bits = (uint)(int)Checked(raw, int.MinValue, int.MaxValue); words = 2; break;
            case ModbusDataType.UInt32: bits = (uint)Checked(raw, 0, uint.MaxValue); words = 2; break;
            case ModbusDataType.Int64: bits = (ulong)(long)Checked(raw, long.MinValue, 9.2233720368547748E+18); words = 4; break;
            case ModbusDataType.UInt64: bits = (ulong)Checked(raw, 0, 1.8446744073709552E+19); words = 4; break;
            case ModbusDataType.Float32: bits = BitConverter.SingleToUInt32Bits((float)raw); words = 2; break;
            case ModbusDataType.Float64: bits = BitConverter.DoubleToUInt64Bits(raw); words = 4; break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "not a numeric type");
        }

        Disassemble(bits, words, order, destination);
        return words * 2;
    }

    /// <summary>Integer of the low 64 bits: the reverse of <see cref="Decode(ReadOnlySpan{byte}, ModbusDataType, WordOrder, double, double, int)"/> without conversion.</summary>
    public static void Disassemble(ulong bits, int words, WordOrder order, Span<byte> destination)
    {
        var wordSwap = order is WordOrder.CDAB or WordOrder.DCBA;
        var byteSwap = order is WordOrder.BADC or WordOrder.DCBA;
        for (var i = 0; i < words; i++)
        {
            // Word i in value order (0 = most significant).
            var word = (ushort)(bits >> (16 * (words - 1 - i)));
            if (byteSwap)
            {
                word = BinaryPrimitives.ReverseEndianness(word);
            }

            var slot = wordSwap ? words - 1 - i : i;
            BinaryPrimitives.WriteUInt16BigEndian(destination[(slot * 2)..], word);
        }
    }

    /// <summary>
    /// Assembles 1, 2 or 4 registers into an integer, most significant word first, undoing the order with one
    /// load and at most one shuffle: ABCD is a big-endian load, DCBA a little-endian load, BADC a big-endian load
    /// with the bytes of each word swapped, CDAB a little-endian load with the bytes of each word swapped.
    /// </summary>
    private static ulong Assemble(ReadOnlySpan<byte> registers, int words, WordOrder order)
    {
        switch (words)
        {
            case 1:
                return order is WordOrder.BADC or WordOrder.DCBA
                    ? BinaryPrimitives.ReadUInt16LittleEndian(registers)
                    : BinaryPrimitives.ReadUInt16BigEndian(registers);
            case 2:
                return order switch
                {
                    WordOrder.ABCD => BinaryPrimitives.ReadUInt32BigEndian(registers),
                    WordOrder.DCBA => BinaryPrimitives.ReadUInt32LittleEndian(registers),
                    WordOrder.BADC => SwapBytesInWords(BinaryPrimitives.ReadUInt32BigEndian(registers)),
                    _ => SwapBytesInWords(BinaryPrimitives.ReadUInt32LittleEndian(registers)),
                };
            default:
                return order switch
                {
                    WordOrder.ABCD => BinaryPrimitives.ReadUInt64BigEndian(registers),
                    WordOrder.DCBA => BinaryPrimitives.ReadUInt64LittleEndian(registers),
                    WordOrder.BADC => SwapBytesInWords(BinaryPrimitives.ReadUInt64BigEndian(registers)),
                    _ => SwapBytesInWords(BinaryPrimitives.ReadUInt64LittleEndian(registers)),
                };
        }
    }

    private static uint SwapBytesInWords(uint x) => ((x & 0x00FF00FFu) << 8) | ((x >> 8) & 0x00FF00FFu);

    private static ulong SwapBytesInWords(ulong x) => ((x & 0x00FF00FF00FF00FFul) << 8) | ((x >> 8) & 0x00FF00FF00FF00FFul);

    private static double Checked(double raw, double min, double max)
    {
        var r = Math.Round(raw, MidpointRounding.AwayFromZero);
        if (double.IsNaN(r) || r < min || r > max)
        {
            throw new ArgumentOutOfRangeException(nameof(raw), raw, $"[{min}-{max}]");
        }

        return r;
    }
}
