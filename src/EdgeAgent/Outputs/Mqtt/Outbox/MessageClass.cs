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
