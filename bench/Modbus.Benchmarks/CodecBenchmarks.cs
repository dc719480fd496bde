using BenchmarkDotNet.Attributes;

namespace EdgeAgent.Drivers.Modbus.Benchmarks;

/// <summary>
/// Decode of one full FC 3 response (125 registers) into typed values: every numeric type and word order,
/// scale/offset and bits of registers; and a response of float32 decimals. Goal: 0 B allocated. A float32 costs a
/// format and a parse on the stack (its shortest decimal), a few hundred ns; the other types a few ns.
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private readonly byte[] _registers = new byte[ModbusLimits.MaxReadRegisters * 2];
    private ModbusTagOptions[] _tags = [];
    private int[] _offsets = [];

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_registers);
        var types = new[] { ModbusDataType.Float32, ModbusDataType.Int32, ModbusDataType.UInt16, ModbusDataType.Int16, ModbusDataType.Float64, ModbusDataType.UInt32, ModbusDataType.Int64, ModbusDataType.UInt64 };
        var tags = new List<ModbusTagOptions>();
        var offsets = new List<int>();
        var address = 0;
        for (var i = 0; ; i++)
        {
            var type = types[i % types.Length];
            var count = ModbusTagOptions.RegistersOf(type, 0);
            if (address + count > ModbusLimits.MaxReadRegisters)
            {
                break;
            }

            tags.Add(new ModbusTagOptions
            {
                Address = new ModbusAddress(ModbusTable.HoldingRegister, (ushort)address),
                Type = type,
                Order = (WordOrder)(i % 4),
                Scale = i % 3 == 0 ? 0.1 : 1.0,
                Offset = i % 5 == 0 ? -40 : 0,
            });
            offsets.Add(address * 2);
            address += count;
        }

        // The rest of the registers as bits of a register.
        for (; address < ModbusLimits.MaxReadRegisters; address++)
        {
            tags.Add(new ModbusTagOptions { Address = new ModbusAddress(ModbusTable.HoldingRegister, (ushort)address, (sbyte)(address % 16)), Type = ModbusDataType.Bool });
            offsets.Add(address * 2);
        }

        _tags = tags.ToArray();
        _offsets = offsets.ToArray();

        // 62 float32 register pairs holding the two-decimal values gauges send (10.3, -273.15 …).
        var random = new Random(2);
        for (var i = 0; i < FloatTags; i++)
        {
            var value = random.Next(-1_000_000, 1_000_000) / 100f;
            ModbusValueCodec.Encode(value, ModbusDataType.Float32, WordOrder.ABCD, _floats.AsSpan(i * 4));
        }
    }

    private const int FloatTags = ModbusLimits.MaxReadRegisters / 2;
    private readonly byte[] _floats = new byte[ModbusLimits.MaxReadRegisters * 2];

    /// <summary>Number of tags decoded per operation.</summary>
    public int Tags => _tags.Length;

    [Benchmark]
    public double Decode125Registers()
    {
        var sum = 0.0;
        var tags = _tags;
        var offsets = _offsets;
        ReadOnlySpan<byte> data = _registers;
        for (var i = 0; i < tags.Length; i++)
        {
            sum += ModbusValueCodec.Decode(data[offsets[i]..], tags[i]);
        }

        return sum;
    }

    /// <summary>62 float32 tags, each turned into the double of its shortest decimal (10.3, not 10.300000190734863).</summary>
    [Benchmark]
    public double Decode62Float32Decimals()
    {
        var sum = 0.0;
        ReadOnlySpan<byte> data = _floats;
        for (var i = 0; i < FloatTags; i++)
        {
            sum += ModbusValueCodec.Decode(data[(i * 4)..], ModbusDataType.Float32, WordOrder.ABCD);
        }

        return sum;
    }
}

/// <summary>Frame codecs on maximum-size frames.</summary>
[MemoryDiagnoser]
public class FrameBenchmarks
{
    private readonly byte[] _tcp = new byte[ModbusLimits.MaxTcpAduLength];
    private readonly byte[] _rtu = new byte[ModbusLimits.MaxRtuAduLength];
    private readonly byte[] _request = new byte[MbapFrame.HeaderLength + 5];
    private int _rtuLength;

    [GlobalSetup]
    public void Setup()
    {
        var data = new byte[250];
        new Random(2).NextBytes(data);
        var pdu = new byte[252];
        var n = ModbusPdu.WriteReadResponse(pdu, FunctionCode.ReadHoldingRegisters, data);
        MbapFrame.Write(_tcp, 1, 1, pdu.AsSpan(0, n));
        _rtuLength = RtuFrame.Write(_rtu, 1, pdu.AsSpan(0, n));
    }

    [Benchmark]
    public int MbapReadFrameAndParse125Registers()
    {
        MbapFrame.TryReadFrame(_tcp, out var header, out _);
        return ModbusPdu.ParseReadResponse(_tcp.AsSpan(MbapFrame.HeaderLength, header.PduLength), FunctionCode.ReadHoldingRegisters, 125).Length;
    }

    [Benchmark]
    public int RtuReadFrameWithCrc125Registers()
    {
        RtuFrame.TryReadResponse(_rtu.AsSpan(0, _rtuLength), out var length);
        return length;
    }

    [Benchmark]
    public int BuildReadRequest()
    {
        ModbusPdu.WriteReadRequest(_request.AsSpan(MbapFrame.HeaderLength), FunctionCode.ReadHoldingRegisters, 0, 125);
        MbapFrame.WriteHeader(_request, 7, 1, 5);
        return _request[0];
    }
}
