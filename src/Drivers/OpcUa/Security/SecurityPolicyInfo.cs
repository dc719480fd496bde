using System.Security.Cryptography;

namespace EdgeAgent.Drivers.OpcUa.Security;

/// <summary>
/// The algorithms and key lengths of one RSA security policy (Part 7, "SecurityPolicy – …" profiles). One table instead
/// of one class per policy: the chunk code is the same for all of them, only these parameters differ.
/// </summary>
public sealed record SecurityPolicyInfo
{
    public required string Name { get; init; }
    public required string Uri { get; init; }

    /// <summary>Basic128Rsa15 and Basic256 (SHA-1): only with <c>allowDeprecated: true</c>.</summary>
    public bool Deprecated { get; init; }

    /// <summary>HMAC and P_SHA hash: SHA-1 or SHA-256.</summary>
    public required HashAlgorithmName SymmetricHash { get; init; }

    /// <summary>DerivedSignatureKeyLength (bytes).</summary>
    public required int SigningKeyLength { get; init; }

    /// <summary>AES key length (bytes): 16 for AES-128-CBC, 32 for AES-256-CBC.</summary>
    public required int EncryptionKeyLength { get; init; }

    /// <summary>AES block size and so the IV length.</summary>
    public int BlockSize => 16;

    /// <summary>SecureChannelNonceLength (bytes).</summary>
    public required int NonceLength { get; init; }

    /// <summary>HMAC output length.</summary>
    public int SymmetricSignatureSize => SymmetricHash == HashAlgorithmName.SHA1 ? 20 : 32;

    public required HashAlgorithmName AsymmetricSignatureHash { get; init; }
    public required RSASignaturePadding AsymmetricSignaturePadding { get; init; }
    public required string AsymmetricSignatureUri { get; init; }

    public required RSAEncryptionPadding AsymmetricEncryptionPadding { get; init; }
    public required string AsymmetricEncryptionUri { get; init; }

    /// <summary>Bytes of each RSA block taken by the padding: 11 for PKCS#1 v1.5, 2·hash+2 for OAEP (42 SHA-1, 66 SHA-256).</summary>
    public int AsymmetricEncryptionOverhead => AsymmetricEncryptionPadding.Mode == RSAEncryptionPaddingMode.Pkcs1
        ? 11
        : AsymmetricEncryptionPadding.OaepHashAlgorithm == HashAlgorithmName.SHA256 ? 66 : 42;

    public required int MinKeyBits { get; init; }
    public required int MaxKeyBits { get; init; }

    /// <summary>Order of preference for <c>policy: auto</c> (higher is stronger).</summary>
    public required int Strength { get; init; }

    private const string RsaSha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
    private const string RsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    private const string RsaPssSha256 = "http://opcfoundation.org/UA/security/rsa-pss-sha2-256";
    private const string Rsa15 = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
    private const string RsaOaep = "http://www.w3.org/2001/04/xmlenc#rsa-oaep";
    private const string RsaOaepSha256 = "http://opcfoundation.org/UA/security/rsa-oaep-sha2-256";

    public static readonly SecurityPolicyInfo Basic128Rsa15 = new()
    {
        Name = "Basic128Rsa15", Uri = "http://opcfoundation.org/UA/SecurityPolicy#Basic128Rsa15", Deprecated = true,
        SymmetricHash = HashAlgorithmName.SHA1, SigningKeyLength = 16, EncryptionKeyLength = 16, NonceLength = 16,
        AsymmetricSignatureHash = HashAlgorithmName.SHA1, AsymmetricSignaturePadding = RSASignaturePadding.Pkcs1, AsymmetricSignatureUri = RsaSha1,
        AsymmetricEncryptionPadding = RSAEncryptionPadding.Pkcs1, AsymmetricEncryptionUri = Rsa15,
        MinKeyBits = 1024, MaxKeyBits = 2048, Strength = 1,
    };

    public static readonly SecurityPolicyInfo Basic256 = new()
    {
        Name = "Basic256", Uri = "http://opcfoundation.org/UA/SecurityPolicy#Basic256", Deprecated = true,
        SymmetricHash = HashAlgorithmName.SHA1, SigningKeyLength = 24, EncryptionKeyLength = 32, NonceLength = 32,
        AsymmetricSignatureHash = HashAlgorithmName.SHA1, AsymmetricSignaturePadding = RSASignaturePadding.Pkcs1, AsymmetricSignatureUri = RsaSha1,
        AsymmetricEncryptionPadding = RSAEncryptionPadding.OaepSHA1, AsymmetricEncryptionUri = RsaOaep,
        MinKeyBits = 1024, MaxKeyBits = 2048, Strength = 2,
    };

