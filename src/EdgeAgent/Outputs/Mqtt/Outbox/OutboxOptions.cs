namespace EdgeAgent.Outputs.Mqtt.Outbox;

/// <summary>
/// <c>outputs.mqtt.outbox</c>: the durable store-and-forward queue in <c>{agent.data}/outbox.db</c>.
/// Drop policy when a bound is exceeded: the oldest data messages go first, then the oldest SPC results, then the
/// oldest status messages; alarms are never dropped (they may push the outbox over its bounds). Every drop is counted in
/// <c>edgeagent_dropped_total{queue="outbox"}</c>.
/// </summary>
public sealed record OutboxOptions
{
    /// <summary>false (<c>outbox: off</c>): QoS 1 messages wait in memory only (lost on a crash, bounded by <see cref="MaxMessages"/>).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Most messages kept (acknowledged ones are deleted). Default 5,000,000.</summary>
    public long MaxMessages { get; init; } = 5_000_000;

    /// <summary>Most bytes kept, counted as payload + 48 bytes per message. Default 1 GiB.</summary>
    public long MaxBytes { get; init; } = 1L << 30;

    /// <summary>Data, SPC and status messages older than this are dropped; alarms never expire. Default 7 days.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// <c>full</c> (default): every commit is fsynced, so an acknowledged-by-nobody message survives a power cut.
    /// <c>normal</c>: WAL without fsync per commit; survives a crash or <c>kill -9</c> of the agent, not a power cut.
    /// </summary>
    public bool FullSync { get; init; } = true;

    /// <summary>Most messages waiting in memory for the next commit (a stalled disk). Full: new data is refused and counted.</summary>
    public int MemoryCapacity { get; init; } = 200_000;

    /// <summary>The database file; default <c>{agent.data}/outbox.db</c>.</summary>
    public string? Path { get; init; }

    /// <summary>Test hook: SQLite <c>max_page_count</c>, to make the database "disk full" at a small size.</summary>
    internal long? MaxPageCount { get; init; }
}
