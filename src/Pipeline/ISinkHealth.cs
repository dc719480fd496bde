namespace EdgeAgent.Pipeline;

/// <summary>
/// A sink that can say whether it delivers: read by the readiness check (<c>/readyz</c>). Any thread may ask; the answer
/// is a snapshot of the sink's state.
/// </summary>
public interface ISinkHealth
{
    /// <summary>
    /// Null while the sink delivers (connected, or not yet failed); otherwise why not, naming the sink and its peer and
    /// saying what waits meanwhile, e.g. "mqtt: not connected to 127.0.0.1:1883 (connection refused); 12 messages in the outbox".
    /// </summary>
    string? NotReadyReason { get; }
}
