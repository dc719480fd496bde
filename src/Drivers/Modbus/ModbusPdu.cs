using System.Buffers.Binary;

namespace EdgeAgent.Drivers.Modbus;

/// <summary>
/// A request PDU as parsed (server side, tests, fuzzing). For reads and multiple writes <see cref="Quantity"/> is the
/// count; for FC 5/6 it is the value written. <see cref="Data"/> is the payload of FC 15/16 (offset and length in the PDU).
/// </summary>
public readonly record struct ModbusRequest(FunctionCode Function, ushort Address, ushort Quantity, int DataOffset = 0, int DataLength = 0);

/// <summary>
/// Protocol data units (Modbus Application Protocol v1.1b3 §6). Requests are written into a caller's span;
/// responses are checked against the request they answer and their data returned as a slice (no copy).
/// <code>
///  read request (FC 1-4)        read response (FC 1-4)          exception response
///  +----+--------+--------+     +----+-------+-------------+     +-----------+------+
///  | FC | addr16 | qty16  |     | FC | count | count bytes |     | FC | 0x80 | code |
///  +----+--------+--------+     +----+-------+-------------+     +-----------+------+
///  write single (FC 5/6): FC addr16 value16, echoed.
///  write multiple (FC 15/16): FC addr16 qty16 count bytes…; answered FC addr16 qty16.
/// </code>
/// </summary>
public static class ModbusPdu
{
    /// <summary>Writes a read request (FC 1-4); returns its length (5).</summary>
    public static int WriteReadRequest(Span<byte> destination, FunctionCode function, ushort address, ushort quantity)
    {
        var max = function is FunctionCode.ReadCoils or FunctionCode.ReadDiscreteInputs ? ModbusLimits.MaxReadBits
            : function is FunctionCode.ReadHoldingRegisters or FunctionCode.ReadInputRegisters ? ModbusLimits.MaxReadRegisters
            : throw new ArgumentOutOfRangeException(nameof(function), function, "not a read function [1-4]");
        if (quantity < 1 || quantity > max)
        {
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, $"[1-{max}]");
        }

