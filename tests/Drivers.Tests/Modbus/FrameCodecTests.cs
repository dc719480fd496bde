using System.Buffers;
using CsCheck;
using EdgeAgent.Drivers.Modbus;

namespace EdgeAgent.Drivers.Modbus.Tests;

public class FrameCodecTests
{
    [Fact]
    public void Crc16_of_the_spec_example_is_0x1241_sent_low_byte_first()
    {
        // Modbus over serial line v1.02 example: 02 07 → CRC 0x1241 (lo 41, hi 12).
        Assert.Equal(0x1241, Crc16.Compute([0x02, 0x07]));
        // Read 1 HR at 0 from unit 1: 01 03 00 00 00 01 84 0A (well-known frame).
        Span<byte> adu = stackalloc byte[8];
        Span<byte> pdu = stackalloc byte[5];
        ModbusPdu.WriteReadRequest(pdu, FunctionCode.ReadHoldingRegisters, 0, 1);
        RtuFrame.Write(adu, 1, pdu);
        Assert.Equal(new byte[] { 0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A }, adu.ToArray());
    }

    [Fact]
    public void Mbap_frame_round_trips_through_span_and_sequence_readers()
    {
        Span<byte> pdu = stackalloc byte[5];
        ModbusPdu.WriteReadRequest(pdu, FunctionCode.ReadInputRegisters, 0x1234, 10);
        var adu = new byte[12];
        Assert.Equal(12, MbapFrame.Write(adu, 0xBEEF, 17, pdu));
        Assert.Equal(new byte[] { 0xBE, 0xEF, 0, 0, 0, 6, 17, 4, 0x12, 0x34, 0, 10 }, adu);

        Assert.True(MbapFrame.TryReadFrame(adu, out var header, out var length));
        Assert.Equal((ushort)0xBEEF, header.TransactionId);
        Assert.Equal(17, header.UnitId);
        Assert.Equal(12, length);

        var seq = new ReadOnlySequence<byte>(adu.Concat(new byte[] { 1, 2 }).ToArray());
        Assert.True(MbapFrame.TryReadFrame(ref seq, out var h2, out var pduSeq));
        Assert.Equal(header, h2);
        Assert.Equal(pdu.ToArray(), pduSeq.ToArray());
        Assert.Equal(2, seq.Length);
    }

    [Fact]
    public void Mbap_reader_asks_for_more_bytes_until_the_frame_is_complete()
    {
        var adu = new byte[] { 0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 1 };
        for (var n = 0; n < adu.Length; n++)
        {
            Assert.False(MbapFrame.TryReadFrame(adu.AsSpan(0, n), out _, out _));
        }
    }

    [Fact]
    public void Rejects_mbap_length_over_254_before_the_body_arrives()
    {
        var header = new byte[] { 0, 1, 0, 0, 0x00, 0xFF };
        var e = Assert.Throws<ModbusException>(() => MbapFrame.TryReadFrame(header, out _, out _));
        Assert.Equal(ModbusErrorKind.Frame, e.Kind);
        Assert.Equal(4, e.ByteOffset);
        Assert.Contains("255", e.Message);
        Assert.Contains("254", e.Message);
    }

    [Fact]
    public void Rejects_nonzero_protocol_id()
    {
        var e = Assert.Throws<ModbusException>(() => MbapFrame.TryReadFrame(new byte[] { 0, 1, 0, 7, 0, 6 }, out _, out _));
        Assert.Equal(2, e.ByteOffset);
    }

    [Fact]
    public void Rtu_reader_rejects_a_bad_crc_naming_the_offset()
    {
        var adu = new byte[] { 0x01, 0x03, 0x02, 0x00, 0x2A, 0, 0 };
        var crc = Crc16.Compute(adu.AsSpan(0, 5));
        adu[5] = (byte)crc;
        adu[6] = (byte)(crc >> 8);
        Assert.True(RtuFrame.TryReadResponse(adu, out var length));
        Assert.Equal(7, length);
        adu[4] ^= 0xFF;
        var e = Assert.Throws<ModbusException>(() => RtuFrame.TryReadResponse(adu, out _));
        Assert.Equal(5, e.ByteOffset);
        Assert.Contains("bad CRC", e.Message);
    }

    [Fact]
    public void Rtu_reader_rejects_a_byte_count_over_the_maximum_before_the_body()
    {
        var e = Assert.Throws<ModbusException>(() => RtuFrame.TryReadResponse(new byte[] { 1, 3, 252 }, out _));
        Assert.Equal(2, e.ByteOffset);
    }

