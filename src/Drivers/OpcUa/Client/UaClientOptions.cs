using EdgeAgent.Drivers.OpcUa.SecureChannel;

namespace EdgeAgent.Drivers.OpcUa.Client;

/// <summary>How to reach and log in to one OPC UA server.</summary>
public sealed record UaClientOptions
{
    /// <summary>opc.tcp://host:port[/path].</summary>
    public required string EndpointUrl { get; init; }

    /// <summary>The secure channel's security: policy, mode, certificate store (default None / None).</summary>
    public UaSecurityOptions Security { get; init; } = UaSecurityOptions.None;

    public UaTransportOptions Transport { get; init; } = new();

    public string ApplicationName { get; init; } = "EdgeAgent";
    public string ApplicationUri { get; init; } = "urn:edgeagent:client";
    public string SessionName { get; init; } = "EdgeAgent";

    /// <summary>Requested session timeout; the server revises it.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>User name; null logs in anonymously (or with <see cref="UserCertificate"/>).</summary>
    public string? UserName { get; init; }

    public string? Password { get; init; }

    /// <summary>X.509 user identity: a certificate with its private key (instead of a user name).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? UserCertificate { get; init; }

    /// <summary>
    /// Lets a password travel unencrypted (policy None, or a Sign-only channel whose server wants it unencrypted) to a
    /// server that is not on loopback. Off by default: a
    /// clear-text password on a network is readable by anyone on it.
    /// </summary>
    public bool AllowClearTextPassword { get; init; }
}