    public static readonly SecurityPolicyInfo Basic256Sha256 = new()
    {
        Name = "Basic256Sha256", Uri = "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256",
        SymmetricHash = HashAlgorithmName.SHA256, SigningKeyLength = 32, EncryptionKeyLength = 32, NonceLength = 32,
        AsymmetricSignatureHash = HashAlgorithmName.SHA256, AsymmetricSignaturePadding = RSASignaturePadding.Pkcs1, AsymmetricSignatureUri = RsaSha256,
        AsymmetricEncryptionPadding = RSAEncryptionPadding.OaepSHA1, AsymmetricEncryptionUri = RsaOaep,
        MinKeyBits = 2048, MaxKeyBits = 4096, Strength = 4,
    };

    public static readonly SecurityPolicyInfo Aes128Sha256RsaOaep = new()
    {
        Name = "Aes128_Sha256_RsaOaep", Uri = "http://opcfoundation.org/UA/SecurityPolicy#Aes128_Sha256_RsaOaep",
        SymmetricHash = HashAlgorithmName.SHA256, SigningKeyLength = 32, EncryptionKeyLength = 16, NonceLength = 32,
        AsymmetricSignatureHash = HashAlgorithmName.SHA256, AsymmetricSignaturePadding = RSASignaturePadding.Pkcs1, AsymmetricSignatureUri = RsaSha256,
        AsymmetricEncryptionPadding = RSAEncryptionPadding.OaepSHA1, AsymmetricEncryptionUri = RsaOaep,
        MinKeyBits = 2048, MaxKeyBits = 4096, Strength = 3,
    };

    public static readonly SecurityPolicyInfo Aes256Sha256RsaPss = new()
    {
        Name = "Aes256_Sha256_RsaPss", Uri = "http://opcfoundation.org/UA/SecurityPolicy#Aes256_Sha256_RsaPss",
        SymmetricHash = HashAlgorithmName.SHA256, SigningKeyLength = 32, EncryptionKeyLength = 32, NonceLength = 32,
        AsymmetricSignatureHash = HashAlgorithmName.SHA256, AsymmetricSignaturePadding = RSASignaturePadding.Pss, AsymmetricSignatureUri = RsaPssSha256,
        AsymmetricEncryptionPadding = RSAEncryptionPadding.OaepSHA256, AsymmetricEncryptionUri = RsaOaepSha256,
        MinKeyBits = 2048, MaxKeyBits = 4096, Strength = 5,
    };

    /// <summary>Every RSA policy we speak, strongest first.</summary>
    public static readonly IReadOnlyList<SecurityPolicyInfo> All = [Aes256Sha256RsaPss, Basic256Sha256, Aes128Sha256RsaOaep, Basic256, Basic128Rsa15];

    public static SecurityPolicyInfo? FindByName(string name)
    {
        foreach (var p in All)
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p;
            }
        }

        return null;
    }

    public static SecurityPolicyInfo? FindByUri(string? uri)
    {
        foreach (var p in All)
        {
            if (string.Equals(p.Uri, uri, StringComparison.Ordinal))
            {
                return p;
            }
        }

        return null;
    }

    /// <summary>RSA-encrypts <paramref name="plain"/> block by block (each block at most key size − overhead) with the receiver's key.</summary>
    public byte[] AsymmetricEncrypt(RSA receiverKey, ReadOnlySpan<byte> plain)
    {
        var keyBytes = receiverKey.KeySize / 8;
        var plainBlock = keyBytes - AsymmetricEncryptionOverhead;
        var blocks = Math.Max(1, (plain.Length + plainBlock - 1) / plainBlock);
        var result = new byte[blocks * keyBytes];
        for (var i = 0; i < blocks; i++)
        {
            var part = plain.Slice(i * plainBlock, Math.Min(plainBlock, plain.Length - i * plainBlock));
            if (!receiverKey.TryEncrypt(part, result.AsSpan(i * keyBytes, keyBytes), AsymmetricEncryptionPadding, out var written) || written != keyBytes)
            {
                throw new CryptographicException($"RSA encryption of block {i} produced {written} bytes, expected {keyBytes}");
            }
        }

        return result;
    }

    public byte[] AsymmetricSign(RSA privateKey, ReadOnlySpan<byte> data) =>
        privateKey.SignData(data, AsymmetricSignatureHash, AsymmetricSignaturePadding);

    public bool AsymmetricVerify(RSA publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        publicKey.VerifyData(data, signature, AsymmetricSignatureHash, AsymmetricSignaturePadding);
}
