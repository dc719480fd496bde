namespace EdgeAgent.Equipment;

/// <summary>Equipment states with their numeric codes for time series (offline 0, idle 1, running 2, setup 3, fault 4).</summary>
public enum EquipmentState : byte
{
    Offline = 0,
    Idle = 1,
    Running = 2,
    Setup = 3,
    Fault = 4,
}
