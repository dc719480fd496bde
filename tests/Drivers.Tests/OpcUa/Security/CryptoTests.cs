using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Security;

namespace EdgeAgent.Drivers.OpcUa.Tests.Security;

/// <summary>
/// The crypto core on known vectors: P_SHA256 against the published TLS 1.2 PRF vector, P_SHA1 and the derived keys,
/// HMACs and AES-CBC outputs against node-opcua-crypto 6.0 (computed once with fixed nonces, pasted here); the chunk
/// layout by securing with one side and unsecuring with the mirrored other side.
/// </summary>
public sealed class CryptoTests
{
    private static readonly byte[] TlsSecret = Convert.FromHexString("9bbe436ba940f017b17652849a71db35");
    private static readonly byte[] TlsSeed = [.. "test label"u8, .. Convert.FromHexString("a0ba9f936cda311827a6f796ffd5198c")];

    [Fact]
    public void P_sha256_matches_the_tls12_prf_test_vector()
    {
        var output = new byte[100];
        PSha.Derive(HashAlgorithmName.SHA256, TlsSecret, TlsSeed, output);
        Assert.Equal(
            "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66",
            Convert.ToHexStringLower(output));
    }

    [Fact]
    public void P_sha1_matches_node_opcua_crypto()
    {
        var output = new byte[80];
        PSha.Derive(HashAlgorithmName.SHA1, TlsSecret, TlsSeed, output);
        Assert.Equal(
            "811429c07ba1f6aee5059e6071ff3e69de62e7cd767fd55700042ec2fcd7db6ca3143cf3c78bb929c1ae51f51cdd3804a3bd642e63c09267c3c97e0916509e0060553688f6ced4f09ce66ad0ead90e81",
            Convert.ToHexStringLower(output));
    }

