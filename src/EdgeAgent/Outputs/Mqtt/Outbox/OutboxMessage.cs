namespace EdgeAgent.Outputs.Mqtt.Outbox;

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
