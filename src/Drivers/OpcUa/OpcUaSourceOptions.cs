using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Services;

namespace EdgeAgent.Drivers.OpcUa;

public enum OpcUaMode
{
    /// <summary>Monitored items in one subscription: the server sends changes (default).</summary>
    Subscribe,

    /// <summary>Read every tag each poll interval.</summary>
    Poll,
}

/// <summary>Options of one <c>driver: opcua</c> source (README.md documents each with its YAML key).</summary>
public sealed record OpcUaSourceOptions
{
    public required UaClientOptions Client { get; init; }

    public OpcUaMode Mode { get; init; } = OpcUaMode.Subscribe;

    /// <summary>poll: how often every tag is read.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>subscribe: how often the server samples each item (0 = as fast as the publishing interval).</summary>
    public TimeSpan Sampling { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>subscribe: how often the server sends the queued changes.</summary>
    public TimeSpan PublishingInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>subscribe: changes the server queues per item between publishes (so none is dropped).</summary>
    public uint QueueSize { get; init; } = 100;

    /// <summary>subscribe: optional data-change filter (absolute or percent deadband).</summary>
    public DataChangeFilter? Filter { get; init; }

    /// <summary>First and longest wait between reconnect attempts (doubling in between).</summary>
    public TimeSpan ReconnectMin { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ReconnectMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>security.pki: the certificate store folder; null for {agent.data}/pki.</summary>
    public string? PkiFolder { get; init; }

    /// <summary>auth.cert / auth.key: the X.509 user identity files (full paths), loaded when the source is created.</summary>
    public string? UserCertificateFile { get; init; }

    public string? UserKeyFile { get; init; }
}

/// <summary>Tag options: the node to read (<c>ns=2;s=…</c>, <c>i=…</c>, <c>nsu=URI;s=…</c>).</summary>
public sealed record OpcUaTagOptions(string Node);

/// <summary>A stretch of time without data from a source, reported once the source is back.</summary>
public sealed record OpcUaGap(DateTime From, DateTime To, long LostNotifications, string Reason);
