using System.Text;
using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Influx;

/// <summary>
/// What the agent writes, as InfluxDB line protocol (one point per line:
/// <c>measurement,tag=v,tag=v field=v,field=v timestamp</c>, timestamps in ns):
/// <code>
/// samples,source=press1,tag=diameter,unit=mm value=10.01,quality=0i 1764547200000000000
/// spc,characteristic=press1.diameter,chart=xbar-r value=10.002,center=10,ucl=10.013,lcl=9.987,violations=0i …
/// capability,characteristic=press1.diameter cp=1.61,cpk=1.55,pp=1.58,ppk=1.52,cpm=1.6 …
/// alarms,characteristic=press1.diameter,priority=medium,rule=we1 state="active",value=10.02,id="press1.diameter/we1" …
/// equipment_state,equipment=press1 state="running",code=2i …
/// </code>
/// Tags are written in key order (what InfluxDB sorts them to anyway). A tag whose value is absent (a tag without unit,
/// an alarm without characteristic) is left out: line protocol has no empty tag value. A non-finite number is left out
/// too (line protocol has no NaN); a point left without any field is not written.
/// </summary>
internal sealed class LineProtocol
{
    private static readonly byte[] ValueField = " value="u8.ToArray();
    private static readonly byte[] TextField = " text="u8.ToArray();
    private static readonly byte[] QualityField = ",quality="u8.ToArray();
    private static readonly byte[] QualityOnly = " quality="u8.ToArray();

    /// <summary>Per tag id: <c>samples,source=…,tag=…[,unit=…]</c>, escaped once at start.</summary>
    private readonly byte[][] _prefixes;

    public LineProtocol(TagDirectory directory)
    {
        _prefixes = new byte[directory.Count][];
        using var line = new LineBuffer(256);
        for (var i = 0; i < directory.Count; i++)
        {
            var tag = directory.Tags[i];
            line.Clear();
            line.Write("samples,source="u8);
            line.WriteName(tag.Source);
            line.Write(",tag="u8);
            line.WriteName(tag.Name);
            if (!string.IsNullOrEmpty(tag.Unit))
            {
                line.Write(",unit="u8);
                line.WriteName(tag.Unit);
            }

            _prefixes[i] = line.Written.ToArray();
        }
    }

    /// <summary>
    /// One <c>samples</c> point, timestamped with the sample's source timestamp. Fields: <c>value</c> (float; left out
    /// when not finite, as for a Bad sample), <c>text</c> (string tags, instead of value: a field keeps one type per
    /// measurement), <c>quality</c> (0 Good, 1 Uncertain, 2 Bad). Allocates nothing.
    /// </summary>
    public void WriteSample(LineBuffer line, in Sample sample)
    {
        if ((uint)sample.TagId >= (uint)_prefixes.Length)
        {
            return;
        }

        line.Write(_prefixes[sample.TagId]);
        if (sample.Text is { } text)
        {
            line.Write(TextField);
            line.WriteString(text);
            line.Write(QualityField);
        }
        else if (double.IsFinite(sample.Value))
        {
            line.Write(ValueField);
            line.WriteFloat(sample.Value);
            line.Write(QualityField);
        }
        else
        {
            line.Write(QualityOnly);
        }

        line.WriteInteger((long)sample.Quality);
        line.Write((byte)' ');
        line.WriteTimestamp(sample.SourceTicks);
        line.Write((byte)'\n');
    }

    /// <summary>The points of one event (0 for kinds that are not written: source state); returns how many.</summary>
    public static int WriteEvent(LineBuffer line, AgentEvent agentEvent) => agentEvent switch
    {
        SpcPointEvent spc => WriteSpc(line, spc),
        AlarmEvent alarm => WriteAlarm(line, alarm),
        EquipmentStatusEvent status => WriteStatus(line, status),
        _ => 0,
    };

