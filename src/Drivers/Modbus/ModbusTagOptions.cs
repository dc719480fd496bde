using System.Diagnostics.CodeAnalysis;

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

    /// <summary>
    /// The problem with this combination of keys, or null when valid: which field is wrong and why (the message reads
    /// as the <see cref="ModbusTagProblem"/> itself converts to text, so callers that only want the message keep a string).
    /// </summary>
    public ModbusTagProblem? Validate()
    {
        var bitTable = ModbusLimits.IsBitTable(Address.Table);
        if ((bitTable || Address.IsBitOfRegister) && Type != ModbusDataType.Bool)
        {
            return new(ModbusTagField.Type, $"address {Address} holds a single bit: type must be bool, found {Type.ToString().ToLowerInvariant()}");
        }

        if (!bitTable && !Address.IsBitOfRegister && Type == ModbusDataType.Bool)
        {
            return new(ModbusTagField.Type, $"type bool on register address {Address} needs a bit: write {Address}.0 … {Address}.15");
        }

        if (Type == ModbusDataType.String && (Length < 1 || Length > ModbusLimits.MaxReadRegisters))
        {
            return new(ModbusTagField.Length, $"type string needs length (registers, 2 characters each) in 1..{ModbusLimits.MaxReadRegisters}, found {Length}");
        }

        if (Type != ModbusDataType.String && Length != 0)
        {
            return new(ModbusTagField.Length, "length applies to type string only");
        }

        if (Address.Offset + Count > 0x10000)
        {
            return new(ModbusTagField.Address, $"address {Address} with {Count} registers passes the last address 65535");
        }

        return null;
    }

    /// <summary>Default type for an address: bool for bits, uint16 for registers.</summary>
    public static ModbusDataType DefaultType(ModbusAddress address) =>
        ModbusLimits.IsBitTable(address.Table) || address.IsBitOfRegister ? ModbusDataType.Bool : ModbusDataType.UInt16;
}

/// <summary>The field of a <see cref="ModbusTagOptions"/> a validation problem is about.</summary>
public enum ModbusTagField : byte
{
    /// <summary><see cref="ModbusTagOptions.Address"/>: the tag, with its type's register count, passes address 65535.</summary>
    Address,

    /// <summary><see cref="ModbusTagOptions.Type"/>: a numeric type on a single bit, or bool on a whole register.</summary>
    Type,

    /// <summary><see cref="ModbusTagOptions.Length"/>: a string without a valid length, or a length on a non-string.</summary>
    Length,
}

/// <summary>What is wrong with a <see cref="ModbusTagOptions"/>: the field, and a message for people.</summary>
public sealed record ModbusTagProblem(ModbusTagField Field, string Message)
{
    /// <summary>The message, for callers that only report text.</summary>
    [return: NotNullIfNotNull(nameof(problem))]
    public static implicit operator string?(ModbusTagProblem? problem) => problem?.Message;

    public override string ToString() => Message;
}
