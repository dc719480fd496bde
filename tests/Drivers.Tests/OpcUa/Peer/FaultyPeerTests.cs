using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;

namespace EdgeAgent.Drivers.OpcUa.Tests.Peer;

/// <summary>A misbehaving server on loopback: every failure must be a clear <see cref="OpcUaException"/>, never a hang.</summary>
public sealed class FaultyPeerTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(20);

    /// <summary>Accepts one connection and runs <paramref name="script"/> on it.</summary>
    private static (string Url, Task Peer) Peer(Func<NetworkStream, Task> script)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"opc.tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/x";
        var task = Task.Run(async () =>
        {
            try
            {
                using var socket = await listener.AcceptSocketAsync();
                await using var stream = new NetworkStream(socket);
                await script(stream);
            }
            finally
            {
                listener.Stop();
            }
        });
        return (url, task);
    }

    private static async Task<OpcUaException> Fails(string url)
    {
        var connect = UaClient.ConnectAsync(new UaClientOptions { EndpointUrl = url, Transport = new UaTransportOptions { ConnectTimeout = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromSeconds(5) } });
        return await Assert.ThrowsAsync<OpcUaException>(() => connect.WaitAsync(NoHang));
    }

    [Fact]
    public async Task A_peer_that_answers_hello_with_garbage_is_a_clear_error()
    {
        var (url, peer) = Peer(async s =>
        {
            await RawPeerFrames.ReadChunkAsync(s);
            await s.WriteAsync("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray());
        });
        var e = await Fails(url);
        Assert.Equal(StatusCode.BadTcpMessageTypeInvalid, e.StatusCode.Code);
        Assert.Contains("expected ACK or ERR after Hello, found 'HTTP'", e.Message);
        await peer;
    }

    [Fact]
    public async Task A_peer_that_closes_mid_chunk_is_a_clear_error()
    {
        var (url, peer) = Peer(async s =>
        {
            await RawPeerFrames.ReadChunkAsync(s);
            await s.WriteAsync(RawPeerFrames.Ack());
            await RawPeerFrames.ReadChunkAsync(s); // OPN
            var partial = new byte[20];
            "OPNF"u8.CopyTo(partial);
            BinaryPrimitives.WriteInt32LittleEndian(partial.AsSpan(4), 100);
            await s.WriteAsync(partial);
        });
        var e = await Fails(url);
        Assert.Equal(StatusCode.BadConnectionClosed, e.StatusCode.Code);
        Assert.Contains("mid-chunk body (12 of 92 bytes)", e.Message);
        await peer;
    }

    [Fact]
    public async Task A_chunk_larger_than_the_negotiated_buffer_is_rejected_before_its_body_arrives()
    {
        var (url, peer) = Peer(async s =>
        {
            await RawPeerFrames.ReadChunkAsync(s);
            await s.WriteAsync(RawPeerFrames.Ack());
            await RawPeerFrames.ReadChunkAsync(s);
            var header = new byte[8];
            "MSGF"u8.CopyTo(header);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), int.MaxValue);
            await s.WriteAsync(header);
            await Task.Delay(TimeSpan.FromSeconds(30)).WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });
        });
        var e = await Fails(url);
        Assert.Equal(StatusCode.BadTcpMessageTooLarge, e.StatusCode.Code);
        _ = peer;
    }

    [Fact]
    public async Task An_err_message_carries_the_servers_code_and_reason()
    {
        var (url, peer) = Peer(async s =>
        {
            await RawPeerFrames.ReadChunkAsync(s);
            using var w = new UaBinaryWriter();
            w.WriteRaw("ERRF"u8);
            w.WriteUInt32(0);
            w.WriteUInt32(StatusCode.BadTcpEndpointUrlInvalid);
            w.WriteString("no such endpoint");
            w.PatchUInt32(4, (uint)w.Position);
            await s.WriteAsync(w.ToArray());
        });
        var e = await Fails(url);
        Assert.Equal(StatusCode.BadTcpEndpointUrlInvalid, e.StatusCode.Code);
        Assert.Contains("no such endpoint", e.Message);
        await peer;
    }

    [Fact]
    public async Task A_silent_peer_times_out()
    {
        var (url, peer) = Peer(async s => await Task.Delay(TimeSpan.FromSeconds(8)));
        var connect = UaClient.ConnectAsync(new UaClientOptions { EndpointUrl = url, Transport = new UaTransportOptions { ConnectTimeout = TimeSpan.FromMilliseconds(500) } });
        var e = await Assert.ThrowsAsync<OpcUaException>(() => connect.WaitAsync(NoHang));
        Assert.Equal(StatusCode.BadTimeout, e.StatusCode.Code);
        _ = peer;
    }

    [Fact]
    public async Task A_refused_connection_names_the_endpoint()
    {
        var port = OpcUaServerProcess.FreePort();
        var e = await Fails($"opc.tcp://127.0.0.1:{port}");
        Assert.Contains($"127.0.0.1:{port}", e.Message);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Random_bytes_after_hello_never_hang_the_client()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20; i++)
        {
            var garbage = new byte[random.Next(1, 200)];
            random.NextBytes(garbage);
            var (url, peer) = Peer(async s =>
            {
                await RawPeerFrames.ReadChunkAsync(s);
                await s.WriteAsync(RawPeerFrames.Ack());
                await RawPeerFrames.ReadChunkAsync(s);
                await s.WriteAsync(garbage);
            });
            var e = await Fails(url);

            // The bytes arrive where the OpenSecureChannel response's header belongs, then the peer closes.
            if (garbage.Length < 8)
            {
                Assert.Equal(StatusCode.BadConnectionClosed, e.StatusCode.Code);
                Assert.Contains($"server closed the connection mid-message header ({garbage.Length} of 8 bytes)", e.Message);
            }
            else
            {
                Assert.Equal(StatusCode.BadTcpMessageTypeInvalid, e.StatusCode.Code);
                Assert.Contains("unknown message type '", e.Message);
                Assert.Contains($"(0x{BinaryPrimitives.ReadUInt32BigEndian(garbage):X8})", e.Message);
            }

            await peer;
        }
    }

    [Fact]
    public async Task An_unanswered_open_secure_channel_times_out_naming_the_service()
    {
        var (url, peer) = Peer(async s =>
        {
            await RawPeerFrames.ReadChunkAsync(s);
            await s.WriteAsync(RawPeerFrames.Ack());
            await RawPeerFrames.ReadChunkAsync(s); // OPN, never answered
            await Task.Delay(TimeSpan.FromSeconds(10));
        });
        var connect = UaClient.ConnectAsync(new UaClientOptions { EndpointUrl = url, Transport = new UaTransportOptions { ConnectTimeout = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromMilliseconds(300) } });
        var e = await Assert.ThrowsAsync<OpcUaException>(() => connect.WaitAsync(NoHang));
        Assert.Equal(StatusCode.BadTimeout, e.StatusCode.Code);
        Assert.Equal("OpenSecureChannel", e.Service);
        Assert.Contains("no response within 0.3 s", e.Message);
        _ = peer;
    }
}
