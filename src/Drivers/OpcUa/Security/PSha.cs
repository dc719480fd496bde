using System.Security.Cryptography;

namespace EdgeAgent.Drivers.OpcUa.Security;

/// <summary>
/// P_SHA1 / P_SHA256, the key derivation of Part 6 §6.7.5 (the P_hash of RFC 2246 §5 / RFC 5246 §5, without a label):
/// <code>
///   A(0) = seed,  A(i) = HMAC(secret, A(i-1))
///   P_SHA(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + …   (cut to the length needed)
/// </code>
/// Only the HMAC comes from System.Security.Cryptography; this is the iteration around it.
/// </summary>
public static class PSha
{
    public static void Derive(HashAlgorithmName hash, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> seed, Span<byte> output)
    {
        var size = hash == HashAlgorithmName.SHA1 ? 20 : hash == HashAlgorithmName.SHA256 ? 32 : throw new ArgumentOutOfRangeException(nameof(hash), hash, "P_SHA1 or P_SHA256");
        var input = new byte[size + seed.Length]; // A(i) + seed
        Span<byte> a = stackalloc byte[size];
        Span<byte> block = stackalloc byte[size];
        Hmac(hash, secret, seed, a); // A(1)
        seed.CopyTo(input.AsSpan(size));
        var written = 0;
        while (written < output.Length)
        {
            a.CopyTo(input);
            Hmac(hash, secret, input, block);
            var n = Math.Min(size, output.Length - written);
            block[..n].CopyTo(output[written..]);
            written += n;
            Hmac(hash, secret, a, block); // A(i+1)
            block.CopyTo(a);
        }
    }

    public static void Hmac(HashAlgorithmName hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (hash == HashAlgorithmName.SHA1)
        {
            HMACSHA1.HashData(key, data, destination);
        }
        else
        {
            HMACSHA256.HashData(key, data, destination);
        }
    }
}