    /// <summary>
    /// <c>spc</c>: the chart's statistic with its limits and the number of run rules it violated; a second point with
    /// <c>chart</c> = the secondary chart (r, s, mr) when the chart has one. <c>capability</c> when the event carries it.
    /// </summary>
    private static int WriteSpc(LineBuffer line, SpcPointEvent e)
    {
        var points = Spc(line, e.Characteristic, e.Chart, e.Value, e.Center, e.Ucl, e.Lcl, e.Violations.Count, e.Ts);
        if (e.SecondaryChart is { } secondary && e.Secondary is { } value)
        {
            points += Spc(line, e.Characteristic, secondary, value, e.SecondaryCenter, e.SecondaryUcl, e.SecondaryLcl, null, e.Ts);
        }

        if (e.Capability is { } c)
        {
            var start = line.Length;
            line.Write("capability,characteristic="u8);
            line.WriteName(e.Characteristic);
            var fields = new Fields(line);
            fields.Float("cp"u8, c.Cp);
            fields.Float("cpk"u8, c.Cpk);
            fields.Float("pp"u8, c.Pp);
            fields.Float("ppk"u8, c.Ppk);
            fields.Float("cpm"u8, c.Cpm);
            points += End(line, start, fields, e.Ts);
        }

        return points;
    }

    private static int Spc(LineBuffer line, string characteristic, string chart, double value, double? center, double? ucl, double? lcl, int? violations, DateTime ts)
    {
        var start = line.Length;
        line.Write("spc,characteristic="u8);
        line.WriteName(characteristic);
        line.Write(",chart="u8);
        line.WriteName(chart);
        var fields = new Fields(line);
        fields.Float("value"u8, value);
        fields.Float("center"u8, center);
        fields.Float("ucl"u8, ucl);
        fields.Float("lcl"u8, lcl);
        if (violations is { } count)
        {
            fields.Integer("violations"u8, count);
        }

        return End(line, start, fields, ts);
    }

    /// <summary><c>alarms</c>: state active / acknowledged / cleared, the value that raised it, the alarm id.</summary>
    private static int WriteAlarm(LineBuffer line, AlarmEvent e)
    {
        var start = line.Length;
        line.Write("alarms"u8);
        Tag(line, "characteristic"u8, e.Characteristic);
        Tag(line, "priority"u8, e.Priority);
        Tag(line, "rule"u8, e.Rule);
        var fields = new Fields(line);
        fields.String("state"u8, StateName(e.State));
        fields.Float("value"u8, e.Value);
        fields.String("id"u8, e.Id);
        return End(line, start, fields, e.Ts);
    }

    /// <summary><c>equipment_state</c>: the state's name and its code (offline 0, idle 1, running 2, setup 3, fault 4).</summary>
    private static int WriteStatus(LineBuffer line, EquipmentStatusEvent e)
    {
        var start = line.Length;
        line.Write("equipment_state,equipment="u8);
        line.WriteName(e.Equipment);
        var fields = new Fields(line);
        fields.String("state"u8, e.State);
        fields.Integer("code"u8, e.Code);
        return End(line, start, fields, e.Ts);
    }

    public static string StateName(AlarmState state) => state switch
    {
        AlarmState.Active => "active",
        AlarmState.Acknowledged => "acknowledged",
        _ => "cleared",
    };

    private static void Tag(LineBuffer line, ReadOnlySpan<byte> key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            line.Write((byte)',');
            line.Write(key);
            line.Write((byte)'=');
            line.WriteName(value);
        }
    }

    /// <summary>Ends the point with its timestamp, or takes it back when it got no field.</summary>
    private static int End(LineBuffer line, int start, Fields fields, DateTime ts)
    {
        if (fields.Count == 0)
        {
            line.Truncate(start);
            return 0;
        }

        line.Write((byte)' ');
        line.WriteTimestamp(ts.Ticks);
        line.Write((byte)'\n');
        return 1;
    }

    /// <summary>Writes <c> key=v,key=v</c>: a space before the first field, commas between.</summary>
    private ref struct Fields(LineBuffer line)
    {
        public int Count;

        public void Float(ReadOnlySpan<byte> key, double? value)
        {
            if (value is { } v && double.IsFinite(v))
            {
                Key(key);
                line.WriteFloat(v);
            }
        }

        public void Integer(ReadOnlySpan<byte> key, long value)
        {
            Key(key);
            line.WriteInteger(value);
        }

        public void String(ReadOnlySpan<byte> key, string value)
        {
            Key(key);
            line.WriteString(value);
        }

        private void Key(ReadOnlySpan<byte> key)
        {
            line.Write(Count++ == 0 ? (byte)' ' : (byte)',');
            line.Write(key);
            line.Write((byte)'=');
        }
    }

    /// <summary>The UTF-8 text of a buffer (tests, logs).</summary>
    public static string Text(LineBuffer line) => Encoding.UTF8.GetString(line.Written);
}
