using CsCheck;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Security;
using EdgeAgent.Testing;

namespace EdgeAgent.Drivers.OpcUa.Tests.Security;

/// <summary>Random and mutated secured chunks: the policy returns a range inside the chunk or throws UaDecodingException, nothing else.</summary>
public sealed class SecuredChunkFuzzTests
{
    private static readonly Lazy<(RsaSecurityPolicy Client, RsaSecurityPolicy Server, byte[] Msg, int MsgEnd, byte[] Opn, int OpnEnd)> Pair = new(() =>
    {
        var info = SecurityPolicyInfo.Basic256Sha256;
        var a = TestCertificates.Create("A", 2048);
        var b = TestCertificates.Create("B", 2048);
        var client = new RsaSecurityPolicy(info, MessageSecurityMode.SignAndEncrypt, a, System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(b.RawData));
        var server = new RsaSecurityPolicy(info, MessageSecurityMode.SignAndEncrypt, b, System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(a.RawData));
        var cn = client.CreateClientNonce();
        var sn = server.CreateClientNonce();
        client.OnTokenIssued(1, cn, sn);
        server.OnTokenIssued(1, sn, cn);
        var (msg, msgEnd) = CryptoTests.SymmetricChunk(client, 1, new byte[100]);
        var (opn, opnEnd) = CryptoTests.AsymmetricChunk(client, a, b, new byte[60]);
        return (client, server, msg, msgEnd, opn, opnEnd);
    });

    private static void Unsecure(RsaSecurityPolicy policy, byte[] chunk, int headerEnd, bool asymmetric)
    {
        try
        {
            var range = policy.UnsecureChunk(chunk, headerEnd, asymmetric);
            var (offset, length) = range.GetOffsetAndLength(chunk.Length);
            Assert.InRange(offset, headerEnd, chunk.Length);
            Assert.InRange(length, 8, chunk.Length - offset);
        }
        catch (UaDecodingException)
        {
            // refused: the channel closes with BadSecurityChecksFailed
        }
    }

    [Fact]
    public void Mutated_symmetric_and_asymmetric_chunks_are_refused_or_decoded_never_crash()
    {
        var (_, server, msg, msgEnd, opn, opnEnd) = Pair.Value;
        var gen = Gen.Select(Gen.Bool, Gen.Int[0, 1 << 16], Gen.Byte, Gen.Int[0, 64]);
        gen.SampleWithDeadline(t =>
        {
            var (asymmetric, position, value, cut) = t;
            var chunk = (asymmetric ? opn : msg).ToArray();
            chunk[position % chunk.Length] ^= (byte)(value | 1);
            var truncated = chunk[..Math.Max(asymmetric ? opnEnd : msgEnd, chunk.Length - cut)];
            Unsecure(server, truncated, asymmetric ? opnEnd : msgEnd, asymmetric);
        }, iter: 300, threads: 1);
    }

    [Fact]
    public void Random_bytes_after_a_valid_header_are_refused_never_crash()
    {
        var (_, server, msg, msgEnd, opn, opnEnd) = Pair.Value;
        Gen.Select(Gen.Bool, Gen.Byte.Array[0, 1200]).SampleWithDeadline(t =>
        {
            var (asymmetric, tail) = t;
            var headerEnd = asymmetric ? opnEnd : msgEnd;
            var chunk = (asymmetric ? opn : msg)[..headerEnd].Concat(tail).ToArray();
            Unsecure(server, chunk, headerEnd, asymmetric);
        }, iter: 300, threads: 1);
    }
}
