using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Hosting;
using EdgeAgent.Outputs.Mqtt;
using EdgeAgent.Outputs.Outbox;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace EdgeAgent.Outputs.Sparkplug;

/// <summary>Sparkplug B 3.0 (work in progress: behaves as JSON until the encoder lands).</summary>
internal sealed class SparkplugFormat : IMqttFormat
{
    private readonly JsonFormat _json;

    public SparkplugFormat(AgentContext context, MqttOptions options, IMqttEmitter emitter, ILogger logger)
    {
        _json = new JsonFormat(context, options, emitter);
        _ = logger;
    }

    public IReadOnlyList<string> Subscriptions => _json.Subscriptions;
    public bool ReadyToSend => true;
    public MqttApplicationMessage Will() => _json.Will();
    public MqttApplicationMessage Goodbye() => _json.Goodbye();
    public void OnSamples(ReadOnlySpan<Sample> samples) => _json.OnSamples(samples);
    public void OnEvent(AgentEvent agentEvent) => _json.OnEvent(agentEvent);
    public IReadOnlyList<MqttApplicationMessage> Births(bool rebirth) => _json.Births(rebirth);
    public byte[] Prepare(OutboxMessage message, bool beforeBirth) => message.Payload;
    public Task OnMessageAsync(MqttApplicationMessage message, CancellationToken cancellationToken) => _json.OnMessageAsync(message, cancellationToken);
}
