namespace EdgeAgent.Outputs.Influx;

/// <summary>
/// <c>outputs.influxdb</c>: where and how points are written. Version 2 (default) writes to <c>/api/v2/write</c> with
/// <see cref="Org"/>, <see cref="Bucket"/> and a <see cref="Token"/> (InfluxDB 2.x, 3.x, and servers that speak its write
/// API such as VictoriaMetrics); version 1 writes to <c>/write</c> with <see cref="Database"/>, <see cref="Retention"/>,
/// <see cref="User"/> and <see cref="Password"/> (InfluxDB 1.x).
/// </summary>
public sealed record InfluxOptions
{
    /// <summary>1 or 2: which write API.</summary>
    public int Version { get; init; } = 2;

    public required Uri Url { get; init; }

    // ---- version 2 ----
    public string? Org { get; init; }
    public string? Bucket { get; init; }
    public string? Token { get; init; }

    // ---- version 1 ----
    public string? Database { get; init; }
    public string? Retention { get; init; }
    public string? User { get; init; }
    public string? Password { get; init; }

    // ---- delivery ----

    /// <summary>Most points in one write request; a batch is sent when it is full or <see cref="FlushInterval"/> passed.</summary>
    public int BatchSize { get; init; } = 5000;

    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Compress request bodies (and spilled batches) with gzip.</summary>
    public bool Gzip { get; init; } = true;

    /// <summary>One write request's deadline; a request that times out is retried.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Ceiling of the retry backoff (which doubles from 250 ms).</summary>
    public TimeSpan RetryMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Samples taken from the pipeline and not yet encoded; when full, new samples are dropped and counted.</summary>
    public int Buffer { get; init; } = 200_000;

    /// <summary>Encoded batches kept in memory while the server is away; beyond that they spill to disk.</summary>
    public long QueueMemory { get; init; } = 32L << 20;

    /// <summary>Spilled batches kept on disk (<c>{agent.data}/influx/</c>); beyond that the oldest batch is dropped and counted.</summary>
    public long QueueDisk { get; init; } = 1L << 30;

    /// <summary>Where spilled batches live; null: <c>{agent.data}/influx</c>.</summary>
    public string? SpillPath { get; init; }

    /// <summary>What is written to: the bucket (v2) or the database and retention policy (v1).</summary>
    public string Target => Version == 1 ? Retention is null ? Database ?? string.Empty : $"{Database}/{Retention}" : Bucket ?? string.Empty;
}
