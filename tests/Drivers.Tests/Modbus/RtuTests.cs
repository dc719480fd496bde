using System.IO.Ports;

namespace EdgeAgent.Drivers.Modbus.Tests;

/// <summary>A socat pty pair (8N1; ptys refuse even parity): the test talks to A, the peer listens on B.</summary>
public sealed class PtyPair : IAsyncDisposable
{
    private readonly PeerProcess _socat;

    private PtyPair(PeerProcess socat, string dir)
    {
        _socat = socat;
        A = Path.Combine(dir, "A");
        B = Path.Combine(dir, "B");
    }

    public string A { get; }

    public string B { get; }

    public static async Task<PtyPair> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("modbus-pty").FullName;
        var socat = PeerProcess.Start("/usr/bin/socat", $"pty,raw,echo=0,link={dir}/A", $"pty,raw,echo=0,link={dir}/B");
        var pair = new PtyPair(socat, dir);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(pair.A) || !File.Exists(pair.B))
        {
            if (socat.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"socat did not create the pty pair (run tests/peers/install.sh): {socat.Output}");
            }

            await Task.Delay(20);
        }

        return pair;
    }

    public ValueTask DisposeAsync() => _socat.DisposeAsync();
}

public sealed class PymodbusRtuFixture : IAsyncLifetime
{
    public PtyPair? Pty { get; private set; }

    public PeerProcess? Server { get; private set; }

    public async Task InitializeAsync()
    {
        Pty = await PtyPair.StartAsync();
        Server = PeerProcess.Start("/usr/bin/python3", PeerProcess.Script("pymodbus_server.py"), "--map", TestMap.WriteJson(), "--serial", Pty.B, "--baud", "19200");
        await Server.WaitForOutputAsync("starting");
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (Pty is not null)
        {
            await Pty.DisposeAsync();
        }
    }
}

public class RtuTests(PymodbusRtuFixture peer) : IClassFixture<PymodbusRtuFixture>
{
    private ModbusSourceOptions Options => new()
    {
        Transport = ModbusTransportKind.Rtu,
        Timeout = TimeSpan.FromSeconds(1),
        Retries = 2,
        Serial = new ModbusSerialOptions { Port = peer.Pty!.A, Baud = 19200, Parity = Parity.None },
    };

    [Fact]
    public async Task Reads_every_type_and_word_order_over_a_pty_from_pymodbus_rtu()
    {
        var tags = TcpPymodbusTests.AllTags();
        await using var source = new ModbusSource("bus", Options, tags);
        // The serial server may take a moment to open its end: wait for the first Good poll.
        Sample[]? samples = null;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (samples is null)
        {
            try
            {
                samples = await source.ReadOnceAsync(TestContext.Token);
            }
            catch (ModbusException) when (DateTime.UtcNow < deadline)
            {
            }
        }

        TcpPymodbusTests.AssertMapValues(tags, samples);
    }

    [Fact]
    public async Task Multi_drop_reads_two_unit_ids_on_one_port_one_request_at_a_time()
    {
        var tags = new List<TagBinding>
        {
            new(0, "u1", new ModbusTagOptions { Address = ModbusAddress.Parse("hr:1") }),
            new(1, "u2", new ModbusTagOptions { Address = ModbusAddress.Parse("hr:0"), UnitId = 2 }),
            new(2, "u1coil", new ModbusTagOptions { Address = ModbusAddress.Parse("coil:5"), Type = ModbusDataType.Bool }),
        };
        await using var source = new ModbusSource("bus", Options, tags);
        Assert.Equal(3, source.Plan.Count);
        Sample[]? s = null;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (s is null)
        {
            try
            {
                s = await source.ReadOnceAsync(TestContext.Token);
            }
            catch (ModbusException) when (DateTime.UtcNow < deadline)
            {
            }
        }

        Assert.Equal([54321, 2222, 1], s.Select(x => x.Value));

        // Concurrent callers on one bus are serialised, never interleaved on the wire.
        var client = source.Client;
        var reads = Enumerable.Range(0, 10).Select(i => client.ReadHoldingRegistersAsync((byte)(1 + (i % 2)), 0, 1, TestContext.Token)).ToArray();
        var results = await Task.WhenAll(reads);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? unchecked((ushort)(short)-1234) : (ushort)2222, results[i][0]);
        }
    }
}

/// <summary>Garbled RTU answers from a scripted RTU-over-TCP peer: the same resynchronisation code as on a serial port.</summary>
public class RtuResyncTests
{
    private static byte[] Answer(byte unit, ModbusRequest r)
    {
        var data = new byte[r.Quantity * 2];
        for (var i = 0; i < r.Quantity; i++)
        {
            data[(i * 2) + 1] = (byte)(r.Address + i);
        }

        var pdu = new byte[2 + data.Length];
        ModbusPdu.WriteReadResponse(pdu, r.Function, data);
        var adu = new byte[pdu.Length + 3];
        RtuFrame.Write(adu, unit, pdu);
        return adu;
    }

