namespace EdgeAgent.Pipeline;

/// <summary>ISA-18.2 style alarm state as published: active (unacknowledged), acknowledged, cleared.</summary>
public enum AlarmState : byte
{
    Active,
    Acknowledged,
    Cleared,
}
