using System.Buffers.Binary;

namespace EdgeAgent.Drivers.Modbus;

/// <summary>
/// The write path: a coil with FC 5, one holding register with FC 6, several (32/64-bit values) with FC 16, a bit of a
/// holding register by read-modify-write with FC 3 + FC 6; then the same address is read back and compared with what was
/// sent, register bytes for register bytes. Writes share the polling connection (the client is safe for concurrent use).
/// </summary>
public sealed partial class ModbusSource : IWritableSource
{
    public async ValueTask<WriteResult> WriteAsync(TagBinding tag, double value, CancellationToken cancellationToken)
    {
        var options = tag.Options as ModbusTagOptions
            ?? throw new ArgumentException($"tag {tag.Name}: options must be {nameof(ModbusTagOptions)}", nameof(tag));
        if ((WriteProblem(options) ?? ValueProblem(options, value)) is { } problem)
        {
            throw new SourceException(_client.Endpoint, $"tag {tag.Name}: {problem}", isTransient: false);
        }

        var unit = options.UnitId ?? _options.Unit;
        var address = options.Address;
        if (address.Table == ModbusTable.Coil)
        {
            var on = value != 0;
            await _client.WriteSingleCoilAsync(unit, address.Offset, on, cancellationToken).ConfigureAwait(false);
            var back = await _client.ReadCoilsAsync(unit, address.Offset, 1, cancellationToken).ConfigureAwait(false);
            return new WriteResult(back[0] ? 1 : 0, back[0] == on);
        }

        if (address.IsBitOfRegister)
        {
            // No atomic bit write in FC 3/6: a PLC that changes the other bits of this word in between loses that change.
            var word = (await _client.ReadHoldingRegistersAsync(unit, address.Offset, 1, cancellationToken).ConfigureAwait(false))[0];
            var mask = (ushort)(1 << address.Bit);
            var wanted = value != 0 ? (ushort)(word | mask) : (ushort)(word & ~mask);
            await _client.WriteSingleRegisterAsync(unit, address.Offset, wanted, cancellationToken).ConfigureAwait(false);
            var back = (await _client.ReadHoldingRegistersAsync(unit, address.Offset, 1, cancellationToken).ConfigureAwait(false))[0];
            var bit = (back & mask) != 0;
            return new WriteResult(bit ? 1 : 0, bit == (value != 0));
        }

        var wire = new byte[options.Count * 2];
        ModbusValueCodec.Encode(value, options.Type, options.Order, wire, options.Scale, options.Offset);
        if (options.Count == 1)
        {
            await _client.WriteSingleRegisterAsync(unit, address.Offset, BinaryPrimitives.ReadUInt16BigEndian(wire), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _client.WriteRegisterBytesAsync(unit, address.Offset, wire, cancellationToken).ConfigureAwait(false);
        }

        var read = new byte[wire.Length];
        await _client.ReadAsync(unit, ModbusTable.HoldingRegister, address.Offset, (ushort)options.Count, read, cancellationToken).ConfigureAwait(false);
        return new WriteResult(ModbusValueCodec.Decode(read, options), read.AsSpan().SequenceEqual(wire));
    }

    /// <summary>Why a tag cannot be written at all (input registers and discrete inputs are read-only; strings are not written), or null.</summary>
    public static string? WriteProblem(ModbusTagOptions tag) => tag.Address.Table switch
    {
        ModbusTable.InputRegister or ModbusTable.DiscreteInput =>
            $"address {tag.Address} is in a read-only table (input registers and discrete inputs cannot be written); use a coil or a holding register",
        _ when tag.Type == ModbusDataType.String => "string tags cannot be written; use a numeric type",
        _ => null,
    };

    /// <summary>Why <paramref name="value"/> (an engineering value) does not fit the tag's type once scale and offset are undone, or null.</summary>
    public static string? ValueProblem(ModbusTagOptions tag, double value)
    {
        if (ModbusLimits.IsBitTable(tag.Address.Table) || tag.Address.IsBitOfRegister)
        {
            return value is 0 or 1 ? null : $"{tag.Address} is a single bit: the value must be 0 or 1, found {value}";
        }

        var raw = tag.Scale == 1.0 && tag.Offset == 0.0 ? value : (value - tag.Offset) / tag.Scale;
        var name = tag.Type.ToString().ToLowerInvariant();
        if (!double.IsFinite(raw))
        {
            return $"the value must be a finite number, found {value}";
        }

        if (tag.Type == ModbusDataType.Float32)
        {
            return Math.Abs(raw) <= float.MaxValue ? null : $"{value} is outside the range of {name}";
        }

        if (tag.Type == ModbusDataType.Float64)
        {
            return null;
        }

        var (min, max) = tag.Type switch
        {
            ModbusDataType.Int16 => (short.MinValue, short.MaxValue),
            ModbusDataType.UInt16 => (0, ushort.MaxValue),
            ModbusDataType.Int32 => (int.MinValue, int.MaxValue),
            ModbusDataType.UInt32 => (0, uint.MaxValue),
            ModbusDataType.Int64 => (long.MinValue, 9.2233720368547748E+18),
            _ => (0d, 1.8446744073709552E+19),
        };
        var rounded = Math.Round(raw, MidpointRounding.AwayFromZero);
        if (rounded >= min && rounded <= max && (tag.Type is not (ModbusDataType.Int64 or ModbusDataType.UInt64) || rounded < max))
        {
            return null;
        }

        var scaled = tag.Scale == 1.0 && tag.Offset == 0.0 ? string.Empty : $" (raw {raw} after scale {tag.Scale} and offset {tag.Offset})";
        return $"{value}{scaled} does not fit {name} [{min}..{max}]";
    }
}
