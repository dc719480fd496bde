namespace EdgeAgent.Outputs.Mqtt.Outbox;

/// <summary>
/// What a message is, for the outbox's drop policy: when the outbox is over its bounds the oldest <see cref="Data"/>
/// goes first, then the oldest <see cref="Spc"/>, then <see cref="Status"/>; <see cref="Alarm"/> is never dropped.
/// </summary>
public enum MessageClass : byte
{
    Data = 0,
    Spc = 1,
    Status = 2,
    Alarm = 3,
}

/// <summary>
/// One message waiting for delivery. <see cref="Id"/> is the outbox's sequence number: ids only grow, delivery follows
/// them, and the broker's acknowledgement of id N lets the outbox forget everything up to N.
/// <see cref="Sparkplug"/> marks a Sparkplug B payload whose <c>seq</c> is appended when it is sent (the sequence
/// number belongs to the MQTT session, not to the moment the message was made).
/// </summary>
public sealed class OutboxMessage
{
    public OutboxMessage(MessageClass @class, string topic, byte[] payload, bool retain, long ticks, bool sparkplug = false)
    {
        Class = @class;
        Topic = topic;
        Payload = payload;
        Retain = retain;
        Ticks = ticks;
        Sparkplug = sparkplug;
    }

    public long Id { get; internal set; }
    public MessageClass Class { get; }
    public string Topic { get; }
    public byte[] Payload { get; }
    public bool Retain { get; }

    /// <summary>When the message was made (UTC ticks): the age bound's clock.</summary>
    public long Ticks { get; }

    public bool Sparkplug { get; }

    /// <summary>Bytes the message counts against <c>outbox.maxBytes</c>: its payload plus a fixed row overhead (topic id, columns, b-tree cell).</summary>
    public int Size => Payload.Length + RowOverhead;

    internal const int RowOverhead = 48;
}

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
