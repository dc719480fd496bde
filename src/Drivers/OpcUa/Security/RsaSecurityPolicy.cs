using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;

namespace EdgeAgent.Drivers.OpcUa.Security;

/// <summary>
/// The cryptography of a secure channel with an RSA security policy (Basic256Sha256, Aes128_Sha256_RsaOaep,
/// Aes256_Sha256_RsaPss and the deprecated Basic128Rsa15/Basic256), Part 6 §6.7.2–§6.7.5:
/// <code>
///  symmetric (MSG, CLO):  header | channel id | token id | sequence header | body | padding | HMAC
///                                                        |&lt;────── AES-CBC (SignAndEncrypt) ──────&gt;|
///                         |&lt;──────────────── HMAC (Sign and SignAndEncrypt) ──────────────&gt;|
///  asymmetric (OPN):      header | channel id | policy uri, sender cert, receiver thumbprint | sequence header | body | padding | RSA signature
///                                                                                          |&lt;──── RSA, block by block ─────&gt;|
/// </code>
/// OPN is signed and encrypted in both modes Sign and SignAndEncrypt (Part 6 §6.7.4). Padding is one PaddingSize byte,
/// that many bytes of the same value and, when the encrypting key is longer than 2048 bits, an ExtraPaddingSize byte
/// holding the high byte of the padding size. Keys are kept per security token so that chunks secured with the previous
/// token still verify after a renewal, until the server switches.
/// </summary>
public sealed class RsaSecurityPolicy : ISecurityPolicy, IDisposable
{
    private readonly SecurityPolicyInfo _info;
    private readonly X509Certificate2 _clientCertificate;
    private readonly RSA _clientKey;
    private readonly X509Certificate2 _serverCertificate;
    private readonly RSA _serverKey;
    private readonly byte[] _clientThumbprint;
    private volatile TokenKeys? _current;
    private volatile TokenKeys? _previous;

    public RsaSecurityPolicy(SecurityPolicyInfo info, MessageSecurityMode mode, X509Certificate2 clientCertificate, X509Certificate2 serverCertificate)
    {
        if (mode is not (MessageSecurityMode.Sign or MessageSecurityMode.SignAndEncrypt))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Sign or SignAndEncrypt");
        }

