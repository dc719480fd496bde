using System.Buffers;
using System.Buffers.Binary;

namespace EdgeAgent.Drivers.Modbus;

/// <summary>The MBAP header of a Modbus TCP ADU.</summary>
public readonly record struct MbapHeader(ushort TransactionId, ushort ProtocolId, ushort Length, byte UnitId)
{
    /// <summary>Length of the PDU that follows the header (the MBAP length counts the unit id too).</summary>
    public int PduLength => Length - 1;
}

/// <summary>
/// Modbus TCP application data unit (Modbus Messaging on TCP/IP Implementation Guide v1.0b §3.1.3):
/// <code>
///  0               2               4               6       7
///  +---------------+---------------+---------------+-------+---------------------+
///  | transaction id| protocol id=0 | length (n+1)  | unit  | PDU (n ≤ 253 bytes) |
///  +---------------+---------------+---------------+-------+---------------------+
/// </code>
/// The largest ADU is 260 bytes, so a length field over 254 is rejected before waiting for the body.
/// </summary>
public static class MbapFrame
{
    public const int HeaderLength = 7;

    /// <summary>Largest valid value of the length field: unit id plus the largest PDU.</summary>
    public const int MaxLengthField = ModbusLimits.MaxPduLength + 1;

    /// <summary>Writes header and PDU; returns the ADU length.</summary>
    public static int Write(Span<byte> destination, ushort transactionId, byte unitId, ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length < 1 || pdu.Length > ModbusLimits.MaxPduLength)
        {
            throw new ArgumentOutOfRangeException(nameof(pdu), pdu.Length, $"[1-{ModbusLimits.MaxPduLength}]");
        }

        WriteHeader(destination, transactionId, unitId, pdu.Length);
        pdu.CopyTo(destination[HeaderLength..]);
        return HeaderLength + pdu.Length;
    }

    /// <summary>Writes the header for a PDU of <paramref name="pduLength"/> bytes already placed at offset 7.</summary>
    public static void WriteHeader(Span<byte> destination, ushort transactionId, byte unitId, int pduLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)(pduLength + 1));
        destination[6] = unitId;
    }

    /// <summary>
    /// Reads one ADU from the start of <paramref name="buffer"/>. False when more bytes are needed;
    /// throws <see cref="ModbusException"/> (<see cref="ModbusErrorKind.Frame"/>) for bytes that can never be a frame.
    /// </summary>
    public static bool TryReadFrame(ReadOnlySpan<byte> buffer, out MbapHeader header, out int frameLength)
    {
        header = default;
        frameLength = 0;
        if (buffer.Length < 6)
        {
            return false;
        }

        var length = CheckHeader(BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]), BinaryPrimitives.ReadUInt16BigEndian(buffer[4..]));
        if (buffer.Length < 6 + length)
        {
            return false;
        }

        header = new MbapHeader(BinaryPrimitives.ReadUInt16BigEndian(buffer), 0, length, buffer[6]);
        frameLength = 6 + length;
        return true;
    }

    /// <summary>
    /// The <see cref="ReadOnlySequence{T}"/> form (pipelines): on success <paramref name="buffer"/> is advanced past
    /// the frame and <paramref name="pdu"/> is the PDU slice.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out MbapHeader header, out ReadOnlySequence<byte> pdu)
    {
        header = default;
        pdu = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadBigEndian(out short tid) || !reader.TryReadBigEndian(out short pid) || !reader.TryReadBigEndian(out short len))
        {
            return false;
        }

        var length = CheckHeader((ushort)pid, (ushort)len);
        if (reader.Remaining < length)
        {
            return false;
        }

        reader.TryRead(out var unit);
        header = new MbapHeader((ushort)tid, 0, length, unit);
        pdu = buffer.Slice(HeaderLength, length - 1);
        buffer = buffer.Slice(6 + length);
        return true;
    }

    private static ushort CheckHeader(ushort protocolId, ushort length)
    {
        if (protocolId != 0)
        {
            throw ModbusException.Frame($"expected protocol id 0, found {protocolId}", 2);
        }

        if (length < 2)
        {
            throw ModbusException.Frame($"MBAP length {length} is below the minimum of 2 (unit id and function code)", 4);
        }

        if (length > MaxLengthField)
        {
            throw ModbusException.Frame($"MBAP length {length} exceeds the maximum of {MaxLengthField}", 4);
        }

        return length;
    }
}
