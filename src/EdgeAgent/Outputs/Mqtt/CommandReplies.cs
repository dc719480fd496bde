using System.Buffers;
using EdgeAgent.Pipeline;
using MQTTnet;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// Commands in on <c>{site}/edge/{id}/cmd/{path}</c>, dispatched to the agent's command hub and answered on
/// <c>{site}/edge/{id}/reply/{path}</c> with <c>{"ok":true,"ts"}</c> or <c>{"ok":false,"error":"…","ts"}</c>, outside the
/// outbox. An MQTT 5 request's response topic and correlation data are honoured instead. Both formats answer commands
/// through this one piece.
/// </summary>
internal sealed class CommandReplies
{
    private readonly MqttContext _context;
    private readonly IMqttEmitter _emitter;
    private readonly string _prefix;

    public CommandReplies(MqttContext context, IMqttEmitter emitter)
    {
        _context = context;
        _emitter = emitter;
        _prefix = Topics.Commands(context.Site, context.AgentId);
        Subscription = _prefix + "#";
    }

    /// <summary>The command that writes to the machine: refused unless <c>commands.write</c> is on.</summary>
    public const string WritePath = "write";

    /// <summary>The topic filter to subscribe to: <c>{site}/edge/{id}/cmd/#</c>.</summary>
    public string Subscription { get; }

    /// <summary>Dispatches and answers <paramref name="message"/> when it is a command; false (nothing done) otherwise.</summary>
    public async Task<bool> TryHandleAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (!message.Topic.StartsWith(_prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var path = message.Topic[_prefix.Length..];
        var payload = message.Payload.IsSingleSegment ? message.Payload.First : message.Payload.ToArray();
        var result = path == WritePath && !_context.RemoteWrites
            ? CommandResult.Fail("remote writes are off: set outputs.mqtt.commands: { write: true } to accept cmd/write")
            : await _context.Commands.DispatchAsync(path, payload, cancellationToken).ConfigureAwait(false);
        var reply = Reply(result.Ok, result.Error, _context.Time.GetUtcNow().UtcDateTime);
        var topic = string.IsNullOrEmpty(message.ResponseTopic) ? Topics.Reply(_context.Site, _context.AgentId, path) : message.ResponseTopic;
        var answer = MqttMessages.Create(topic, reply, 1, retain: false);
        if (message.CorrelationData is { Length: > 0 } correlation)
        {
            answer.CorrelationData = correlation;
        }

        _emitter.SendDirect(answer);
        return true;
    }

    /// <summary>The reply payload: <c>{"ok":true,"ts"}</c> or <c>{"ok":false,"error":"…","ts"}</c>.</summary>
    public static byte[] Reply(bool ok, string? error, DateTime ts) => JsonWriting.Write(json =>
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
}
