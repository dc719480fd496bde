namespace EdgeAgent.Drivers.OpcUa.SecureChannel;

/// <summary>
/// The cryptography of one secure channel (Part 6 §6.7.2–§6.7.5). The channel lays out each chunk as
/// <c>message header | security header | sequence header | body | padding | signature</c> and hands the policy the
/// finished chunk to sign/encrypt before sending, and each received chunk to decrypt/verify before reading the
/// sequence header. Policy None does nothing; the RSA policies are <c>Security.RsaSecurityPolicy</c>.
/// </summary>
public interface ISecurityPolicy
{
    /// <summary>e.g. http://opcfoundation.org/UA/SecurityPolicy#None.</summary>
    string PolicyUri { get; }

    MessageSecurityMode Mode { get; }

    /// <summary>The client certificate (DER) sent in the asymmetric security header; null for None.</summary>
    byte[]? ClientCertificate { get; }

    /// <summary>SHA-1 thumbprint of the server certificate for the asymmetric header; null for None.</summary>
    byte[]? ServerCertificateThumbprint { get; }

    /// <summary>The nonce for OpenSecureChannel (empty for None; 32 bytes for Basic256Sha256).</summary>
    byte[] CreateClientNonce();

    /// <summary>Called when a security token is issued or renewed: derive the symmetric keys from both nonces.</summary>
    void OnTokenIssued(uint tokenId, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce);

    /// <summary>The largest body that fits a chunk of <paramref name="chunkSize"/> whose headers take <paramref name="headerSize"/> bytes.</summary>
    int MaxBodySize(int chunkSize, int headerSize, bool asymmetric);

    /// <summary>
    /// Pads, signs and encrypts the chunk in <paramref name="chunk"/>[0..<paramref name="length"/>) in place (the buffer has
    /// room for padding and signature) and returns the final chunk length. The message header is written already; the
    /// policy patches its MessageSize to the final length before signing, since the signature covers it.
    /// <paramref name="securityHeaderEnd"/> is where the encrypted part (the sequence header) starts.
    /// </summary>
    int SecureChunk(byte[] chunk, int securityHeaderEnd, int length, bool asymmetric);

    /// <summary>
    /// Decrypts and verifies a received chunk in place and returns the range of the plain text that follows the
    /// security header (sequence header + body, padding and signature removed). Throws when the check fails.
    /// </summary>
    Range UnsecureChunk(Span<byte> chunk, int securityHeaderEnd, bool asymmetric);
}

/// <summary>SecurityPolicy None: no signing, no encryption (Part 7 "SecurityPolicy – None").</summary>
public sealed class SecurityPolicyNone : ISecurityPolicy
{
    public const string Uri = "http://opcfoundation.org/UA/SecurityPolicy#None";

    public static readonly SecurityPolicyNone Instance = new();

    public string PolicyUri => Uri;
    public MessageSecurityMode Mode => MessageSecurityMode.None;
    public byte[]? ClientCertificate => null;
    public byte[]? ServerCertificateThumbprint => null;

    public byte[] CreateClientNonce() => [];

    public void OnTokenIssued(uint tokenId, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce)
    {
    }

    public int MaxBodySize(int chunkSize, int headerSize, bool asymmetric) => chunkSize - headerSize;

    public int SecureChunk(byte[] chunk, int securityHeaderEnd, int length, bool asymmetric) => length;

    public Range UnsecureChunk(Span<byte> chunk, int securityHeaderEnd, bool asymmetric) => securityHeaderEnd..chunk.Length;
}
