namespace EdgeAgent.Outputs.Mqtt.Outbox;

/// <summary>
/// The QoS 1 queue between the producers (router thread) and the MQTT sender. Implemented durably by
/// <see cref="SqliteOutbox"/> and in memory by <see cref="MemoryOutbox"/> (<c>outbox: off</c>).
/// Producers call <see cref="TryEnqueue"/> (never blocks); the single sender reads in id order with
/// <see cref="Read"/>, waits with <see cref="WaitAsync"/> and reports broker acknowledgements with <see cref="Acknowledge"/>.
/// </summary>
public interface IMessageStore : IAsyncDisposable
{
    /// <summary>Queues a message; false when it was refused (counted as a drop). Alarms are never refused.</summary>
    bool TryEnqueue(OutboxMessage message);

    /// <summary>Reads up to <paramref name="max"/> committed messages with id greater than <paramref name="afterId"/>, in id order.</summary>
    int Read(long afterId, List<OutboxMessage> into, int max);

    /// <summary>Completes when a message with id greater than <paramref name="afterId"/> is committed.</summary>
    ValueTask WaitAsync(long afterId, CancellationToken cancellationToken);

    /// <summary>The broker acknowledged every message up to and including <paramref name="throughId"/>.</summary>
    void Acknowledge(long throughId);

    /// <summary>Highest id acknowledged: after a reconnect (or a restart) delivery resumes after it.</summary>
    long AcknowledgedThrough { get; }

    /// <summary>Highest id that can be read (committed, for the durable store).</summary>
    long CommittedThrough { get; }

    /// <summary>Messages queued and not yet acknowledged.</summary>
    long Pending { get; }

    /// <summary>Completes once everything enqueued so far is committed (durable); for shutdown and tests.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
