using System.Buffers;
using System.Text.Json;
using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Mqtt.Json;

/// <summary>
/// JSON payloads of the topic contract ("JSON topics" in the MQTT output's README.md), written with Utf8JsonWriter (no reflection). Timestamps are
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
        using var json = new Utf8JsonWriter(output, JsonWriting.Options);
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
            JsonWriting.WriteNumber(json, name, sample.Value);
        }
    }

    public static byte[] Sample(in Sample sample)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        WriteSample(buffer, sample);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>{site}/alarms</c>: the alarm's <see cref="AlarmDocument"/> (the same document Sparkplug carries in <c>Alarms/Event</c>).</summary>
    public static byte[] Alarm(AlarmEvent e) => AlarmDocument.Write(e);

    /// <summary>
    /// <c>{site}/{equipment}/status</c> (retained): <c>{"state","since","ts","previous","code","counters":{…}}</c>.
    /// </summary>
    public static byte[] Status(EquipmentStatusEvent e) => JsonWriting.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("state", e.State);
        json.WriteString("since", e.Since);
        json.WriteString("ts", e.Ts);
        JsonWriting.WriteStringOrNull(json, "previous", e.Previous);
        json.WriteNumber("code", e.Code);
        if (e.Counters.Count > 0)
        {
            json.WriteStartObject("counters");
            foreach (var (key, value) in e.Counters)
            {
                JsonWriting.WriteNumber(json, key, value);
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
    public static byte[] Spc(SpcPointEvent e) => JsonWriting.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("characteristic", e.Characteristic);
        json.WriteString("chart", e.Chart);
        json.WriteNumber("index", e.Index);
        json.WriteNumber("n", e.Size);
        JsonWriting.WriteNumber(json, "statistic", e.Value);
        JsonWriting.WriteNumber(json, "center", e.Center);
        JsonWriting.WriteNumber(json, "ucl", e.Ucl);
        JsonWriting.WriteNumber(json, "lcl", e.Lcl);
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
            JsonWriting.WriteNumber(json, "statistic", e.Secondary);
            JsonWriting.WriteNumber(json, "center", e.SecondaryCenter);
            JsonWriting.WriteNumber(json, "ucl", e.SecondaryUcl);
            JsonWriting.WriteNumber(json, "lcl", e.SecondaryLcl);
            json.WriteEndObject();
        }

        if (e.Capability is { } c)
        {
            json.WriteStartObject("capability");
            JsonWriting.WriteNumber(json, "cp", c.Cp);
            JsonWriting.WriteNumber(json, "cpk", c.Cpk);
            JsonWriting.WriteNumber(json, "pp", c.Pp);
            JsonWriting.WriteNumber(json, "ppk", c.Ppk);
            JsonWriting.WriteNumber(json, "cpm", c.Cpm);
            json.WriteNumber("n", c.N);
            json.WriteEndObject();
        }

        json.WriteString("ts", e.Ts);
        json.WriteEndObject();
    });

    /// <summary><c>{site}/edge/{id}/source/{source}</c> (retained): <c>{"state":"up|down|starting","reason":…,"ts"}</c>.</summary>
    public static byte[] SourceState(SourceStateEvent e) => JsonWriting.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("state", e.State switch { Drivers.SourceState.Up => "up", Drivers.SourceState.Down => "down", _ => "starting" });
        JsonWriting.WriteStringOrNull(json, "reason", e.Reason);
        json.WriteString("ts", e.Ts);
        json.WriteEndObject();
    });
}
