namespace EdgeAgent.Drivers.Modbus;

/// <summary>The four primary tables of the Modbus data model (§4.3).</summary>
public enum ModbusTable : byte
{
    /// <summary>Single bit, read-write (FC 1, 5, 15). Address prefix <c>coil:</c>, Modicon 0xxxx.</summary>
    Coil,

    /// <summary>Single bit, read-only (FC 2). Address prefix <c>di:</c>, Modicon 1xxxx.</summary>
    DiscreteInput,

    /// <summary>16-bit word, read-only (FC 4). Address prefix <c>ir:</c>, Modicon 3xxxx.</summary>
    InputRegister,

    /// <summary>16-bit word, read-write (FC 3, 6, 16). Address prefix <c>hr:</c>, Modicon 4xxxx.</summary>
    HoldingRegister,
}
