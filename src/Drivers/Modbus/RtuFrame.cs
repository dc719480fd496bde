using System.Buffers.Binary;

namespace EdgeAgent.Drivers.Modbus;

/// <summary>
/// Modbus RTU application data unit (Modbus over serial line v1.02 §2.5.1):
/// <code>
///  +---------+---------------------+-----------------+
///  | address | PDU (≤ 253 bytes)   | CRC lo | CRC hi |
///  +---------+---------------------+-----------------+
/// </code>
/// RTU has no length field: a frame's length follows from its function code (and byte count). A byte count that
/// would pass the 256-byte ADU maximum is rejected before waiting for the body.
/// </summary>
public static class RtuFrame
{
    /// <summary>Address byte plus CRC.</summary>
    public const int Overhead = 3;

    /// <summary>Writes address, PDU and CRC; returns the ADU length.</summary>
    public static int Write(Span<byte> destination, byte unitId, ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length < 1 || pdu.Length > ModbusLimits.MaxPduLength)
        {
            throw new ArgumentOutOfRangeException(nameof(pdu), pdu.Length, $"[1-{ModbusLimits.MaxPduLength}]");
        }

        destination[0] = unitId;
        pdu.CopyTo(destination[1..]);
        var crc = Crc16.Compute(destination[..(1 + pdu.Length)]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[(1 + pdu.Length)..], crc);
        return Overhead + pdu.Length;
    }

    /// <summary>
    /// Reads one response ADU from the start of <paramref name="buffer"/>: false when more bytes are needed; throws
    /// <see cref="ModbusException"/> (<see cref="ModbusErrorKind.Frame"/>) for an unknown function, a byte count over
    /// the maximum, or a bad CRC. The PDU is <c>buffer[1..(frameLength - 2)]</c>.
    /// </summary>
    public static bool TryReadResponse(ReadOnlySpan<byte> buffer, out int frameLength)
    {
        frameLength = 0;
        if (buffer.Length < 2)
        {
            return false;
        }

        int pduLength;
        var fc = buffer[1];
        if ((fc & 0x80) != 0)
        {
            pduLength = 2;
        }
        else
        {
            switch ((FunctionCode)fc)
            {
                case FunctionCode.ReadCoils or FunctionCode.ReadDiscreteInputs or FunctionCode.ReadHoldingRegisters or FunctionCode.ReadInputRegisters:
                    if (buffer.Length < 3)
                    {
                        return false;
                    }

                    if (buffer[2] > ModbusLimits.MaxPduLength - 2)
                    {
                        throw ModbusException.Frame($"byte count {buffer[2]} exceeds the maximum of {ModbusLimits.MaxPduLength - 2}", 2);
                    }

                    pduLength = 2 + buffer[2];
                    break;
                case FunctionCode.WriteSingleCoil or FunctionCode.WriteSingleRegister or FunctionCode.WriteMultipleCoils or FunctionCode.WriteMultipleRegisters:
                    pduLength = 5;
                    break;
                default:
                    throw ModbusException.Frame($"unsupported function code {fc}", 1);
            }
        }

        return Complete(buffer, 1 + pduLength + 2, out frameLength);
    }

    /// <summary>Reads one request ADU (server side, tests); same contract as <see cref="TryReadResponse"/>.</summary>
    public static bool TryReadRequest(ReadOnlySpan<byte> buffer, out int frameLength)
    {
        frameLength = 0;
        if (buffer.Length < 2)
        {
            return false;
        }

        int pduLength;
        try
        {
            pduLength = ModbusPdu.RequestLength(buffer[1..]);
        }
        catch (ModbusException e)
        {
            throw ModbusException.Frame(e.Detail, 1 + (e.ByteOffset ?? 0));
        }

        return pduLength != 0 && Complete(buffer, 1 + pduLength + 2, out frameLength);
    }

    private static bool Complete(ReadOnlySpan<byte> buffer, int length, out int frameLength)
    {
        frameLength = 0;
        if (buffer.Length < length)
        {
            return false;
        }

        var expected = Crc16.Compute(buffer[..(length - 2)]);
        var found = BinaryPrimitives.ReadUInt16LittleEndian(buffer[(length - 2)..]);
        if (expected != found)
        {
            throw ModbusException.Frame($"bad CRC: expected 0x{expected:X4}, found 0x{found:X4}", length - 2);
        }

        frameLength = length;
        return true;
    }

    /// <summary>
    /// Silent interval that separates frames (§2.5.1.1): 3.5 character times (11 bits each) at
    /// <paramref name="baud"/>, fixed at 1.75 ms above 19200 baud.
    /// </summary>
    public static TimeSpan InterFrameDelay(int baud) =>
        baud > 19200 ? TimeSpan.FromMicroseconds(1750) : TimeSpan.FromMicroseconds(Math.Ceiling(3.5 * 11 * 1_000_000.0 / baud));

    /// <summary>Time to transmit <paramref name="bytes"/> characters of 11 bits (start, 8 data, parity or 2nd stop, stop).</summary>
    public static TimeSpan CharacterTime(int baud, int bytes) => TimeSpan.FromMicroseconds(Math.Ceiling(bytes * 11 * 1_000_000.0 / baud));
}
