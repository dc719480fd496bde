using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Mqtt.Json;

/// <summary>
/// <c>{site}/edge/{id}/writes</c>: the audit of one write —
/// <c>{"tag","value","by","result":"ok|refused|failed|expired|superseded","readBack","error","attempts","requested","ts"}</c>.
/// </summary>
public static class WritePayload
{
    public static byte[] Encode(WriteEvent e) => JsonWriting.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("tag", e.Tag);
        JsonWriting.WriteNumber(json, "value", e.Value);
        json.WriteString("by", e.By);
        json.WriteString("result", e.Status.ToString().ToLowerInvariant());
        JsonWriting.WriteNumber(json, "readBack", e.ReadBack);

        JsonWriting.WriteStringOrNull(json, "error", e.Error);
        json.WriteNumber("attempts", e.Attempts);
        json.WriteString("requested", e.Requested);
        json.WriteString("ts", e.Ts);
        json.WriteEndObject();
    });
}
