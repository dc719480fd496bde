using System.IO.Ports;

namespace EdgeAgent.Drivers.Modbus.Tests;

/// <summary>
/// pymodbus serving one register map three ways: RTU on a socat pty (the client gets the other end), RTU frames over
/// TCP (a serial gateway), and MBAP on a side port for each, where pymodbus_read.py sees what the RTU clients wrote.
/// </summary>
public sealed class PymodbusRtuWritePeers : IAsyncLifetime
{
    private PeerProcess? _serial;
    private PeerProcess? _gateway;

    public PtyPair? Pty { get; private set; }

    /// <summary>The side port on the registers behind the pty.</summary>
    public int SerialSidePort { get; } = PeerProcess.FreePort();

    public int GatewayPort { get; } = PeerProcess.FreePort();

    /// <summary>The side port on the registers behind the RTU-over-TCP gateway.</summary>
    public int GatewaySidePort { get; } = PeerProcess.FreePort();

    public async Task InitializeAsync()
    {
        Pty = await PtyPair.StartAsync();
        _serial = PeerProcess.Start("/usr/bin/python3", PeerProcess.Script("pymodbus_server.py"), "--map", TestMap.WriteJson(),
            "--serial", Pty.B, "--baud", "19200", "--also-tcp", SerialSidePort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _gateway = PeerProcess.Start("/usr/bin/python3", PeerProcess.Script("pymodbus_server.py"), "--map", TestMap.WriteJson(),
            "--tcp", GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--framer", "rtu",
            "--also-tcp", GatewaySidePort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await _serial.WaitForTcpAsync(SerialSidePort);
        await _gateway.WaitForTcpAsync(GatewayPort);
        await _gateway.WaitForTcpAsync(GatewaySidePort);
    }

    public async Task DisposeAsync()
    {
        foreach (var peer in new[] { _serial, _gateway })
        {
            if (peer is not null)
            {
                await peer.DisposeAsync();
            }
        }

        if (Pty is not null)
        {
            await Pty.DisposeAsync();
        }
    }
}

/// <summary>The write path over RTU (a pty) and RTU over TCP, each value checked by an independent pymodbus client.</summary>
public sealed class WritesRtuTests(PymodbusRtuWritePeers peers) : IClassFixture<PymodbusRtuWritePeers>
{
    private static readonly CancellationToken Ct = TestContext.Token;

    public static TheoryData<string> Transports() => ["rtu", "rtu-tcp"];

    private (ModbusSourceOptions Options, int SidePort) Bus(string transport) => transport == "rtu"
        ? (new ModbusSourceOptions
        {
            Transport = ModbusTransportKind.Rtu,
            Timeout = TimeSpan.FromSeconds(1),
            Retries = 2,
            Serial = new ModbusSerialOptions { Port = peers.Pty!.A, Baud = 19200, Parity = Parity.None },
        }, peers.SerialSidePort)
        : (new ModbusSourceOptions
        {
            Transport = ModbusTransportKind.RtuOverTcp,
            Endpoint = $"127.0.0.1:{peers.GatewayPort}",
            Timeout = TimeSpan.FromSeconds(1),
            Retries = 2,
        }, peers.GatewaySidePort);

    private static ModbusTagOptions Tag(string address, ModbusDataType type = ModbusDataType.UInt16, WordOrder order = WordOrder.ABCD, double scale = 1, double offset = 0) =>
        new() { Address = ModbusAddress.Parse(address), Type = type, Order = order, Scale = scale, Offset = offset };

    /// <summary>The first write, retried while the serial server is still opening its end of the pty (a timeout).</summary>
    private static async Task<WriteResult> FirstWriteAsync(ModbusSource source, TagBinding tag, double value)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return await source.WriteAsync(tag, value, Ct);
            }
            catch (ModbusException e) when (e.IsTransient && DateTime.UtcNow < deadline)
            {
            }
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_coil_written_1_then_0_is_read_back_by_an_independent_pymodbus_client(string transport)
    {
        var (options, side) = Bus(transport);
        var hold = new TagBinding(0, "quality_hold", Tag("coil:8", ModbusDataType.Bool));
        await using var source = new ModbusSource("bus", options, [hold]);

        Assert.Equal(new WriteResult(1, true), await FirstWriteAsync(source, hold, 1));
        Assert.Equal(1, (await WritePymodbusTests.ReadIndependentlyAsync(side, "coil", 8, "bool", "ABCD")).GetProperty("value").GetInt32());

        Assert.Equal(new WriteResult(0, true), await source.WriteAsync(hold, 0, Ct));
        Assert.Equal(0, (await WritePymodbusTests.ReadIndependentlyAsync(side, "coil", 8, "bool", "ABCD")).GetProperty("value").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_float32_CDAB_with_scale_and_offset_reaches_the_device_as_the_engineering_value_inverted_exactly(string transport)
    {
        var (options, side) = Bus(transport);
        var setpoint = new TagBinding(0, "setpoint", Tag("hr:120", ModbusDataType.Float32, WordOrder.CDAB, scale: 0.01, offset: 5));
        await using var source = new ModbusSource("bus", options, [setpoint]);

        var result = await FirstWriteAsync(source, setpoint, 10.3);

        Assert.True(result.Matches);
        var seen = await WritePymodbusTests.ReadIndependentlyAsync(side, "hr", 120, "float32", "CDAB");
        Assert.Equal((double)(float)((10.3 - 5) / 0.01), seen.GetProperty("value").GetDouble());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_bit_of_a_holding_register_is_set_without_touching_the_other_bits(string transport)
    {
        var (options, side) = Bus(transport);
        var word = new TagBinding(0, "word", Tag("hr:140"));
        var bit = new TagBinding(1, "bit", Tag("hr:140.3", ModbusDataType.Bool));
        await using var source = new ModbusSource("bus", options, [word, bit]);
        Assert.True((await FirstWriteAsync(source, word, 0b1000_0001)).Matches);

        Assert.Equal(new WriteResult(1, true), await source.WriteAsync(bit, 1, Ct));

        Assert.Equal(0b1000_1001, (await WritePymodbusTests.ReadIndependentlyAsync(side, "hr", 140, "uint16", "ABCD")).GetProperty("value").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_write_to_an_address_the_device_does_not_have_fails_as_illegal_data_address_not_transient(string transport)
    {
        var (options, _) = Bus(transport);
        var missing = new TagBinding(0, "missing", Tag($"hr:{TestMap.HoldingRegisters + 20}"));
        await using var source = new ModbusSource("bus", options, [missing]);
        var deadline = DateTime.UtcNow.AddSeconds(30);

        ModbusException e;
        do
        {
            e = await Assert.ThrowsAsync<ModbusException>(async () => await source.WriteAsync(missing, 1, Ct));
        }
        while (e.IsTransient && DateTime.UtcNow < deadline); // the serial server may still be opening its end

        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, e.ExceptionCode);
        Assert.False(e.IsTransient);
    }
}
