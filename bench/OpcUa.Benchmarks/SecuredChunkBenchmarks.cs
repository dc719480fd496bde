using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Security;
using EdgeAgent.Drivers.OpcUa.Services;

/// <summary>
/// What security costs per notification on the receive path: one MSG chunk carrying a PublishResponse of
/// <see cref="Values"/> Double changes is unsecured (AES-CBC decrypt + HMAC check for SignAndEncrypt, HMAC only for
/// Sign, nothing for None) and decoded, as the channel's receive loop and the publish loop do it. Divide by
/// <see cref="Values"/> for the per-notification figure. The goal: 0 B allocated per chunk in every mode.
/// </summary>
[MemoryDiagnoser]
public class SecuredChunkBenchmarks
{
    private readonly NotificationDecoder _decoder = new();
    private byte[] _chunk = [];
    private byte[] _work = [];
    private int _headerEnd;
    private ISecurityPolicy _receiver = SecurityPolicyNone.Instance;
    private Counter _sink = new();

    [Params(100, 250)]
    public int Values { get; set; }

    [Params("None", "Sign", "SignAndEncrypt")]
    public string Mode { get; set; } = "None";

    [GlobalSetup]
    public void Setup()
    {
        var body = Messages.PublishResponse(Values);
        var buffer = new byte[65536];
        UaTcp.WriteHeader(buffer, UaTcp.Msg, UaTcp.Final, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), 1);  // channel id
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(12), 1); // token id
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(16), 1); // sequence number
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(20), 1); // request id
        _headerEnd = 16;
        var w = new UaBinaryWriter(16);
        w.WriteNodeId(new NodeId(0, EncodingIds.PublishResponse));
        w.WrittenSpan.CopyTo(buffer.AsSpan(24));
        body.CopyTo(buffer, 24 + w.Position);
        var length = 24 + w.Position + body.Length;
        w.Dispose();
        if (Mode == "None")
        {
            _chunk = buffer[..length];
        }
        else
        {
            var mode = Mode == "Sign" ? MessageSecurityMode.Sign : MessageSecurityMode.SignAndEncrypt;
            using var a = Certificate("client");
            using var b = Certificate("server");
            var client = new RsaSecurityPolicy(SecurityPolicyInfo.Basic256Sha256, mode, a, X509CertificateLoader.LoadCertificate(b.RawData));
            var server = new RsaSecurityPolicy(SecurityPolicyInfo.Basic256Sha256, mode, b, X509CertificateLoader.LoadCertificate(a.RawData));
            var cn = client.CreateClientNonce();
            var sn = server.CreateClientNonce();
            client.OnTokenIssued(1, cn, sn);
            server.OnTokenIssued(1, sn, cn);
            _chunk = buffer[..server.SecureChunk(buffer, _headerEnd, length, asymmetric: false)];
            _receiver = client;
        }

        _work = new byte[_chunk.Length];
    }

    private static X509Certificate2 Certificate(string name)
    {
        using var rsa = RSA.Create(2048);
        return new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    [Benchmark]
    public int UnsecureAndDecode()
    {
        _chunk.CopyTo(_work, 0); // the receive loop reads each chunk into its buffer; decryption is in place
        var plain = _receiver.UnsecureChunk(_work, _headerEnd, asymmetric: false);
        var r = new UaBinaryReader(_work.AsSpan(plain)[8..]);
        _ = r.ReadNodeId();
        _decoder.DecodePublishResponse(ref r, _sink);
        return _sink.Count;
    }

    private sealed class Counter : INotificationHandler
    {
        public int Count;

        public void OnDataChange(uint subscriptionId, uint sequenceNumber, DateTime publishTime, ReadOnlySpan<MonitoredItemNotification> items) => Count = items.Length;
    }
}
