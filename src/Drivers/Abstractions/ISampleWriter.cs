namespace EdgeAgent.Drivers;

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

    /// <summary>
    /// Reports how long one poll took, from its first request to its last answer (edgeagent_poll_duration_seconds).
    /// Sources that do not poll (subscriptions, streams) never call it. Must not allocate: it is called on every poll.
    /// </summary>
    void ObservePoll(TimeSpan elapsed)
    {
    }
}
