using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// The JSON document of one alarm event: the payload of <c>{site}/alarms</c> (JSON format) and the value of the
/// Sparkplug <c>Alarms/Event</c> metric, so both formats describe an alarm with the same fields.
/// </summary>
public static class AlarmDocument
{
    /// <summary>
    /// <c>{"id","state","priority","source","characteristic","rule","value","context":{…},"ts"}</c>
    /// plus <c>message</c>, <c>by</c>, <c>comment</c>, <c>unacknowledged</c> when set.
    /// </summary>
    public static byte[] Write(AlarmEvent e) => JsonWriting.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("id", e.Id);
        json.WriteString("state", StateName(e.State));
        json.WriteString("priority", e.Priority);
        json.WriteString("source", e.Source);
        JsonWriting.WriteStringOrNull(json, "characteristic", e.Characteristic);
        JsonWriting.WriteStringOrNull(json, "rule", e.Rule);
        JsonWriting.WriteNumber(json, "value", e.Value);
        json.WriteStartObject("context");
        foreach (var (key, value) in e.Context)
        {
            JsonWriting.WriteObject(json, key, value);
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

    public static string StateName(AlarmState state) => state switch
    {
        AlarmState.Active => "active",
        AlarmState.Acknowledged => "acknowledged",
        _ => "cleared",
    };
}
