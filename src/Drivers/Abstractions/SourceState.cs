namespace EdgeAgent.Drivers;

public enum SourceState : byte
{
    Starting = 0,
    Up = 1,
    Down = 2,
}