    [Fact]
    public void Rtu_reader_rejects_an_unknown_function()
    {
        var e = Assert.Throws<ModbusException>(() => RtuFrame.TryReadResponse(new byte[] { 1, 0x2B, 0 }, out _));
        Assert.Equal(1, e.ByteOffset);
    }

    [Fact]
    public void Exception_response_becomes_a_named_error_with_the_code()
    {
        var pdu = new byte[] { 0x83, 0x02 };
        var e = Assert.Throws<ModbusException>(() => ModbusPdu.ParseReadResponse(pdu, FunctionCode.ReadHoldingRegisters, 1));
        Assert.Equal(ModbusErrorKind.DeviceException, e.Kind);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, e.ExceptionCode);
        Assert.Equal(FunctionCode.ReadHoldingRegisters, e.Function);
        Assert.False(e.IsTransient);
        Assert.Contains("IllegalDataAddress", e.Message);

        var busy = Assert.Throws<ModbusException>(() => ModbusPdu.ParseReadResponse(new byte[] { 0x83, 0x06 }, FunctionCode.ReadHoldingRegisters, 1));
        Assert.True(busy.IsTransient);
    }

    [Fact]
    public void Read_response_with_the_wrong_byte_count_is_unexpected()
    {
        var e = Assert.Throws<ModbusException>(() => ModbusPdu.ParseReadResponse(new byte[] { 3, 2, 0, 1 }, FunctionCode.ReadHoldingRegisters, 2));
        Assert.Equal(ModbusErrorKind.UnexpectedResponse, e.Kind);
        Assert.Contains("expected a byte count of 4, found 2", e.Message);
    }

    [Fact]
    public void Write_echo_mismatch_is_unexpected()
    {
        var pdu = new byte[5];
        ModbusPdu.WriteWriteResponse(pdu, FunctionCode.WriteSingleRegister, 10, 7);
        ModbusPdu.ParseWriteResponse(pdu, FunctionCode.WriteSingleRegister, 10, 7);
        Assert.Throws<ModbusException>(() => ModbusPdu.ParseWriteResponse(pdu, FunctionCode.WriteSingleRegister, 10, 8));
    }

    private static readonly Gen<(FunctionCode Fc, ushort Address, ushort Quantity)> GenRead =
        from fc in Gen.OneOfConst(FunctionCode.ReadCoils, FunctionCode.ReadDiscreteInputs, FunctionCode.ReadHoldingRegisters, FunctionCode.ReadInputRegisters)
        from qty in Gen.Int[1, fc <= FunctionCode.ReadDiscreteInputs ? 2000 : 125]
        from address in Gen.Int[0, 65536 - qty]
        select (fc, (ushort)address, (ushort)qty);

    [Fact]
    public void Read_requests_round_trip_through_mbap_and_rtu()
    {
        GenRead.Select(Gen.UShort, Gen.Byte).Sample((r, tid, unit) =>
        {
            Span<byte> pdu = stackalloc byte[5];
            ModbusPdu.WriteReadRequest(pdu, r.Fc, r.Address, r.Quantity);
            Span<byte> tcp = stackalloc byte[MbapFrame.HeaderLength + 5];
            MbapFrame.Write(tcp, tid, unit, pdu);
            Assert.True(MbapFrame.TryReadFrame(tcp, out var h, out var len));
            Assert.Equal((tid, unit, len), (h.TransactionId, h.UnitId, tcp.Length));
            Assert.Equal(new ModbusRequest(r.Fc, r.Address, r.Quantity), ModbusPdu.ParseRequest(tcp[MbapFrame.HeaderLength..]));

            Span<byte> rtu = stackalloc byte[8];
            RtuFrame.Write(rtu, unit, pdu);
            Assert.True(RtuFrame.TryReadRequest(rtu, out var rlen));
            Assert.Equal(8, rlen);
            Assert.Equal(new ModbusRequest(r.Fc, r.Address, r.Quantity), ModbusPdu.ParseRequest(rtu[1..^2]));
        });
    }

    [Fact]
    public void Write_requests_round_trip()
    {
        Gen.Bool.Array[1, 1968].Select(Gen.UShort).Sample((bits, address) =>
        {
            if (address + bits.Length > 65536)
            {
                return;
            }

            var pdu = new byte[ModbusLimits.MaxPduLength];
            var n = ModbusPdu.WriteMultipleCoilsRequest(pdu, address, bits);
            var req = ModbusPdu.ParseRequest(pdu.AsSpan(0, n));
            Assert.Equal((FunctionCode.WriteMultipleCoils, address, (ushort)bits.Length), (req.Function, req.Address, req.Quantity));
            var data = pdu.AsSpan(req.DataOffset, req.DataLength);
            for (var i = 0; i < bits.Length; i++)
            {
                Assert.Equal(bits[i], ModbusValueCodec.Bit(data, i));
            }
        });
        Gen.Byte.Array[1, 123].Select(Gen.UShort[0, 65000]).Sample((words, address) =>
        {
            var regs = words.SelectMany(w => new[] { w, (byte)~w }).ToArray();
            var pdu = new byte[ModbusLimits.MaxPduLength];
            var n = ModbusPdu.WriteMultipleRegistersRequest(pdu, address, regs);
            var req = ModbusPdu.ParseRequest(pdu.AsSpan(0, n));
            Assert.Equal(regs, pdu.AsSpan(req.DataOffset, req.DataLength).ToArray());
        });
        var single = new byte[5];
        ModbusPdu.WriteSingleCoilRequest(single, 3, true);
        Assert.Equal(new ModbusRequest(FunctionCode.WriteSingleCoil, 3, 0xFF00), ModbusPdu.ParseRequest(single));
        ModbusPdu.WriteSingleRegisterRequest(single, 4, 0xABCD);
        Assert.Equal(new ModbusRequest(FunctionCode.WriteSingleRegister, 4, 0xABCD), ModbusPdu.ParseRequest(single));
    }

    [Fact]
    public void Read_responses_round_trip_and_return_the_data()
    {
        GenRead.Sample(r =>
        {
            var bits = r.Fc <= FunctionCode.ReadDiscreteInputs;
            var data = new byte[bits ? (r.Quantity + 7) / 8 : r.Quantity * 2];
            Random.Shared.NextBytes(data);
            var pdu = new byte[ModbusLimits.MaxPduLength];
            var n = ModbusPdu.WriteReadResponse(pdu, r.Fc, data);
            Assert.Equal(data, ModbusPdu.ParseReadResponse(pdu.AsSpan(0, n), r.Fc, r.Quantity).ToArray());
            var adu = new byte[ModbusLimits.MaxRtuAduLength];
            var len = RtuFrame.Write(adu, 9, pdu.AsSpan(0, n));
            Assert.True(RtuFrame.TryReadResponse(adu.AsSpan(0, len), out var flen));
            Assert.Equal(len, flen);
            Assert.False(RtuFrame.TryReadResponse(adu.AsSpan(0, len - 1), out _));
        });
    }

    [Fact]
    public void Arbitrary_bytes_never_crash_or_hang_the_frame_readers()
    {
        Gen.Byte.Array[0, 300].SampleWithDeadline(bytes =>
        {
            Expect(() => MbapFrame.TryReadFrame(bytes, out _, out _));
            var seq = new ReadOnlySequence<byte>(bytes);
            Expect(() => MbapFrame.TryReadFrame(ref seq, out _, out _));
            Expect(() => RtuFrame.TryReadResponse(bytes, out _));
            Expect(() => RtuFrame.TryReadRequest(bytes, out _));
            Expect(() => ModbusPdu.ParseRequest(bytes));
            Expect(() => ModbusPdu.ParseReadResponse(bytes, FunctionCode.ReadHoldingRegisters, (ushort)Math.Clamp(bytes.Length / 2, 1, 125)));
            Expect(() => ModbusPdu.ParseReadResponse(bytes, FunctionCode.ReadCoils, 16));
            Expect(() => ModbusPdu.ParseWriteResponse(bytes, FunctionCode.WriteMultipleRegisters, 0, 1));
        }, iter: 20_000);
    }

    [Fact]
    public void Mbap_headers_with_any_length_field_are_either_framed_or_rejected()
    {
        Gen.UShort.Select(Gen.Byte.Array[0, 270]).SampleWithDeadline(t =>
        {
            var (length, body) = t;
            var bytes = new byte[6 + body.Length];
            bytes[4] = (byte)(length >> 8);
            bytes[5] = (byte)length;
            body.CopyTo(bytes, 6);
            try
            {
                if (MbapFrame.TryReadFrame(bytes, out var h, out var n))
                {
                    Assert.InRange(h.Length, 2, 254);
                    Assert.Equal(6 + length, n);
                }
                else
                {
                    Assert.InRange(length, 2, 254);
                    Assert.True(bytes.Length < 6 + length);
                }
            }
            catch (ModbusException e)
            {
                Assert.True(length < 2 || length > 254, e.Message);
            }
        });
    }

    private static void Expect(Action action)
    {
        try
        {
            action();
        }
        catch (ModbusException)
        {
        }
    }
}