        _info = info;
        Mode = mode;
        _clientCertificate = clientCertificate;
        _clientKey = clientCertificate.GetRSAPrivateKey() ?? throw new ArgumentException("the client certificate has no RSA private key", nameof(clientCertificate));
        _serverCertificate = serverCertificate;
        _serverKey = serverCertificate.GetRSAPublicKey() ?? throw new ArgumentException("the server certificate has no RSA public key", nameof(serverCertificate));
        _clientThumbprint = clientCertificate.GetCertHash();
        ClientCertificate = clientCertificate.RawData;
        ServerCertificateThumbprint = serverCertificate.GetCertHash(); // SHA-1 of the DER (Part 6 §6.7.2.3)
    }

    public SecurityPolicyInfo Info => _info;
    public string PolicyUri => _info.Uri;
    public MessageSecurityMode Mode { get; }
    public byte[]? ClientCertificate { get; }
    public byte[]? ServerCertificateThumbprint { get; }
    public X509Certificate2 ServerCertificate => _serverCertificate;
    public RSA ClientKey => _clientKey;
    public RSA ServerKey => _serverKey;

    private int ClientKeyBytes => _clientKey.KeySize / 8;
    private int ServerKeyBytes => _serverKey.KeySize / 8;

    public byte[] CreateClientNonce() => RandomNumberGenerator.GetBytes(_info.NonceLength);

    /// <summary>
    /// Part 6 §6.7.5: the client's keys (what it sends) are P_SHA(ServerNonce, ClientNonce), the server's are
    /// P_SHA(ClientNonce, ServerNonce); each splits into signing key | encrypting key | initialization vector.
    /// </summary>
    public void OnTokenIssued(uint tokenId, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce)
    {
        if (serverNonce.Length != _info.NonceLength)
        {
            throw new UaDecodingException($"server nonce of {serverNonce.Length} bytes, {_info.Name} needs {_info.NonceLength}", 0, StatusCode.BadNonceInvalid);
        }

        var keys = new TokenKeys(tokenId, DeriveKeys(_info, serverNonce, clientNonce), DeriveKeys(_info, clientNonce, serverNonce));
        var old = _previous;
        _previous = _current;
        _current = keys;
        old?.Dispose();
    }

    /// <summary>P_SHA(secret, seed) split into the three keys (public for the known-vector tests).</summary>
    public static DirectionKeys DeriveKeys(SecurityPolicyInfo info, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> seed)
    {
        var material = new byte[info.SigningKeyLength + info.EncryptionKeyLength + info.BlockSize];
        PSha.Derive(info.SymmetricHash, secret, seed, material);
        return new DirectionKeys(
            info.SymmetricHash,
            material.AsSpan(0, info.SigningKeyLength).ToArray(),
            material.AsSpan(info.SigningKeyLength, info.EncryptionKeyLength).ToArray(),
            material.AsSpan(info.SigningKeyLength + info.EncryptionKeyLength, info.BlockSize).ToArray());
    }

    public int MaxBodySize(int chunkSize, int headerSize, bool asymmetric)
    {
        var securityHeaderEnd = headerSize - 8;
        if (asymmetric)
        {
            var cipherBlock = ServerKeyBytes;
            var plainBlock = cipherBlock - _info.AsymmetricEncryptionOverhead;
            var blocks = (chunkSize - securityHeaderEnd) / cipherBlock;
            return blocks * plainBlock - 8 - ClientKeyBytes - PaddingOverhead(cipherBlock);
        }

        if (Mode == MessageSecurityMode.Sign)
        {
            return chunkSize - headerSize - _info.SymmetricSignatureSize;
        }

        var encrypted = (chunkSize - securityHeaderEnd) / _info.BlockSize * _info.BlockSize;
        return encrypted - 8 - _info.SymmetricSignatureSize - 1;
    }

    /// <summary>The PaddingSize byte, plus ExtraPaddingSize when the encrypting key is longer than 2048 bits.</summary>
    private static int PaddingOverhead(int encryptingKeyBytes) => encryptingKeyBytes > 256 ? 2 : 1;

    public int SecureChunk(byte[] chunk, int securityHeaderEnd, int length, bool asymmetric) =>
        asymmetric ? SecureAsymmetric(chunk, securityHeaderEnd, length) : SecureSymmetric(chunk, securityHeaderEnd, length);

    private int SecureSymmetric(byte[] chunk, int securityHeaderEnd, int length)
    {
        var tokenId = BinaryPrimitives.ReadUInt32LittleEndian(chunk.AsSpan(UaTcp.HeaderSize + 4));
        var keys = KeysFor(tokenId)?.Client ?? throw new InvalidOperationException($"no keys for security token {tokenId}");
        var sigSize = _info.SymmetricSignatureSize;
        if (Mode == MessageSecurityMode.Sign)
        {
            var total = length + sigSize;
            BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)total);
            keys.Sign(chunk.AsSpan(0, length), chunk.AsSpan(length, sigSize));
            return total;
        }

        var plain = length - securityHeaderEnd;
        var pad = (_info.BlockSize - ((plain + 1 + sigSize) % _info.BlockSize)) % _info.BlockSize;
        chunk.AsSpan(length, pad + 1).Fill((byte)pad);
        var signedEnd = length + pad + 1;
        var end = signedEnd + sigSize;
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)end);
        keys.Sign(chunk.AsSpan(0, signedEnd), chunk.AsSpan(signedEnd, sigSize));
        var region = chunk.AsSpan(securityHeaderEnd, end - securityHeaderEnd);
        keys.Encrypt(region);
        return end;
    }

    private int SecureAsymmetric(byte[] chunk, int securityHeaderEnd, int length)
    {
        var cipherBlock = ServerKeyBytes;
        var plainBlock = cipherBlock - _info.AsymmetricEncryptionOverhead;
        var sigSize = ClientKeyBytes;
        var extra = PaddingOverhead(cipherBlock) == 2;
        var plain = length - securityHeaderEnd;
        var pad = (plainBlock - ((plain + PaddingOverhead(cipherBlock) + sigSize) % plainBlock)) % plainBlock;
        chunk.AsSpan(length, pad + 1).Fill((byte)pad);
        var signedEnd = length + pad + 1;
        if (extra)
        {
            chunk[signedEnd++] = (byte)(pad >> 8);
        }

        var plainTotal = signedEnd + sigSize - securityHeaderEnd;
        var blocks = plainTotal / plainBlock;
        var end = securityHeaderEnd + blocks * cipherBlock;
        if (end > chunk.Length)
        {
            throw new InvalidOperationException($"OpenSecureChannel request of {end} bytes does not fit the {chunk.Length}-byte send buffer");
        }

        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)end);
        if (!_clientKey.TrySignData(chunk.AsSpan(0, signedEnd), chunk.AsSpan(signedEnd, sigSize), _info.AsymmetricSignatureHash, _info.AsymmetricSignaturePadding, out var signed) || signed != sigSize)
        {
            throw new CryptographicException($"RSA signature of {signed} bytes, expected {sigSize}");
        }

        // RSA output blocks are longer than their input: encrypt from a copy of the plain text.
        var copy = ArrayPool<byte>.Shared.Rent(plainTotal);
        try
        {
            chunk.AsSpan(securityHeaderEnd, plainTotal).CopyTo(copy);
            for (var i = 0; i < blocks; i++)
            {
                if (!_serverKey.TryEncrypt(copy.AsSpan(i * plainBlock, plainBlock), chunk.AsSpan(securityHeaderEnd + i * cipherBlock, cipherBlock), _info.AsymmetricEncryptionPadding, out var written) || written != cipherBlock)
                {
                    throw new CryptographicException($"RSA encryption produced {written} bytes, expected {cipherBlock}");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy, clearArray: true);
        }

        return end;
    }

    public Range UnsecureChunk(Span<byte> chunk, int securityHeaderEnd, bool asymmetric) =>
        asymmetric ? UnsecureAsymmetric(chunk, securityHeaderEnd) : UnsecureSymmetric(chunk, securityHeaderEnd);

    private Range UnsecureSymmetric(Span<byte> chunk, int securityHeaderEnd)
    {
        var tokenId = BinaryPrimitives.ReadUInt32LittleEndian(chunk[(UaTcp.HeaderSize + 4)..]);
        var keys = KeysFor(tokenId)?.Server ?? throw Failed($"no keys for security token {tokenId}", UaTcp.HeaderSize + 4);
        var sigSize = _info.SymmetricSignatureSize;
        if (Mode == MessageSecurityMode.SignAndEncrypt)
        {
            var region = chunk[securityHeaderEnd..];
            if (region.Length % _info.BlockSize != 0 || region.Length < 8 + 1 + sigSize)
            {
                throw Failed($"encrypted part of {region.Length} bytes is not a whole number of {_info.BlockSize}-byte blocks", securityHeaderEnd);
            }

            keys.Decrypt(region);
        }

        var signedEnd = chunk.Length - sigSize;
        if (signedEnd < securityHeaderEnd + 8 || !keys.Verify(chunk[..signedEnd], chunk[signedEnd..]))
        {
            throw Failed("message signature does not verify (tampered, or not from the server)", signedEnd);
        }

        if (Mode == MessageSecurityMode.Sign)
        {
            return securityHeaderEnd..signedEnd;
        }

        var bodyEnd = StripPadding(chunk, securityHeaderEnd, signedEnd, extra: false);
        return securityHeaderEnd..bodyEnd;
    }

    private Range UnsecureAsymmetric(Span<byte> chunk, int securityHeaderEnd)
    {
        CheckAsymmetricHeader(chunk);
        var cipherBlock = ClientKeyBytes;
        var plainBlock = cipherBlock - _info.AsymmetricEncryptionOverhead;
        var region = chunk.Length - securityHeaderEnd;
        if (region % cipherBlock != 0 || region == 0)
        {
            throw Failed($"encrypted part of {region} bytes is not a whole number of {cipherBlock}-byte RSA blocks", securityHeaderEnd);
        }

        // Plain blocks are shorter than cipher blocks: decrypt each into a scratch block, then move it down.
        Span<byte> block = stackalloc byte[512];
        var plainEnd = securityHeaderEnd;
        for (var offset = securityHeaderEnd; offset < chunk.Length; offset += cipherBlock)
        {
            int written;
            try
            {
                if (!_clientKey.TryDecrypt(chunk.Slice(offset, cipherBlock), block, _info.AsymmetricEncryptionPadding, out written) || written > plainBlock)
                {
                    throw Failed($"RSA block at {offset} decrypts to more than {plainBlock} bytes", offset);
                }
            }
            catch (CryptographicException e)
            {
                throw Failed($"RSA block at {offset} does not decrypt with our key: {e.Message}", offset);
            }

            block[..written].CopyTo(chunk[plainEnd..]);
            plainEnd += written;
        }

        var sigSize = ServerKeyBytes;
        var signedEnd = plainEnd - sigSize;
        if (signedEnd < securityHeaderEnd + 8 || !_serverKey.VerifyData(chunk[..signedEnd], chunk.Slice(signedEnd, sigSize), _info.AsymmetricSignatureHash, _info.AsymmetricSignaturePadding))
        {
            throw Failed("OpenSecureChannel response signature does not verify with the server certificate", Math.Max(signedEnd, 0));
        }

        var bodyEnd = StripPadding(chunk, securityHeaderEnd, signedEnd, extra: PaddingOverhead(cipherBlock) == 2);
        return securityHeaderEnd..bodyEnd;
    }

    /// <summary>The asymmetric header names the server certificate we expect and the thumbprint of ours.</summary>
    private void CheckAsymmetricHeader(ReadOnlySpan<byte> chunk)
    {
        var r = new UaBinaryReader(chunk);
        r.Skip(UaTcp.HeaderSize + 4);
        _ = r.ReadString();
        var sender = r.ReadByteStringSpan(out var senderNull);
        var receiver = r.ReadByteStringSpan(out _);
        // SenderCertificate may be a chain (leaf first): the leaf must be the certificate we trusted.
        if (senderNull || !sender.StartsWith(_serverCertificate.RawData))
        {
            throw Failed("OpenSecureChannel response signed with a certificate other than the server's trusted one", UaTcp.HeaderSize + 4);
        }

        if (!receiver.SequenceEqual(_clientThumbprint))
        {
            throw Failed("OpenSecureChannel response encrypted for another certificate than ours", UaTcp.HeaderSize + 4);
        }
    }

    /// <summary>Checks the padding in front of <paramref name="signedEnd"/> and returns where the body ends.</summary>
    private static int StripPadding(ReadOnlySpan<byte> chunk, int start, int signedEnd, bool extra)
    {
        var last = signedEnd - 1;
        int size;
        if (extra)
        {
            size = (chunk[last] << 8) | chunk[last - 1];
            last--;
        }
        else
        {
            size = chunk[last];
        }

        var bodyEnd = last - size;
        if (bodyEnd < start + 8)
        {
            throw Failed($"padding of {size} bytes is longer than the chunk", last);
        }

        var expected = (byte)size;
        for (var i = bodyEnd; i < last; i++)
        {
            if (chunk[i] != expected)
            {
                throw Failed($"padding byte at {i} is {chunk[i]}, expected {expected}", i);
            }
        }

        return bodyEnd;
    }

    private TokenKeys? KeysFor(uint tokenId)
    {
        var current = _current;
        if (current is not null && current.TokenId == tokenId)
        {
            return current;
        }

        var previous = _previous;
        return previous is not null && previous.TokenId == tokenId ? previous : null;
    }

    private static UaDecodingException Failed(string message, int offset) => new(message, offset, StatusCode.BadSecurityChecksFailed);

    public void Dispose()
    {
        _current?.Dispose();
        _previous?.Dispose();
    }

    private sealed class TokenKeys(uint tokenId, DirectionKeys client, DirectionKeys server) : IDisposable
    {
        public uint TokenId { get; } = tokenId;
        public DirectionKeys Client { get; } = client;
        public DirectionKeys Server { get; } = server;

        public void Dispose()
        {
            // The previous token may still be in use by a chunk in flight; its Aes objects are left to the GC.
        }
    }
}

