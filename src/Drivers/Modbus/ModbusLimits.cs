namespace EdgeAgent.Drivers.Modbus;

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
