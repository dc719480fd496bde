using System.Buffers;
using System.Globalization;
using System.Text.Json;
using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// JSON payloads of the topic contract (ARCHITECTURE.md), written with Utf8JsonWriter (no reflection). Timestamps are
/// ISO 8601 UTC (<c>2026-11-25T13:14:24.1234567Z</c>); a NaN or infinite number is written as null.
/// </summary>
public static class JsonPayloads
{
    public static string QualityName(Quality q) => q switch
    {
        Quality.Good => "Good",
        Quality.Uncertain => "Uncertain",
        _ => "Bad",
    };

    /// <summary><c>{"value":…,"quality":"Good","ts":"…"}</c>.</summary>
    public static void WriteSample(Utf8JsonWriter json, in Sample sample)
    {
        json.WriteStartObject();
        WriteValue(json, "value", sample);
        json.WriteString("quality", QualityName(sample.Quality));
        json.WriteString("ts", sample.SourceTime);
        json.WriteEndObject();
    }

    /// <summary><c>{"value":…,"quality":"Good","ts":"…"}</c>.</summary>
    public static void WriteSample(IBufferWriter<byte> output, in Sample sample)
    {
        using var json = new Utf8JsonWriter(output);
        WriteSample(json, sample);
    }

    /// <summary>One element of a batched data message: <c>{"tag":"count","value":…,"quality":"Good","ts":"…"}</c>.</summary>
    public static void WriteTaggedSample(Utf8JsonWriter json, string tag, in Sample sample)
    {
        json.WriteStartObject();
        json.WriteString("tag", tag);
        WriteValue(json, "value", sample);
        json.WriteString("quality", QualityName(sample.Quality));
        json.WriteString("ts", sample.SourceTime);
        json.WriteEndObject();
    }

    public static void WriteValue(Utf8JsonWriter json, string name, in Sample sample)
    {
        if (sample.Text is not null)
        {
            json.WriteString(name, sample.Text);
        }
        else
        {
            WriteNumber(json, name, sample.Value);
        }
    }

    public static byte[] Sample(in Sample sample)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        WriteSample(buffer, sample);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <c>{site}/alarms</c>: <c>{"id","state","priority","source","characteristic","rule","value","context":{…},"ts"}</c>
    /// plus <c>message</c>, <c>by</c>, <c>comment</c>, <c>unacknowledged</c> when set.
    /// </summary>
    public static byte[] Alarm(AlarmEvent e) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("id", e.Id);
        json.WriteString("state", AlarmStateName(e.State));
        json.WriteString("priority", e.Priority);
        json.WriteString("source", e.Source);
        WriteStringOrNull(json, "characteristic", e.Characteristic);
        WriteStringOrNull(json, "rule", e.Rule);
        WriteNumber(json, "value", e.Value);
        json.WriteStartObject("context");
        foreach (var (key, value) in e.Context)
        {
            WriteObject(json, key, value);
        }

        json.WriteEndObject();
        json.WriteString("ts", e.Ts);
        if (e.Message is not null)
        {
            json.WriteString("message", e.Message);
        }

        if (e.By is not null)
        {
            json.WriteString("by", e.By);
        }

        if (e.Comment is not null)
        {
            json.WriteString("comment", e.Comment);
        }

        if (e.Unacknowledged)
        {
            json.WriteBoolean("unacknowledged", true);
        }

