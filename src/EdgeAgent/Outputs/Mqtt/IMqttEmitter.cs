using EdgeAgent.Outputs.Mqtt.Outbox;
using MQTTnet;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>How a format hands messages to the sink.</summary>
internal interface IMqttEmitter
{
    /// <summary>Queues a message: QoS 1 through the outbox (in order, durable), QoS 0 straight to the wire when connected.</summary>
    void Emit(MessageClass @class, int qos, string topic, byte[] payload, bool retain, bool sparkplug = false);

    /// <summary>Publishes as soon as connected, outside the outbox (command replies).</summary>
    void SendDirect(MqttApplicationMessage message);

    /// <summary>Re-sends the births (agent state, NBIRTH/DBIRTH) before any more queued traffic.</summary>
    void RequestRebirth();

    /// <summary>Wakes the delivery loop (the format's readiness changed).</summary>
    void Wake();
}