    /// <summary>Answers request n with <paramref name="script"/>(n, good answer) — possibly corrupted.</summary>
    private static ScriptedPeer Peer(Func<int, byte[], byte[]> script)
    {
        var n = 0;
        return new ScriptedPeer(async (stream, ct) =>
        {
            var buffer = new byte[8];
            while (true)
            {
                await stream.ReadExactlyAsync(buffer, ct);
                Assert.True(RtuFrame.TryReadRequest(buffer, out _));
                var good = Answer(buffer[0], ModbusPdu.ParseRequest(buffer.AsSpan(1, 5)));
                var reply = script(Interlocked.Increment(ref n), good);
                if (reply.Length > 0)
                {
                    await stream.WriteAsync(reply, ct);
                }
            }
        });
    }

    private static async Task<(ModbusException Error, ushort[] Next, ModbusRtuTransport Transport)> FirstFailsThenRecovers(ScriptedPeer peer, TimeSpan? timeout = null)
    {
        var transport = ModbusRtuTransport.ForTcp("127.0.0.1", peer.Port, timeout ?? TimeSpan.FromSeconds(5)); // generous: the machine is shared
        var client = new ModbusClient(transport, new ModbusClientOptions { Retries = 0 });
        var e = await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(1, 4, 2, TestContext.Token));
        var next = await client.ReadHoldingRegistersAsync(1, 4, 2, TestContext.Token);
        await client.DisposeAsync();
        return (e, next, transport);
    }

    [Fact]
    public async Task A_bad_crc_is_discarded_and_the_next_request_reads_clean()
    {
        await using var peer = Peer((n, good) =>
        {
            if (n == 1)
            {
                good[^1] ^= 0x5A;
            }

            return good;
        });
        var (e, next, transport) = await FirstFailsThenRecovers(peer);
        Assert.Equal(ModbusErrorKind.Frame, e.Kind);
        Assert.Contains("bad CRC", e.Message);
        Assert.Equal(new ushort[] { 4, 5 }, next);
        Assert.Equal(1, transport.Resyncs);
    }

    [Fact]
    public async Task A_truncated_frame_times_out_as_a_short_frame_and_the_next_request_reads_clean()
    {
        await using var peer = Peer((n, good) => n == 1 ? good[..5] : good);
        var (e, next, _) = await FirstFailsThenRecovers(peer, TimeSpan.FromSeconds(1));
        Assert.Equal(ModbusErrorKind.Timeout, e.Kind);
        Assert.IsType<TimeoutException>(e.InnerException);
        Assert.Contains("short frame: 5 bytes then silence for 1000 ms", e.Message);
        Assert.Equal(new ushort[] { 4, 5 }, next);
    }

    [Fact]
    public async Task An_answer_from_the_wrong_unit_is_discarded()
    {
        await using var peer = Peer((n, good) =>
        {
            if (n == 1)
            {
                good[0] = 9;
                var crc = Crc16.Compute(good.AsSpan(0, good.Length - 2));
                good[^2] = (byte)crc;
                good[^1] = (byte)(crc >> 8);
            }

            return good;
        });
        var (e, next, _) = await FirstFailsThenRecovers(peer);
        Assert.Equal(ModbusErrorKind.UnexpectedResponse, e.Kind);
        Assert.Contains("expected unit 1 function 3, found unit 9 function 3", e.Message);
        Assert.Equal(new ushort[] { 4, 5 }, next);
    }

    [Fact]
    public async Task Noise_before_the_answer_is_reported_and_the_bus_recovers()
    {
        await using var peer = Peer((n, good) => n == 1 ? [0x01, 0x99, .. good] : good);
        var (e, next, _) = await FirstFailsThenRecovers(peer);
        Assert.Equal(ModbusErrorKind.Frame, e.Kind);
        Assert.Equal(new ushort[] { 4, 5 }, next);
    }

    [Fact]
    public async Task A_device_exception_over_rtu_names_the_code()
    {
        await using var peer = new ScriptedPeer(async (stream, ct) =>
        {
            var buffer = new byte[8];
            await stream.ReadExactlyAsync(buffer, ct);
            var adu = new byte[5];
            RtuFrame.Write(adu, buffer[0], [0x83, 0x02]);
            await stream.WriteAsync(adu, ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        await using var client = new ModbusClient(ModbusRtuTransport.ForTcp("127.0.0.1", peer.Port, TimeSpan.FromSeconds(5)));
        var e = await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(3, 7, 1, TestContext.Token));
        Assert.Equal((ModbusExceptionCode.IllegalDataAddress, (byte)3, (ushort)7), (e.ExceptionCode!.Value, e.UnitId!.Value, e.Address!.Value));
    }

    [Fact]
    public async Task Reads_from_pymodbus_with_rtu_framing_over_tcp()
    {
        var port = PeerProcess.FreePort();
        await using var server = await PeerProcess.PymodbusTcpAsync(port, framer: "rtu");
        var tags = TcpPymodbusTests.AllTags();
        await using var source = new ModbusSource("gw", new ModbusSourceOptions { Transport = ModbusTransportKind.RtuOverTcp, Endpoint = $"127.0.0.1:{port}", Timeout = TimeSpan.FromSeconds(2) }, tags);
        TcpPymodbusTests.AssertMapValues(tags, await source.ReadOnceAsync(TestContext.Token));
    }
}
