namespace EdgeAgent.Pipeline;

/// <summary>
/// Writes to the machine (alarm actions, <c>cmd/write</c>, <c>edgeagent write</c>). Only tags marked <c>writable: true</c>.
/// A write is never queued durably nor replayed: it is retried with backoff inside its timeout and then reported as
/// expired. Every write, successful or not, is published as a <see cref="WriteEvent"/> (the audit trail).
/// </summary>
public interface ITagWriter
{
    /// <summary>
    /// Writes <paramref name="value"/> to <paramref name="tag"/> (<c>source.tag</c>) on behalf of <paramref name="by"/> (the alarm
    /// id or the user), reads it back and compares; completes when the device acknowledged, refused, or the timeout
    /// (default 10 s) passed. Never throws for a device fault: the outcome says what happened.
    /// </summary>
    Task<WriteEvent> WriteAsync(string tag, double value, string by, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Starts <see cref="WriteAsync"/> without waiting (alarm actions on the router thread: never blocks the pipeline).</summary>
    void Submit(int tagId, double value, string by, TimeSpan timeout);
}

/// <summary>A writer that refuses everything (an agent built without sources that can write).</summary>
public sealed class NoTagWriter(TimeProvider time) : ITagWriter
{
    public Task<WriteEvent> WriteAsync(string tag, double value, string by, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new WriteEvent(time.GetUtcNow().UtcDateTime, tag, value, by, WriteStatus.Refused) { Error = "this agent cannot write" });

    public void Submit(int tagId, double value, string by, TimeSpan timeout)
    {
    }
}
