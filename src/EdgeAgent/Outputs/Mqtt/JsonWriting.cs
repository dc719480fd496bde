using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// The JSON writing rules every MQTT JSON document follows (the JSON topics, the alarm document Sparkplug carries, command
/// replies): Utf8JsonWriter without reflection, a NaN or infinite number written as null, and text a person reads as
/// it is written.
/// </summary>
internal static class JsonWriting
{
    /// <summary>
    /// The writer options of every MQTT JSON document. The default encoder escapes everything outside ASCII and the
    /// characters HTML treats specially (an error text <c>tag "x" not found…</c> would arrive as <c>\u0022x\u0022</c> and
    /// <c>\u2026</c>); these payloads are never embedded in HTML, so only what JSON itself requires is escaped (RFC 8259 §7:
    /// the quotation mark, the reverse solidus and control characters), and the rest is UTF-8 as written.
    /// </summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            body(json);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteNumber(Utf8JsonWriter json, string name, double? value)
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

    public static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
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

    public static void WriteObject(Utf8JsonWriter json, string name, object? value)
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
}