        CheckEnd(address, quantity);
        destination[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], quantity);
        return 5;
    }

    /// <summary>FC 5: <c>0xFF00</c> = on, <c>0x0000</c> = off (§6.5).</summary>
    public static int WriteSingleCoilRequest(Span<byte> destination, ushort address, bool value)
    {
        destination[0] = (byte)FunctionCode.WriteSingleCoil;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], value ? (ushort)0xFF00 : (ushort)0x0000);
        return 5;
    }

    public static int WriteSingleRegisterRequest(Span<byte> destination, ushort address, ushort value)
    {
        destination[0] = (byte)FunctionCode.WriteSingleRegister;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], value);
        return 5;
    }

    /// <summary>FC 15: bits packed LSB first, coil <paramref name="address"/> in bit 0 of the first byte (§6.11).</summary>
    public static int WriteMultipleCoilsRequest(Span<byte> destination, ushort address, ReadOnlySpan<bool> values)
    {
        if (values.Length < 1 || values.Length > ModbusLimits.MaxWriteBits)
        {
            throw new ArgumentOutOfRangeException(nameof(values), values.Length, $"[1-{ModbusLimits.MaxWriteBits}]");
        }

        CheckEnd(address, values.Length);
        var byteCount = (values.Length + 7) / 8;
        destination[0] = (byte)FunctionCode.WriteMultipleCoils;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], (ushort)values.Length);
        destination[5] = (byte)byteCount;
        var bits = destination.Slice(6, byteCount);
        bits.Clear();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i])
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return 6 + byteCount;
    }

    /// <summary>FC 16: <paramref name="registers"/> are wire bytes (big-endian registers), an even count.</summary>
    public static int WriteMultipleRegistersRequest(Span<byte> destination, ushort address, ReadOnlySpan<byte> registers)
    {
        var count = registers.Length / 2;
        if ((registers.Length & 1) != 0 || count < 1 || count > ModbusLimits.MaxWriteRegisters)
        {
            throw new ArgumentOutOfRangeException(nameof(registers), registers.Length, $"an even byte count of [1-{ModbusLimits.MaxWriteRegisters}] registers");
        }

        CheckEnd(address, count);
        destination[0] = (byte)FunctionCode.WriteMultipleRegisters;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], (ushort)count);
        destination[5] = (byte)registers.Length;
        registers.CopyTo(destination[6..]);
        return 6 + registers.Length;
    }

    /// <summary>
    /// The length a request PDU of <paramref name="function"/> will have, from its first bytes; 0 when more bytes
    /// are needed to tell. Throws for an unknown function (used by RTU request framing).
    /// </summary>
    internal static int RequestLength(ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length < 1)
        {
            return 0;
        }

        switch ((FunctionCode)pdu[0])
        {
            case FunctionCode.ReadCoils or FunctionCode.ReadDiscreteInputs or FunctionCode.ReadHoldingRegisters
                or FunctionCode.ReadInputRegisters or FunctionCode.WriteSingleCoil or FunctionCode.WriteSingleRegister:
                return 5;
            case FunctionCode.WriteMultipleCoils or FunctionCode.WriteMultipleRegisters:
                if (pdu.Length < 6)
                {
                    return 0;
                }

                if (pdu[5] > ModbusLimits.MaxPduLength - 6)
                {
                    throw ModbusException.Frame($"byte count {pdu[5]} exceeds the PDU maximum of {ModbusLimits.MaxPduLength - 6}", 5);
                }

                return 6 + pdu[5];
            default:
                throw ModbusException.Frame($"unsupported function code {pdu[0]}", 0);
        }
    }

    /// <summary>Parses and validates a whole request PDU (server side and round-trip tests).</summary>
    public static ModbusRequest ParseRequest(ReadOnlySpan<byte> pdu)
    {
        var length = RequestLength(pdu);
        if (length == 0 || pdu.Length != length)
        {
            throw ModbusException.Frame($"expected a request of {(length == 0 ? "at least 6" : length)} bytes, found {pdu.Length}", Math.Min(pdu.Length, 5));
        }

        var function = (FunctionCode)pdu[0];
        var address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var quantity = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        switch (function)
        {
            case FunctionCode.ReadCoils or FunctionCode.ReadDiscreteInputs:
                CheckQuantity(quantity, ModbusLimits.MaxReadBits, 3);
                return new ModbusRequest(function, address, quantity);
            case FunctionCode.ReadHoldingRegisters or FunctionCode.ReadInputRegisters:
                CheckQuantity(quantity, ModbusLimits.MaxReadRegisters, 3);
                return new ModbusRequest(function, address, quantity);
            case FunctionCode.WriteSingleCoil:
                if (quantity is not (0xFF00 or 0x0000))
                {
                    throw ModbusException.Frame($"coil value must be 0xFF00 or 0x0000, found 0x{quantity:X4}", 3);
                }

                return new ModbusRequest(function, address, quantity);
            case FunctionCode.WriteSingleRegister:
                return new ModbusRequest(function, address, quantity);
            case FunctionCode.WriteMultipleCoils:
                CheckQuantity(quantity, ModbusLimits.MaxWriteBits, 3);
                if (pdu[5] != (quantity + 7) / 8)
                {
                    throw ModbusException.Frame($"byte count {pdu[5]} does not match {quantity} coils (expected {(quantity + 7) / 8})", 5);
                }

                return new ModbusRequest(function, address, quantity, 6, pdu[5]);
            default:
                CheckQuantity(quantity, ModbusLimits.MaxWriteRegisters, 3);
                if (pdu[5] != quantity * 2)
                {
                    throw ModbusException.Frame($"byte count {pdu[5]} does not match {quantity} registers (expected {quantity * 2})", 5);
                }

                return new ModbusRequest(function, address, quantity, 6, pdu[5]);
        }
    }

    /// <summary>Writes a read response (FC 1-4) carrying <paramref name="data"/> (test servers, round-trip).</summary>
    public static int WriteReadResponse(Span<byte> destination, FunctionCode function, ReadOnlySpan<byte> data)
    {
        if (data.Length > ModbusLimits.MaxPduLength - 2)
        {
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, $"[0-{ModbusLimits.MaxPduLength - 2}]");
        }

        destination[0] = (byte)function;
        destination[1] = (byte)data.Length;
        data.CopyTo(destination[2..]);
        return 2 + data.Length;
    }

    /// <summary>Writes the 5-byte echo that answers FC 5, 6, 15 and 16.</summary>
    public static int WriteWriteResponse(Span<byte> destination, FunctionCode function, ushort address, ushort quantityOrValue)
    {
        destination[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], quantityOrValue);
        return 5;
    }

    public static int WriteExceptionResponse(Span<byte> destination, FunctionCode function, ModbusExceptionCode code)
    {
        destination[0] = (byte)((byte)function | 0x80);
        destination[1] = (byte)code;
        return 2;
    }

    /// <summary>
    /// Checks a response PDU against the read request it answers and returns its data bytes (registers as wire
    /// bytes, or packed bits). Throws <see cref="ModbusException"/>: <see cref="ModbusErrorKind.DeviceException"/>
    /// for an exception response, <see cref="ModbusErrorKind.UnexpectedResponse"/> for a mismatch.
    /// </summary>
    public static ReadOnlySpan<byte> ParseReadResponse(ReadOnlySpan<byte> pdu, FunctionCode function, ushort quantity)
    {
        CheckFunction(pdu, function);
        var expected = function is FunctionCode.ReadCoils or FunctionCode.ReadDiscreteInputs ? (quantity + 7) / 8 : quantity * 2;
        if (pdu.Length < 2 || pdu[1] != expected)
        {
            throw ModbusException.Unexpected($"expected a byte count of {expected}, found {(pdu.Length < 2 ? "none" : pdu[1].ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        }

        if (pdu.Length != 2 + expected)
        {
            throw ModbusException.Unexpected($"expected {2 + expected} PDU bytes, found {pdu.Length}");
        }

        return pdu.Slice(2, expected);
    }

    /// <summary>Checks the echo that answers a write (FC 5, 6, 15, 16).</summary>
    public static void ParseWriteResponse(ReadOnlySpan<byte> pdu, FunctionCode function, ushort address, ushort quantityOrValue)
    {
        CheckFunction(pdu, function);
        if (pdu.Length != 5)
        {
            throw ModbusException.Unexpected($"expected 5 PDU bytes, found {pdu.Length}");
        }

        var a = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var q = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        if (a != address || q != quantityOrValue)
        {
            throw ModbusException.Unexpected($"expected echo of address {address} and {quantityOrValue}, found {a} and {q}");
        }
    }

    private static void CheckFunction(ReadOnlySpan<byte> pdu, FunctionCode function)
    {
        if (pdu.IsEmpty)
        {
            throw ModbusException.Unexpected("empty PDU");
        }

        if (pdu[0] == ((byte)function | 0x80))
        {
            if (pdu.Length != 2)
            {
                throw ModbusException.Unexpected($"expected an exception response of 2 bytes, found {pdu.Length}");
            }

            throw ModbusException.FromDevice((ModbusExceptionCode)pdu[1], function);
        }

        if (pdu[0] != (byte)function)
        {
            throw ModbusException.Unexpected($"expected function {(byte)function}, found {pdu[0]}");
        }
    }

    private static void CheckQuantity(ushort quantity, int max, int offset)
    {
        if (quantity < 1 || quantity > max)
        {
            throw ModbusException.Frame($"quantity {quantity} outside [1-{max}]", offset);
        }
    }

    private static void CheckEnd(ushort address, int quantity)
    {
        if (address + quantity > 0x10000)
        {
            throw new ArgumentOutOfRangeException(nameof(address), address, $"address + quantity ({quantity}) must not pass 65535");
        }
    }
}
