namespace EdgeAgent.Drivers;

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
