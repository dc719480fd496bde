namespace EdgeAgent.Drivers.Modbus;

/// <summary>Public function codes used by this client (Modbus Application Protocol v1.1b3 §5.1, §6).</summary>
public enum FunctionCode : byte
{
    ReadCoils = 0x01,
    ReadDiscreteInputs = 0x02,
    ReadHoldingRegisters = 0x03,
    ReadInputRegisters = 0x04,
    WriteSingleCoil = 0x05,
    WriteSingleRegister = 0x06,
    WriteMultipleCoils = 0x0F,
    WriteMultipleRegisters = 0x10,
}

/// <summary>Exception codes a server answers with (Modbus Application Protocol v1.1b3 §7).</summary>
public enum ModbusExceptionCode : byte
{
    IllegalFunction = 0x01,
    IllegalDataAddress = 0x02,
    IllegalDataValue = 0x03,
    ServerDeviceFailure = 0x04,
    Acknowledge = 0x05,
    ServerDeviceBusy = 0x06,
    MemoryParityError = 0x08,
    GatewayPathUnavailable = 0x0A,
    GatewayTargetDeviceFailedToRespond = 0x0B,
}

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

/// <summary>How a tag's registers are interpreted.</summary>
public enum ModbusDataType : byte
{
    Bool,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,
    String,
}

/// <summary>
/// Word and byte order of a multi-register value, named by where the big-endian bytes A (most significant) … D
/// land on the wire. ABCD: big-endian words, high word first (the spec's own order). CDAB: low word first.
/// BADC: bytes swapped inside each word. DCBA: fully little-endian. For 64-bit values the same rule extends to
/// four words (CDAB = lowest word first, each word big-endian). For 16-bit values and strings only the byte swap
/// matters (BADC and DCBA put the low byte of each register first).
/// </summary>
public enum WordOrder : byte
{
    ABCD,
    CDAB,
    BADC,
    DCBA,
}

/// <summary>Spec limits (Modbus Application Protocol v1.1b3 §4.1, §6; Modbus over serial line v1.02 §2.5.1).</summary>
public static class ModbusLimits
{
    /// <summary>Largest PDU: function code plus 252 data bytes.</summary>
    public const int MaxPduLength = 253;

    /// <summary>Largest Modbus TCP ADU: 7-byte MBAP header plus the PDU.</summary>
    public const int MaxTcpAduLength = 260;

    /// <summary>Largest RTU ADU: address, PDU, CRC.</summary>
    public const int MaxRtuAduLength = 256;

    /// <summary>FC 3/4 read at most 125 registers.</summary>
    public const int MaxReadRegisters = 125;

    /// <summary>FC 1/2 read at most 2000 bits.</summary>
    public const int MaxReadBits = 2000;

    /// <summary>FC 16 writes at most 123 registers.</summary>
    public const int MaxWriteRegisters = 123;

    /// <summary>FC 15 writes at most 1968 coils.</summary>
    public const int MaxWriteBits = 1968;

    public static bool IsBitTable(ModbusTable table) => table is ModbusTable.Coil or ModbusTable.DiscreteInput;

    public static FunctionCode ReadFunction(ModbusTable table) => table switch
    {
        ModbusTable.Coil => FunctionCode.ReadCoils,
        ModbusTable.DiscreteInput => FunctionCode.ReadDiscreteInputs,
        ModbusTable.InputRegister => FunctionCode.ReadInputRegisters,
        _ => FunctionCode.ReadHoldingRegisters,
    };

    public static int MaxReadCount(ModbusTable table) => IsBitTable(table) ? MaxReadBits : MaxReadRegisters;
}
