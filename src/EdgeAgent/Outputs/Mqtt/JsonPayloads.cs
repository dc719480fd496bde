using System.Buffers;
using System.Text.Json;
using EdgeAgent.Drivers;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>JSON payloads of the topic contract, written with Utf8JsonWriter (no reflection).</summary>
public static class JsonPayloads
{
    public static string QualityName(Quality q) => q switch
    {
        Quality.Good => "Good",
        Quality.Uncertain => "Uncertain",
        _ => "Bad",
    };

    /// <summary><c>{"value":…,"quality":"Good","ts":"…"}</c>; a NaN or infinite value is written as null.</summary>
    public static void WriteSample(IBufferWriter<byte> output, in Sample sample)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
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
        else if (double.IsFinite(sample.Value))
        {
            json.WriteNumber(name, sample.Value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    public static byte[] Sample(in Sample sample)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        WriteSample(buffer, sample);
        return buffer.WrittenSpan.ToArray();
    }
}
