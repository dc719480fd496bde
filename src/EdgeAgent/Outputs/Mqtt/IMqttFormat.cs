using EdgeAgent.Drivers;
using EdgeAgent.Outputs.Mqtt.Outbox;
using EdgeAgent.Pipeline;
using MQTTnet;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// A payload format on top of the delivery loop of <see cref="MqttSink"/>: the JSON topic contract
/// (<see cref="Json.JsonFormat"/>) or Sparkplug B (<see cref="Sparkplug.SparkplugFormat"/>). A format turns samples and
/// events into messages and hands them to the <see cref="IMqttEmitter"/>; the sink owns connection, outbox and order.
/// The plug-in chooses the format (<c>format: json|sparkplug</c>); the sink never constructs one.
/// </summary>
internal interface IMqttFormat
{
    /// <summary>The last will (agent state <c>offline</c>, or NDEATH). Rebuilt before every connect.</summary>
    MqttApplicationMessage Will();

    /// <summary>Topic filters subscribed after every connect (commands, NCMD, STATE).</summary>
    IReadOnlyList<string> Subscriptions { get; }

    /// <summary>Called on the router thread; must only encode and emit.</summary>
    void OnSamples(ReadOnlySpan<Sample> samples);

    /// <summary>Called from any thread (the router, a source's state change).</summary>
    void OnEvent(AgentEvent agentEvent);

    /// <summary>
    /// Messages published directly, in order, after every connect (<paramref name="rebirth"/> false) and after a rebirth
    /// request (true), before the outbox resumes.
    /// </summary>
    IReadOnlyList<MqttApplicationMessage> Births(bool rebirth);

    /// <summary>
    /// The payload to send for a queued message. Sparkplug appends the session's next <c>seq</c> here and marks a
    /// message made before the current birth as historical (<paramref name="beforeBirth"/>).
    /// </summary>
    byte[] Prepare(OutboxMessage message, bool beforeBirth);

    /// <summary>A message arrived on one of <see cref="Subscriptions"/>.</summary>
    Task OnMessageAsync(MqttApplicationMessage message, CancellationToken cancellationToken);

    /// <summary>What to publish on a clean stop (a clean DISCONNECT suppresses the will): <c>offline</c> or NDEATH.</summary>
    MqttApplicationMessage Goodbye();

    /// <summary>False while queued traffic must wait (Sparkplug: the primary host application is offline).</summary>
    bool ReadyToSend { get; }
}
