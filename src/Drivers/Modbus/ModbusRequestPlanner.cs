namespace EdgeAgent.Drivers.Modbus;

/// <summary>One read request of a plan: a contiguous range of one table of one unit and the tags it serves.</summary>
public sealed record ReadBlock(byte UnitId, ModbusTable Table, ushort Start, ushort Count, int[] Tags)
{
    public FunctionCode Function => ModbusLimits.ReadFunction(Table);

    public override string ToString() =>
        $"unit {UnitId} FC{(byte)Function} {new ModbusAddress(Table, Start)}+{Count} ({Tags.Length} tag{(Tags.Length == 1 ? "" : "s")})";
}

/// <summary>How tags are merged into requests.</summary>
public sealed record ModbusPlanOptions
{
    /// <summary>
    /// Largest run of unused registers read to join two tags into one request (× 16 for coils and discrete inputs).
    /// 0 merges only adjacent or overlapping tags.
    /// </summary>
    public int MaxGap { get; init; } = 10;

    /// <summary>Registers per request, at most 125 (bits: × 16, at most 2000). Lower it for devices that refuse long reads.</summary>
    public int MaxLength { get; init; } = ModbusLimits.MaxReadRegisters;
}

/// <summary>
/// Coalesces the tags of a source into the fewest reads: per unit and table, sorted by address, a tag joins the
/// current request while the gap before it is at most <see cref="ModbusPlanOptions.MaxGap"/> and the request stays
/// within <see cref="ModbusPlanOptions.MaxLength"/> (≤ 125 registers, ≤ 2000 bits).
/// </summary>
public static class ModbusRequestPlanner
{
    public static List<ReadBlock> Plan(IReadOnlyList<ModbusTagOptions> tags, byte defaultUnit, ModbusPlanOptions? options = null)
    {
        options ??= new ModbusPlanOptions();
        var order = new int[tags.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (x, y) =>
        {
            var a = tags[x];
            var b = tags[y];
            var c = (a.UnitId ?? defaultUnit).CompareTo(b.UnitId ?? defaultUnit);
            if (c == 0)
            {
                c = a.Address.Table.CompareTo(b.Address.Table);
            }

            if (c == 0)
            {
                c = a.Address.Offset.CompareTo(b.Address.Offset);
            }

            return c == 0 ? x.CompareTo(y) : c;
        });

        var blocks = new List<ReadBlock>();
        var members = new List<int>();
        byte unit = 0;
        var table = ModbusTable.Coil;
        int start = 0, end = 0;
        foreach (var i in order)
        {
            var tag = tags[i];
            var tagUnit = tag.UnitId ?? defaultUnit;
            var bits = ModbusLimits.IsBitTable(tag.Address.Table);
            var maxLength = bits ? Math.Min(ModbusLimits.MaxReadBits, options.MaxLength * 16) : Math.Min(ModbusLimits.MaxReadRegisters, options.MaxLength);
            var maxGap = bits ? options.MaxGap * 16 : options.MaxGap;
            int s = tag.Address.Offset, e = s + tag.Count;
            if (members.Count > 0 && tagUnit == unit && tag.Address.Table == table && s - end <= maxGap && Math.Max(end, e) - start <= maxLength)
            {
                end = Math.Max(end, e);
                members.Add(i);
                continue;
            }

            Flush();
            unit = tagUnit;
            table = tag.Address.Table;
            start = s;
            end = e;
            members.Add(i);
        }

        Flush();
        return blocks;

        void Flush()
        {
            if (members.Count > 0)
            {
                blocks.Add(new ReadBlock(unit, table, (ushort)start, (ushort)(end - start), members.ToArray()));
                members.Clear();
            }
        }
    }

    /// <summary>The fallback for a refused block: one request per tag, so one bad address marks only its own tags Bad.</summary>
    public static IEnumerable<ReadBlock> Split(ReadBlock block, IReadOnlyList<ModbusTagOptions> tags, byte defaultUnit)
    {
        foreach (var i in block.Tags)
        {
            var t = tags[i];
            yield return new ReadBlock(t.UnitId ?? defaultUnit, t.Address.Table, t.Address.Offset, (ushort)t.Count, [i]);
        }
    }
}
