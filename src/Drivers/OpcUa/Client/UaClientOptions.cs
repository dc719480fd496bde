using EdgeAgent.Drivers.OpcUa.SecureChannel;

namespace EdgeAgent.Drivers.OpcUa.Client;

/// <summary>How to reach and log in to one OPC UA server.</summary>
public sealed record UaClientOptions
{
    /// <summary>opc.tcp://host:port[/path].</summary>
    public required string EndpointUrl { get; init; }

    /// <summary>The secure channel's security; part 1 implements <see cref="SecurityPolicyNone"/>.</summary>
    public ISecurityPolicy Security { get; init; } = SecurityPolicyNone.Instance;

    public UaTransportOptions Transport { get; init; } = new();

    public string ApplicationName { get; init; } = "EdgeAgent";
    public string ApplicationUri { get; init; } = "urn:edgeagent:client";
    public string SessionName { get; init; } = "EdgeAgent";

    /// <summary>Requested session timeout; the server revises it.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>User name; null logs in anonymously.</summary>
    public string? UserName { get; init; }

    public string? Password { get; init; }

    /// <summary>
    /// Lets a password travel unencrypted (policy None) to a server that is not on loopback. Off by default: a
    /// clear-text password on a network is readable by anyone on it.
    /// </summary>
    public bool AllowClearTextPassword { get; init; }
}
