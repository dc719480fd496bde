namespace EdgeAgent.Drivers.Modbus;

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
