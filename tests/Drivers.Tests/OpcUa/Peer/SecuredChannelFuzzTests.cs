using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CsCheck;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Security;
using EdgeAgent.Drivers.OpcUa.Tests.Security;

namespace EdgeAgent.Drivers.OpcUa.Tests.Peer;

/// <summary>
/// A loopback peer that opens a real Basic256Sha256 SignAndEncrypt channel with our client (HEL/ACK, the RSA OPN
/// exchange, symmetric keys), then sends one mutated or random MSG chunk and hangs up. Whatever the chunk, the
/// channel ends with an <see cref="OpcUaException"/> (the security check, or the closed connection) and never hangs
/// or lets another exception escape its receive loop.
/// </summary>
public sealed class SecuredChannelFuzzTests
{
    private static readonly SecurityPolicyInfo Info = SecurityPolicyInfo.Basic256Sha256;
    private static readonly Lazy<(X509Certificate2 Client, X509Certificate2 Server)> Certificates =
        new(() => (TestCertificates.Create("client", 2048), TestCertificates.Create("server", 2048)));

    [Fact]
    public async Task Mutated_and_random_secured_chunks_end_the_channel_with_an_opc_ua_error_never_a_hang()
    {
        var inputs = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 1 << 16], Gen.Byte, Gen.Byte.Array[0, 200]).Array[60].Single();
        foreach (var (kind, position, value, random) in inputs)
        {
            var what = $"kind {kind}, position {position}, value {value}, {random.Length} random bytes";
            var outcome = await RunAsync(chunk =>
            {
                switch (kind)
                {
                    case 0: // one byte changed after the channel and token ids (those the channel checks itself)
                        chunk[16 + (position % (chunk.Length - 16))] ^= (byte)(value | 1);
                        return chunk;
                    case 1: // the secured part replaced by random bytes, the message size patched to match
                        var forged = chunk[..16].Concat(random).ToArray();
                        BinaryPrimitives.WriteUInt32LittleEndian(forged.AsSpan(4), (uint)forged.Length);
                        return forged.Length >= 24 ? forged : chunk;
                    default: // untouched: accepted, then the peer hangs up
                        return chunk;
                }
            }).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(outcome is OpcUaException, $"{what}: {outcome}");
            if (kind == 2)
            {
                Assert.True(((OpcUaException)outcome).StatusCode.Code == StatusCode.BadConnectionClosed, outcome!.ToString());
            }
        }
    }

    /// <summary>Opens the channel against the fake peer, lets it send its (mutated) chunk, returns how the channel ended.</summary>
    private static async Task<Exception?> RunAsync(Func<byte[], byte[]> mutate)
    {
        var (clientCertificate, serverCertificate) = Certificates.Value;
        using var client = new RsaSecurityPolicy(Info, MessageSecurityMode.SignAndEncrypt, clientCertificate, X509CertificateLoader.LoadCertificate(serverCertificate.RawData));
        using var server = new RsaSecurityPolicy(Info, MessageSecurityMode.SignAndEncrypt, serverCertificate, X509CertificateLoader.LoadCertificate(clientCertificate.RawData));
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"opc.tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/x";
        var peer = Task.Run(async () =>
        {
            try
            {
                using var socket = await listener.AcceptSocketAsync();
                await using var stream = new NetworkStream(socket);
                await RawPeerFrames.ReadChunkAsync(stream); // HEL
                await stream.WriteAsync(RawPeerFrames.Ack());
                var opn = await RawPeerFrames.ReadChunkAsync(stream);
                var headerEnd = AsymmetricHeaderEnd(opn);
                var plain = opn.AsSpan(server.UnsecureChunk(opn, headerEnd, asymmetric: true));
                var requestId = BinaryPrimitives.ReadUInt32LittleEndian(plain[4..]);
                var clientNonce = ClientNonce(plain[8..]);
                var serverNonce = RandomNumberGenerator.GetBytes(32);
                await stream.WriteAsync(OpenResponse(server, clientCertificate, serverCertificate, requestId, serverNonce));
                server.OnTokenIssued(1, serverNonce, clientNonce); // mirrored: the peer's sending keys are the client's receiving keys
                await stream.WriteAsync(mutate(Message(server)));
            }
            finally
            {
                listener.Stop();
            }
        });

        await using var channel = await UaSecureChannel.OpenAsync(url, client, new UaTransportOptions { ConnectTimeout = TimeSpan.FromSeconds(10) });
        await peer;
        try
        {
            await channel.Completion.WaitAsync(TimeSpan.FromSeconds(20));
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static int AsymmetricHeaderEnd(byte[] chunk)
    {
        var r = new UaBinaryReader(chunk);
        r.Skip(12);
        _ = r.ReadString();
        _ = r.ReadByteString();
        _ = r.ReadByteString();
        return r.Position;
    }

    /// <summary>OpenSecureChannelRequest (Part 4 §5.5.2): the ClientNonce after the request header.</summary>
    private static byte[] ClientNonce(ReadOnlySpan<byte> body)
    {
        var r = new UaBinaryReader(body);
        _ = r.ReadNodeId();
        _ = r.ReadNodeId(); // RequestHeader: AuthenticationToken
        _ = r.ReadDateTime();
        _ = r.ReadUInt32();
        _ = r.ReadUInt32();
        _ = r.ReadString();
        _ = r.ReadUInt32();
        _ = r.ReadExtensionObjectBody(out _);
        _ = r.ReadUInt32(); // ClientProtocolVersion
        _ = r.ReadInt32(); // RequestType
        _ = r.ReadInt32(); // SecurityMode
        return r.ReadByteString()!;
    }

    private static byte[] OpenResponse(RsaSecurityPolicy server, X509Certificate2 client, X509Certificate2 self, uint requestId, byte[] serverNonce)
    {
        using var w = new UaBinaryWriter(4096);
        w.WriteRaw("OPNF"u8);
        w.WriteUInt32(0);
        w.WriteUInt32(7); // SecureChannelId
        w.WriteString(Info.Uri);
        w.WriteByteString(self.RawData);
        w.WriteByteString(client.GetCertHash());
        var headerEnd = w.Position;
        w.WriteUInt32(1); // SequenceNumber
        w.WriteUInt32(requestId);
        w.WriteNodeId(new NodeId(0, 449)); // OpenSecureChannelResponse
        w.WriteDateTime(DateTime.UtcNow); // ResponseHeader
        w.WriteUInt32(1);
        w.WriteUInt32(0);
        w.WriteByte(0);
        w.WriteInt32(-1);
        w.WriteExtensionObject(ExtensionObject.Null);
        w.WriteUInt32(0); // ServerProtocolVersion
        w.WriteUInt32(7); // ChannelId
        w.WriteUInt32(1); // TokenId
        w.WriteDateTime(DateTime.UtcNow);
        w.WriteUInt32(600_000);
        w.WriteByteString(serverNonce);
        var buffer = new byte[8192];
        w.WrittenSpan.CopyTo(buffer);
        var length = server.SecureChunk(buffer, headerEnd, w.Position, asymmetric: true);
        return buffer[..length];
    }

    /// <summary>A valid secured MSG chunk for a request the client never made (it drops it).</summary>
    private static byte[] Message(RsaSecurityPolicy server)
    {
        var buffer = new byte[8192];
        UaTcp.WriteHeader(buffer, UaTcp.Msg, UaTcp.Final, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), 7);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(12), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(16), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(20), 99_999);
        RandomNumberGenerator.Fill(buffer.AsSpan(24, 100));
        return buffer[..server.SecureChunk(buffer, 16, 124, asymmetric: false)];
    }
}
