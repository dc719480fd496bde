namespace EdgeAgent.Drivers;

/// <summary>
/// A tag as a source sees it: the pipeline's id, its name, and the driver's own parsed options
/// (for example a Modbus address and type, an OPC UA node id). The driver casts <see cref="Options"/> to its type.
/// </summary>
public sealed record TagBinding(int Id, string Name, object? Options);

/// <summary>Where a source delivers samples. Implemented by the pipeline (and by tests).</summary>
public interface ISampleWriter
{
    /// <summary>
    /// Copies <paramref name="samples"/> into the pipeline. Never blocks: when the pipeline's bounded queue is full
    /// the batch is dropped, counted (edgeagent_dropped_total{queue="samples"}) and false is returned.
    /// </summary>
    bool TryWrite(ReadOnlySpan<Sample> samples);

    /// <summary>
    /// Reports the source's connection state. Call on every poll; the pipeline logs and publishes only changes
    /// (one line per change of state, not per retry). <paramref name="reason"/> says why a source is down.
    /// </summary>
    void SetState(SourceState state, string? reason = null);
}

public enum SourceState : byte
{
    Starting = 0,
    Up = 1,
    Down = 2,
}

/// <summary>
/// The contract every driver implements. A source turns its tags into samples and never knows who consumes them.
/// </summary>
public interface ISource : IAsyncDisposable
{
    /// <summary>The source's configured name (unique in a config file).</summary>
    string Name { get; }

    /// <summary>
    /// Acquires until <paramref name="cancellationToken"/> fires: poll, subscribe, or read a stream, writing samples to
    /// <paramref name="writer"/>. Device and network faults never escape: they become Bad samples and
    /// <see cref="SourceState.Down"/> with a reason, and the source retries with backoff. Returns when cancelled.
    /// </summary>
    Task RunAsync(ISampleWriter writer, CancellationToken cancellationToken);

    /// <summary>
    /// Reads every tag once (the `edgeagent read` command): connect, read, return one sample per tag in the order of
    /// the tags, Bad for a tag that could not be read. Throws only for faults that make every tag unreadable, as a
    /// <see cref="SourceException"/> naming the endpoint.
    /// </summary>
    ValueTask<Sample[]> ReadOnceAsync(CancellationToken cancellationToken);
}

/// <summary>A driver fault an operator must see: carries the endpoint and whether a retry may help.</summary>
public class SourceException : Exception
{
    public SourceException(string endpoint, string message, bool isTransient, Exception? inner = null)
        : base(message, inner)
    {
        Endpoint = endpoint;
        IsTransient = isTransient;
    }

    public string Endpoint { get; }
    public bool IsTransient { get; }
}