        json.WriteEndObject();
    });

    public static string AlarmStateName(AlarmState state) => state switch
    {
        AlarmState.Active => "active",
        AlarmState.Acknowledged => "acknowledged",
        _ => "cleared",
    };

    /// <summary>
    /// <c>{site}/{equipment}/status</c> (retained): <c>{"state","since","ts","previous","code","counters":{…}}</c>.
    /// </summary>
    public static byte[] Status(EquipmentStatusEvent e) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("state", e.State);
        json.WriteString("since", e.Since);
        json.WriteString("ts", e.Ts);
        WriteStringOrNull(json, "previous", e.Previous);
        json.WriteNumber("code", e.Code);
        if (e.Counters.Count > 0)
        {
            json.WriteStartObject("counters");
            foreach (var (key, value) in e.Counters)
            {
                WriteNumber(json, key, value);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    });

    /// <summary>
    /// <c>{site}/spc/{characteristic}</c>: one subgroup result —
    /// <c>{"characteristic","chart","index","n","statistic","center","ucl","lcl","violations":[…],"baseline",
    /// "secondary":{"chart","statistic","center","ucl","lcl"},"capability":{"cp","cpk","pp","ppk","cpm","n"},"ts"}</c>.
    /// </summary>
    public static byte[] Spc(SpcPointEvent e) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("characteristic", e.Characteristic);
        json.WriteString("chart", e.Chart);
        json.WriteNumber("index", e.Index);
        json.WriteNumber("n", e.Size);
        WriteNumber(json, "statistic", e.Value);
        WriteNumber(json, "center", e.Center);
        WriteNumber(json, "ucl", e.Ucl);
        WriteNumber(json, "lcl", e.Lcl);
        json.WriteStartArray("violations");
        foreach (var v in e.Violations)
        {
            json.WriteStringValue(v);
        }

        json.WriteEndArray();
        json.WriteBoolean("baseline", e.Baseline);
        if (e.SecondaryChart is not null)
        {
            json.WriteStartObject("secondary");
            json.WriteString("chart", e.SecondaryChart);
            WriteNumber(json, "statistic", e.Secondary);
            WriteNumber(json, "center", e.SecondaryCenter);
            WriteNumber(json, "ucl", e.SecondaryUcl);
            WriteNumber(json, "lcl", e.SecondaryLcl);
            json.WriteEndObject();
        }

        if (e.Capability is { } c)
        {
            json.WriteStartObject("capability");
            WriteNumber(json, "cp", c.Cp);
            WriteNumber(json, "cpk", c.Cpk);
            WriteNumber(json, "pp", c.Pp);
            WriteNumber(json, "ppk", c.Ppk);
            WriteNumber(json, "cpm", c.Cpm);
            json.WriteNumber("n", c.N);
            json.WriteEndObject();
        }

        json.WriteString("ts", e.Ts);
        json.WriteEndObject();
    });

    /// <summary><c>{site}/edge/{id}/source/{source}</c> (retained): <c>{"state":"up|down|starting","reason":…,"ts"}</c>.</summary>
    public static byte[] SourceState(SourceStateEvent e) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("state", e.State switch { Drivers.SourceState.Up => "up", Drivers.SourceState.Down => "down", _ => "starting" });
        WriteStringOrNull(json, "reason", e.Reason);
        json.WriteString("ts", e.Ts);
        json.WriteEndObject();
    });

    /// <summary>Command reply on <c>{site}/edge/{id}/reply/{path}</c>: <c>{"ok":true}</c> or <c>{"ok":false,"error":"…"}</c>.</summary>
    public static byte[] Reply(bool ok, string? error, DateTime ts) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteBoolean("ok", ok);
        if (error is not null)
        {
            json.WriteString("error", error);
        }

        json.WriteString("ts", ts);
        json.WriteEndObject();
    });

    internal static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteObject(Utf8JsonWriter json, string name, object? value)
    {
        switch (value)
        {
            case null: json.WriteNull(name); break;
            case string s: json.WriteString(name, s); break;
            case bool b: json.WriteBoolean(name, b); break;
            case double d: WriteNumber(json, name, d); break;
            case float f: WriteNumber(json, name, f); break;
            case int i: json.WriteNumber(name, i); break;
            case long l: json.WriteNumber(name, l); break;
            case decimal m: json.WriteNumber(name, m); break;
            case DateTime t: json.WriteString(name, t); break;
            case DateTimeOffset t: json.WriteString(name, t); break;
            case IFormattable f: json.WriteString(name, f.ToString(null, CultureInfo.InvariantCulture)); break;
            default: json.WriteString(name, value.ToString()); break;
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            body(json);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