    public static TheoryData<string, string, string, string, string, string> Vectors => new()
    {
        // policy, signing key, encrypting key, IV, HMAC(plain), AES-CBC(plain): client keys from server nonce 32..63, client nonce 0..31.
        {
            "Basic256Sha256",
            "dd585db0c102dd1a4c1ed4dd195606dec3f7a1c789afca78f9479ed3a5d668af", "ce49cb8f1c65a827f412c48e71c9f9cb3b5c2ee2fc2e4b3bd46d4098b5e45475", "a77832c6215b6e7ab85f2e668be7aeff",
            "a4b885d59c35abdd5fa0ff0f980edc8ab23e996c8d67e7dd475270c5690db9e3", "7d0e0edd6603ca067bc66bd83e5de02091cbc36eb251601ba29963c2399bdd9568dee6086e33c101f0c179f3a7cf8be3"
        },
        {
            "Aes128_Sha256_RsaOaep",
            "dd585db0c102dd1a4c1ed4dd195606dec3f7a1c789afca78f9479ed3a5d668af", "ce49cb8f1c65a827f412c48e71c9f9cb", "3b5c2ee2fc2e4b3bd46d4098b5e45475",
            "a4b885d59c35abdd5fa0ff0f980edc8ab23e996c8d67e7dd475270c5690db9e3", "eba79857b02b631ca1ece3e13c6d0de2b4e10b83473f8351cf0e7c1ccfb3e4566547eed6f0b4694a476c53db2af7cfcd"
        },
        {
            "Basic128Rsa15",
            "34d83964fc8df6049cfd3b28993ee275", "570d58ba545999cce9eef0dc01c83de2", "8b1da5cb70169941c4d4d73a5f45b75d",
            "7813c0e31bb361e2713df43a1fa7031ad94fb0b4", "8736c44595cabad200d84d756068720a1821219994c9c38488be40e48f0e9ca457432e882594954b9950b072d19cae22"
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Derived_keys_hmac_and_aes_cbc_match_node_opcua(string policy, string signingKey, string encryptingKey, string iv, string hmac, string cipher)
    {
        var info = SecurityPolicyInfo.FindByName(policy)!;
        var clientNonce = Enumerable.Range(0, info.NonceLength).Select(i => (byte)i).ToArray();
        var serverNonce = Enumerable.Range(32, info.NonceLength).Select(i => (byte)i).ToArray();
        var keys = RsaSecurityPolicy.DeriveKeys(info, serverNonce, clientNonce);
        Assert.Equal(signingKey, Convert.ToHexStringLower(keys.SigningKey));
        Assert.Equal(encryptingKey, Convert.ToHexStringLower(keys.EncryptingKey));
        Assert.Equal(iv, Convert.ToHexStringLower(keys.InitializationVector));

        var plain = Enumerable.Range(0, 48).Select(i => (byte)i).ToArray();
        var mac = new byte[info.SymmetricSignatureSize];
        keys.Sign(plain, mac);
        Assert.Equal(hmac, Convert.ToHexStringLower(mac));
        Assert.True(keys.Verify(plain, mac));

        var region = plain.ToArray();
        keys.Encrypt(region);
        Assert.Equal(cipher, Convert.ToHexStringLower(region));
        keys.Decrypt(region);
        Assert.Equal(plain, region);
    }

    [Theory]
    [InlineData("Basic128Rsa15", 11)]
    [InlineData("Basic256", 42)]
    [InlineData("Basic256Sha256", 42)]
    [InlineData("Aes128_Sha256_RsaOaep", 42)]
    [InlineData("Aes256_Sha256_RsaPss", 66)]
    public void Each_policy_declares_the_rsa_padding_overhead_of_its_encryption(string policy, int overhead) =>
        Assert.Equal(overhead, SecurityPolicyInfo.FindByName(policy)!.AsymmetricEncryptionOverhead);

    public static TheoryData<string, int, MessageSecurityMode> Policies()
    {
        var data = new TheoryData<string, int, MessageSecurityMode>();
        foreach (var p in SecurityPolicyInfo.All)
        {
            foreach (var mode in new[] { MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt })
            {
                data.Add(p.Name, 2048, mode);
            }
        }

        // Keys over 2048 bits: the asymmetric padding takes the ExtraPaddingSize byte.
        data.Add("Basic256Sha256", 4096, MessageSecurityMode.SignAndEncrypt);
        data.Add("Aes256_Sha256_RsaPss", 4096, MessageSecurityMode.Sign);
        return data;
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void A_secured_open_and_message_chunk_unsecure_on_the_mirrored_side(string policy, int keyBits, MessageSecurityMode mode)
    {
        var info = SecurityPolicyInfo.FindByName(policy)!;
        using var a = TestCertificates.Create("A", keyBits);
        using var b = TestCertificates.Create("B", keyBits);
        using var client = new RsaSecurityPolicy(info, mode, a, PublicOnly(b));
        using var server = new RsaSecurityPolicy(info, mode, b, PublicOnly(a));
        var clientNonce = client.CreateClientNonce();
        var serverNonce = server.CreateClientNonce();
        client.OnTokenIssued(7, clientNonce, serverNonce);
        server.OnTokenIssued(7, serverNonce, clientNonce); // the server's sending keys are the client's receiving keys

        foreach (var bodyLength in new[] { 0, 1, 15, 16, 17, 100, 1000 })
        {
            var body = RandomNumberGenerator.GetBytes(bodyLength);
            var (opn, opnHeaderEnd) = AsymmetricChunk(client, a, b, body);
            var plain = server.UnsecureChunk(opn, opnHeaderEnd, asymmetric: true);
            Assert.Equal(body, opn.AsSpan(plain)[8..].ToArray());

            var (msg, msgHeaderEnd) = SymmetricChunk(client, 7, body);
            var range = server.UnsecureChunk(msg, msgHeaderEnd, asymmetric: false);
            Assert.Equal(body, msg.AsSpan(range)[8..].ToArray());
        }
    }

    [Theory]
    [InlineData(MessageSecurityMode.Sign)]
    [InlineData(MessageSecurityMode.SignAndEncrypt)]
    public void A_flipped_bit_anywhere_in_a_secured_chunk_fails_the_security_check(MessageSecurityMode mode)
    {
        var info = SecurityPolicyInfo.Basic256Sha256;
        using var a = TestCertificates.Create("A", 2048);
        using var b = TestCertificates.Create("B", 2048);
        using var client = new RsaSecurityPolicy(info, mode, a, PublicOnly(b));
        using var server = new RsaSecurityPolicy(info, mode, b, PublicOnly(a));
        var cn = client.CreateClientNonce();
        var sn = server.CreateClientNonce();
        client.OnTokenIssued(1, cn, sn);
        server.OnTokenIssued(1, sn, cn);
        var (original, headerEnd) = SymmetricChunk(client, 1, RandomNumberGenerator.GetBytes(40));
        for (var i = 0; i < original.Length; i++)
        {
            if (i is >= 8 and < 16)
            {
                continue; // channel id and token id: the channel checks those before the policy
            }

            var tampered = original.ToArray();
            tampered[i] ^= 0x01;
            var e = Assert.Throws<UaDecodingException>(() => server.UnsecureChunk(tampered, headerEnd, asymmetric: false));
            Assert.Equal(StatusCode.BadSecurityChecksFailed, e.StatusCode);
        }
    }

    [Fact]
    public void An_open_response_signed_by_another_certificate_is_refused()
    {
        var info = SecurityPolicyInfo.Basic256Sha256;
        using var a = TestCertificates.Create("A", 2048);
        using var b = TestCertificates.Create("B", 2048);
        using var impostor = TestCertificates.Create("B", 2048);
        using var client = new RsaSecurityPolicy(info, MessageSecurityMode.SignAndEncrypt, impostor, PublicOnly(b));
        using var server = new RsaSecurityPolicy(info, MessageSecurityMode.SignAndEncrypt, b, PublicOnly(a));
        var (opn, headerEnd) = AsymmetricChunk(client, impostor, b, [1, 2, 3]);
        var e = Assert.Throws<UaDecodingException>(() => server.UnsecureChunk(opn, headerEnd, asymmetric: true));
        Assert.Equal(StatusCode.BadSecurityChecksFailed, e.StatusCode);
    }

    [Fact]
    public void Chunks_of_the_previous_token_still_verify_after_a_renewal_and_unknown_tokens_do_not()
    {
        var info = SecurityPolicyInfo.Aes128Sha256RsaOaep;
        using var a = TestCertificates.Create("A", 2048);
        using var b = TestCertificates.Create("B", 2048);
        using var client = new RsaSecurityPolicy(info, MessageSecurityMode.SignAndEncrypt, a, PublicOnly(b));
        using var server = new RsaSecurityPolicy(info, MessageSecurityMode.SignAndEncrypt, b, PublicOnly(a));
        var cn1 = client.CreateClientNonce();
        var sn1 = server.CreateClientNonce();
        client.OnTokenIssued(1, cn1, sn1);
        server.OnTokenIssued(1, sn1, cn1);
        var (old, oldEnd) = SymmetricChunk(server, 1, [9, 9, 9]);
        var cn2 = client.CreateClientNonce();
        var sn2 = server.CreateClientNonce();
        client.OnTokenIssued(2, cn2, sn2);
        var range = client.UnsecureChunk(old, oldEnd, asymmetric: false);
        Assert.Equal(new byte[] { 9, 9, 9 }, old.AsSpan(range)[8..].ToArray());

        var (unknown, unknownEnd) = SymmetricChunk(server, 1, [1]);
        BinaryPrimitives.WriteUInt32LittleEndian(unknown.AsSpan(12), 99);
        Assert.Throws<UaDecodingException>(() => client.UnsecureChunk(unknown, unknownEnd, asymmetric: false));
    }

    private static X509Certificate2 PublicOnly(X509Certificate2 c) => X509CertificateLoader.LoadCertificate(c.RawData);

    /// <summary>message header | channel id | token id | sequence header | body, secured by <paramref name="sender"/>.</summary>
    internal static (byte[] Chunk, int SecurityHeaderEnd) SymmetricChunk(RsaSecurityPolicy sender, uint tokenId, byte[] body)
    {
        var buffer = new byte[8192];
        UaTcp.WriteHeader(buffer, UaTcp.Msg, UaTcp.Final, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), 5);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(12), tokenId);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(16), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(20), 2);
        body.CopyTo(buffer, 24);
        var length = sender.SecureChunk(buffer, 16, 24 + body.Length, asymmetric: false);
        Assert.Equal((uint)length, BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(4)));
        return (buffer[..length], 16);
    }

    internal static (byte[] Chunk, int SecurityHeaderEnd) AsymmetricChunk(RsaSecurityPolicy sender, X509Certificate2 senderCertificate, X509Certificate2 receiver, byte[] body)
    {
        var w = new UaBinaryWriter(8192);
        w.WriteUInt32(UaTcp.Opn | ((uint)UaTcp.Final << 24));
        w.WriteUInt32(0);
        w.WriteUInt32(0);
        w.WriteString(sender.PolicyUri);
        w.WriteByteString(senderCertificate.RawData);
        w.WriteByteString(receiver.GetCertHash());
        var headerEnd = w.Position;
        w.WriteUInt32(1);
        w.WriteUInt32(1);
        w.WriteRaw(body);
        var buffer = new byte[16384];
        w.WrittenSpan.CopyTo(buffer);
        var length = sender.SecureChunk(buffer, headerEnd, w.Position, asymmetric: true);
        w.Dispose();
        return (buffer[..length], headerEnd);
    }
}

internal static class TestCertificates
{
    public static X509Certificate2 Create(string name, int keyBits)
    {
        using var rsa = RSA.Create(keyBits);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }
}
