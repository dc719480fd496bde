using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Drivers.Modbus.Tests;

/// <summary>A TCP peer in the test process whose behaviour per connection the test scripts.</summary>
internal sealed class ScriptedPeer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    public ScriptedPeer(Func<NetworkStream, CancellationToken, Task> serve)
    {
        _listener.Start();
        _accept = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = Task.Run(async () =>
                    {
                        using (client)
                        {
                            try
                            {
                                await serve(client.GetStream(), _stop.Token);
                            }
                            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
                            {
                            }
                        }
                    });
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>A minimal Modbus TCP server built on our own codec: answers FC 3 from <paramref name="answer"/>.</summary>
    public static ScriptedPeer Modbus(Func<int, ModbusRequest, byte[]?> answer)
    {
        var requestNumber = 0;
        return new ScriptedPeer(async (stream, ct) =>
        {
            var buffer = new byte[260];
            while (true)
            {
                await stream.ReadExactlyAsync(buffer.AsMemory(0, 6), ct);
                var length = (buffer[4] << 8) | buffer[5];
                await stream.ReadExactlyAsync(buffer.AsMemory(6, length), ct);
                var request = ModbusPdu.ParseRequest(buffer.AsSpan(7, length - 1));
                var pdu = answer(Interlocked.Increment(ref requestNumber), request);
                if (pdu is null)
                {
                    continue; // stay silent
                }

                var adu = new byte[7 + pdu.Length];
                MbapFrame.Write(adu, (ushort)((buffer[0] << 8) | buffer[1]), buffer[6], pdu);
                await stream.WriteAsync(adu, ct);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accept;
    }
}

public class TcpFaultTests
{
    private static ModbusSourceOptions Options(int port, int retries = 0, int timeoutMs = 300) =>
        new() { Endpoint = $"127.0.0.1:{port}", Timeout = TimeSpan.FromMilliseconds(timeoutMs), Retries = retries, Poll = TimeSpan.FromMilliseconds(50) };

    private static byte[] Registers(ModbusRequest r)
    {
        var data = new byte[r.Quantity * 2];
        for (var i = 0; i < r.Quantity; i++)
        {
            data[(i * 2) + 1] = (byte)(r.Address + i);
        }

        var pdu = new byte[2 + data.Length];
        ModbusPdu.WriteReadResponse(pdu, r.Function, data);
        return pdu;
    }

    [Fact]
    public async Task Retries_a_busy_device_and_succeeds_on_the_third_attempt()
    {
        await using var peer = ScriptedPeer.Modbus((n, r) =>
        {
            if (n <= 2)
            {
                var busy = new byte[2];
                ModbusPdu.WriteExceptionResponse(busy, r.Function, ModbusExceptionCode.ServerDeviceBusy);
                return busy;
            }

            return Registers(r);
        });
        await using var client = new ModbusClient(Options(peer.Port, timeoutMs: 5000).CreateTransport(), new ModbusClientOptions { Retries = 2, RetryBackoff = TimeSpan.FromMilliseconds(1) });
        Assert.Equal(new ushort[] { 10, 11 }, await client.ReadHoldingRegistersAsync(1, 10, 2, TestContext.Token));
        Assert.Equal(2, client.RetryCount);
    }

    [Fact]
    public async Task A_silent_device_times_out_with_a_TimeoutException_inside_our_exception()
    {
        await using var peer = ScriptedPeer.Modbus((_, _) => null);
        await using var client = new ModbusClient(Options(peer.Port).CreateTransport(), new ModbusClientOptions { Retries = 0 });
        var e = await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(1, 0, 1, TestContext.Token));
        Assert.Equal(ModbusErrorKind.Timeout, e.Kind);
        Assert.IsType<TimeoutException>(e.InnerException);
        Assert.True(e.IsTransient);
        Assert.Contains("no response within 300 ms", e.Message);
    }

    [Fact]
    public async Task Caller_cancellation_is_an_OperationCanceledException_not_a_timeout()
    {
        await using var peer = ScriptedPeer.Modbus((_, _) => null);
        await using var client = new ModbusClient(new ModbusTcpTransport(new ModbusTcpOptions { Host = "127.0.0.1", Port = peer.Port, Timeout = TimeSpan.FromSeconds(30) }));
        using var cts = new CancellationTokenSource();
        var read = client.ReadHoldingRegistersAsync(1, 0, 1, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }

    [Fact]
    public async Task A_late_answer_after_a_timeout_is_ignored_and_the_next_request_gets_its_own()
    {
        var slowFirst = 0;
        await using var peer = new ScriptedPeer(async (stream, ct) =>
        {
            var buffer = new byte[260];
            while (true)
            {
                await stream.ReadExactlyAsync(buffer.AsMemory(0, 12), ct);
                var request = ModbusPdu.ParseRequest(buffer.AsSpan(7, 5));
                if (Interlocked.Increment(ref slowFirst) == 1)
                {
                    // Answer the first request only after the second has been sent: the client must not confuse them.
                    await stream.ReadExactlyAsync(buffer.AsMemory(12, 12), ct);
                    var first = Registers(request);
                    var adu1 = new byte[7 + first.Length];
                    MbapFrame.Write(adu1, (ushort)((buffer[0] << 8) | buffer[1]), 1, first);
                    var second = Registers(ModbusPdu.ParseRequest(buffer.AsSpan(19, 5)));
                    var adu2 = new byte[7 + second.Length];
                    MbapFrame.Write(adu2, (ushort)((buffer[12] << 8) | buffer[13]), 1, second);
                    await stream.WriteAsync(adu1.Concat(adu2).ToArray(), ct);
                    continue;
                }

                var pdu = Registers(request);
                var adu = new byte[7 + pdu.Length];
                MbapFrame.Write(adu, (ushort)((buffer[0] << 8) | buffer[1]), 1, pdu);
                await stream.WriteAsync(adu, ct);
            }
        });
        var transport = new ModbusTcpTransport(new ModbusTcpOptions { Host = "127.0.0.1", Port = peer.Port, Timeout = TimeSpan.FromSeconds(1), TimeoutsBeforeReconnect = 5 });
        await using var client = new ModbusClient(transport, new ModbusClientOptions { Retries = 0 });
        await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(1, 1, 1, TestContext.Token));
        Assert.Equal(new ushort[] { 2 }, await client.ReadHoldingRegistersAsync(1, 2, 1, TestContext.Token));
        Assert.Equal(1, transport.StaleResponses);
        Assert.Equal(new ushort[] { 3 }, await client.ReadHoldingRegistersAsync(1, 3, 1, TestContext.Token));
    }

    [Fact]
    public async Task A_garbage_spewing_peer_gives_a_typed_frame_error_and_never_hangs()
    {
        await using var peer = new ScriptedPeer(async (stream, ct) =>
        {
            var junk = new byte[4096];
            var random = new Random(7);
            while (true)
            {
                random.NextBytes(junk);
                junk[2] = 0x55; // never protocol id 0
                await stream.WriteAsync(junk, ct);
            }
        });
        var transport = new ModbusTcpTransport(new ModbusTcpOptions { Host = "127.0.0.1", Port = peer.Port, Timeout = TimeSpan.FromSeconds(5) });
        await using var client = new ModbusClient(transport, new ModbusClientOptions { Retries = 0 });
        for (var i = 0; i < 3; i++)
        {
            var e = await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(1, 0, 1, TestContext.Token));
            Assert.True(e.Kind is ModbusErrorKind.Frame or ModbusErrorKind.Connection, e.ToString());
            Assert.Contains($"127.0.0.1:{peer.Port}", e.Message);
        }

        Assert.True(transport.Connects >= 2, "each broken connection is replaced by a new one");
    }

    [Fact]
    public async Task An_oversized_mbap_length_closes_the_connection_without_waiting_for_the_body()
    {
        await using var peer = new ScriptedPeer(async (stream, ct) =>
        {
            var buffer = new byte[12];
            await stream.ReadExactlyAsync(buffer, ct);
            await stream.WriteAsync(new byte[] { buffer[0], buffer[1], 0, 0, 0x01, 0x00, 1, 3 }, ct); // length 256 > 254
            await Task.Delay(Timeout.Infinite, ct);
        });
        await using var client = new ModbusClient(new ModbusTcpTransport(new ModbusTcpOptions { Host = "127.0.0.1", Port = peer.Port, Timeout = TimeSpan.FromSeconds(30) }), new ModbusClientOptions { Retries = 0 });
        var e = await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(1, 0, 1, TestContext.Token));
        Assert.Equal(ModbusErrorKind.Frame, e.Kind);
        Assert.Equal(4, e.ByteOffset);
        Assert.Contains("MBAP length 256 exceeds the maximum of 254", e.Message);
    }

    [Fact]
    public async Task Nobody_listening_is_a_transient_connection_error()
    {
        var port = PeerProcess.FreePort();
        await using var client = new ModbusClient(Options(port).CreateTransport(), new ModbusClientOptions { Retries = 0 });
        var e = await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(1, 0, 1, TestContext.Token));
        Assert.Equal(ModbusErrorKind.Connection, e.Kind);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Source_goes_down_when_pymodbus_is_killed_mid_poll_and_up_when_it_returns()
    {
        var port = PeerProcess.FreePort();
        var server = await PeerProcess.PymodbusTcpAsync(port);
        try
        {
            var tags = new List<TagBinding> { new(0, "t", new ModbusTagOptions { Address = ModbusAddress.Parse("hr:1") }) };
            var logs = new ListLogger();
            await using var source = new ModbusSource("plc", Options(port, retries: 1), tags, logs);
            var writer = new RecordingWriter();
            using var stop = new CancellationTokenSource();
            var run = source.RunAsync(writer, stop.Token);

            await writer.WaitForAsync(w => w.Changes.Any(c => c.State == SourceState.Up), "Up");
            Assert.Equal(54321, writer.LastBatch![0].Value);

            await server.KillAsync();
            await writer.WaitForAsync(w => w.Changes[^1].State == SourceState.Down, "Down after the kill");
            Assert.Contains($"127.0.0.1:{port}", writer.Changes[^1].Reason);
            await writer.WaitForAsync(w => w.LastBatch![0].Quality == Quality.Bad, "a Bad sample");

            await server.DisposeAsync();
            server = await PeerProcess.PymodbusTcpAsync(port);
            await writer.WaitForAsync(w => w.Changes[^1].State == SourceState.Up && w.LastBatch![0].Quality == Quality.Good, "Up again", seconds: 40);

            stop.Cancel();
            await run;
            Assert.Equal(["up", "down", "up"], logs.Lines.Select(l => l.Contains(" up (") ? "up" : l.Contains(" down (") ? "down" : l));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
