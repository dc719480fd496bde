using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Security;

namespace EdgeAgent.Drivers.OpcUa.Client;

/// <summary>
/// What security the client asks for. Policy None with mode None (the default) needs no certificates; any other
/// policy needs <see cref="Pki"/> for the application instance certificate and the server trust list.
/// </summary>
public sealed record UaSecurityOptions
{
    public const string Auto = "auto";

    public static readonly UaSecurityOptions None = new();

    /// <summary>A policy short name (Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss, …), None, or <see cref="Auto"/>.</summary>
    public string Policy { get; init; } = "None";

    /// <summary>Sign or SignAndEncrypt; None with policy None. With <see cref="Auto"/>, Invalid lets the strongest offered mode win.</summary>
    public MessageSecurityMode Mode { get; init; } = MessageSecurityMode.None;

    /// <summary>Trust an unknown server certificate on first use (copied to trusted/).</summary>
    public bool AutoAccept { get; init; }

    /// <summary>Allow the SHA-1 policies Basic128Rsa15 and Basic256.</summary>
    public bool AllowDeprecated { get; init; }

    /// <summary>Own certificate and trust lists; required unless policy None.</summary>
    public PkiStore? Pki { get; init; }

    /// <summary>Host name written into a newly created application certificate (default: this machine's name).</summary>
    public string? HostName { get; init; }

    public bool IsSecure => !string.Equals(Policy, "None", StringComparison.OrdinalIgnoreCase);
}