/// <summary>The keys of one direction of a secure channel for one token: HMAC key, AES key, IV (Part 6 §6.7.5).</summary>
public sealed class DirectionKeys
{
    private readonly HashAlgorithmName _hash;
    private readonly Aes _aes;

    public DirectionKeys(HashAlgorithmName hash, byte[] signingKey, byte[] encryptingKey, byte[] iv)
    {
        _hash = hash;
        SigningKey = signingKey;
        EncryptingKey = encryptingKey;
        InitializationVector = iv;
        _aes = Aes.Create();
        _aes.Key = encryptingKey;
    }

    public byte[] SigningKey { get; }
    public byte[] EncryptingKey { get; }
    public byte[] InitializationVector { get; }

    public void Sign(ReadOnlySpan<byte> data, Span<byte> signature) => PSha.Hmac(_hash, SigningKey, data, signature);

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        Span<byte> expected = stackalloc byte[32];
        var n = _hash == HashAlgorithmName.SHA1 ? 20 : 32;
        Sign(data, expected[..n]);
        return signature.Length == n && CryptographicOperations.FixedTimeEquals(expected[..n], signature);
    }

    /// <summary>AES-CBC in place, no padding (the chunk is padded to whole blocks already).</summary>
    public void Encrypt(Span<byte> region) => _aes.EncryptCbc(region, InitializationVector, region, PaddingMode.None);

    public void Decrypt(Span<byte> region) => _aes.DecryptCbc(region, InitializationVector, region, PaddingMode.None);
}
