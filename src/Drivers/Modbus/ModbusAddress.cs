using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EdgeAgent.Drivers.Modbus;

/// <summary>
/// A point in the Modbus data model: table, 0-based protocol address and, for a bit of a register, the bit (0..15).
/// Text forms: <c>hr:100</c>, <c>ir:5</c>, <c>coil:0</c>, <c>di:7</c>, <c>hr:100.3</c>, and the Modicon forms
/// <c>40101</c> (= hr:100), <c>30001</c>, <c>00001</c>, <c>10001</c> and their 6-digit variants (<c>400101</c>).
/// </summary>
public readonly record struct ModbusAddress(ModbusTable Table, ushort Offset, sbyte Bit = -1)
{
    public bool IsBitOfRegister => Bit >= 0;

    public static ModbusAddress Parse(string text) =>
        TryParse(text, out var address, out var error) ? address : throw new FormatException(error);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what was expected.</summary>
    public static bool TryParse(string text, out ModbusAddress address, [NotNullWhen(false)] out string? error)
    {
        address = default;
        error = null;
        var s = text.AsSpan().Trim();
        var colon = s.IndexOf(':');
        if (colon < 0)
        {
            return TryParseModicon(s, out address, out error);
        }

        ModbusTable table;
        switch (s[..colon].ToString().ToLowerInvariant())
        {
            case "hr": table = ModbusTable.HoldingRegister; break;
            case "ir": table = ModbusTable.InputRegister; break;
            case "coil": table = ModbusTable.Coil; break;
            case "di": table = ModbusTable.DiscreteInput; break;
            default:
                error = $"unknown table '{s[..colon]}' in address '{text}'; expected hr:, ir:, coil: or di: (or a Modicon number such as 40001)";
                return false;
        }

        var rest = s[(colon + 1)..];
        sbyte bit = -1;
        var dot = rest.IndexOf('.');
        if (dot >= 0)
        {
            if (ModbusLimits.IsBitTable(table))
            {
                error = $"address '{text}': a bit index (.b) applies to registers (hr:, ir:), not to {(table == ModbusTable.Coil ? "coils" : "discrete inputs")}";
                return false;
            }

            if (!byte.TryParse(rest[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var b) || b > 15)
            {
                error = $"address '{text}': bit must be 0..15, found '{rest[(dot + 1)..]}'";
                return false;
            }

            bit = (sbyte)b;
            rest = rest[..dot];
        }

        if (!ushort.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            error = $"address '{text}': expected a protocol address 0..65535 after '{s[..(colon + 1)]}', found '{rest}'";
            return false;
        }

        address = new ModbusAddress(table, offset, bit);
        return true;
    }

    private static bool TryParseModicon(ReadOnlySpan<char> s, out ModbusAddress address, [NotNullWhen(false)] out string? error)
    {
        address = default;
        error = null;
        sbyte bit = -1;
        var dot = s.IndexOf('.');
        var digits = dot >= 0 ? s[..dot] : s;
        if ((digits.Length != 5 && digits.Length != 6) || !uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            error = $"address '{s}': expected hr:N, ir:N, coil:N, di:N (N = 0-based protocol address) or a 5/6-digit Modicon number such as 40001";
            return false;
        }

        var table = (digits[0] - '0') switch
        {
            0 => ModbusTable.Coil,
            1 => ModbusTable.DiscreteInput,
            3 => ModbusTable.InputRegister,
            4 => ModbusTable.HoldingRegister,
            _ => (ModbusTable?)null,
        };
        if (table is null)
        {
            error = $"address '{s}': a Modicon number starts with 0 (coil), 1 (discrete input), 3 (input register) or 4 (holding register)";
            return false;
        }

        // 40001 is the first holding register (protocol address 0): the reference is 1-based.
        var reference = number % (digits.Length == 5 ? 10_000u : 100_000u);
        if (reference < 1 || reference > 65536)
        {
            error = $"address '{s}': register number {reference} outside 1..{(digits.Length == 5 ? 9999 : 65536)}";
            return false;
        }

        if (dot >= 0)
        {
            if (ModbusLimits.IsBitTable(table.Value))
            {
                error = $"address '{s}': a bit index (.b) applies to registers, not to bits";
                return false;
            }

            if (!byte.TryParse(s[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var b) || b > 15)
            {
                error = $"address '{s}': bit must be 0..15, found '{s[(dot + 1)..]}'";
                return false;
            }

            bit = (sbyte)b;
        }

        address = new ModbusAddress(table.Value, (ushort)(reference - 1), bit);
        return true;
    }

    public override string ToString()
    {
        var prefix = Table switch
        {
            ModbusTable.Coil => "coil",
            ModbusTable.DiscreteInput => "di",
            ModbusTable.InputRegister => "ir",
            _ => "hr",
        };
        return Bit >= 0 ? $"{prefix}:{Offset}.{Bit}" : $"{prefix}:{Offset}";
    }
}
