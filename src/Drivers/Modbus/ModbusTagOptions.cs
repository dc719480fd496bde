namespace EdgeAgent.Drivers.Modbus;

/// <summary>
/// One Modbus tag: where it lives and how its registers become a number. Immutable; validate with <see cref="Validate"/>.
/// </summary>
public sealed record ModbusTagOptions
{
    /// <summary><c>address:</c> — table, 0-based protocol address, optional bit.</summary>
    public required ModbusAddress Address { get; init; }

    /// <summary><c>type:</c> — default bool for coils, discrete inputs and bits of registers, uint16 otherwise.</summary>
    public ModbusDataType Type { get; init; } = ModbusDataType.UInt16;

    /// <summary><c>order:</c> — word/byte order of multi-register values (and byte order of 16-bit values and strings).</summary>
    public WordOrder Order { get; init; } = WordOrder.ABCD;

    /// <summary><c>scale:</c> — the value is <c>raw × scale + offset</c>.</summary>
    public double Scale { get; init; } = 1.0;

    /// <summary><c>offset:</c> — added after scaling.</summary>
    public double Offset { get; init; }

    /// <summary><c>unitId:</c> — unit of this tag when it differs from the source's (multi-drop RTU bus).</summary>
    public byte? UnitId { get; init; }

    /// <summary><c>length:</c> — registers of a string (2 ASCII characters each).</summary>
    public int Length { get; init; }

    /// <summary>Registers (or bits, for coils and discrete inputs) the tag occupies.</summary>
    public int Count => ModbusLimits.IsBitTable(Address.Table) || Address.IsBitOfRegister ? 1 : RegistersOf(Type, Length);

    public static int RegistersOf(ModbusDataType type, int length) => type switch
    {
        ModbusDataType.Bool or ModbusDataType.Int16 or ModbusDataType.UInt16 => 1,
        ModbusDataType.Int32 or ModbusDataType.UInt32 or ModbusDataType.Float32 => 2,
        ModbusDataType.Int64 or ModbusDataType.UInt64 or ModbusDataType.Float64 => 4,
        _ => length,
    };

    /// <summary>The problem with this combination of keys, or null when valid.</summary>
    public string? Validate()
    {
        var bitTable = ModbusLimits.IsBitTable(Address.Table);
        if ((bitTable || Address.IsBitOfRegister) && Type != ModbusDataType.Bool)
        {
            return $"address {Address} holds a single bit: type must be bool, found {Type.ToString().ToLowerInvariant()}";
        }

        if (!bitTable && !Address.IsBitOfRegister && Type == ModbusDataType.Bool)
        {
            return $"type bool on register address {Address} needs a bit: write {Address}.0 … {Address}.15";
        }

        if (Type == ModbusDataType.String && (Length < 1 || Length > ModbusLimits.MaxReadRegisters))
        {
            return $"type string needs length (registers, 2 characters each) in 1..{ModbusLimits.MaxReadRegisters}, found {Length}";
        }

        if (Type != ModbusDataType.String && Length != 0)
        {
            return "length applies to type string only";
        }

        if (Address.Offset + Count > 0x10000)
        {
            return $"address {Address} with {Count} registers passes the last address 65535";
        }

        return null;
    }

    /// <summary>Default type for an address: bool for bits, uint16 for registers.</summary>
    public static ModbusDataType DefaultType(ModbusAddress address) =>
        ModbusLimits.IsBitTable(address.Table) || address.IsBitOfRegister ? ModbusDataType.Bool : ModbusDataType.UInt16;
}
