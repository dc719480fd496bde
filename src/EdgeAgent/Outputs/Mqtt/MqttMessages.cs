using System.Buffers;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>Builds the application messages the sink and both formats publish outside the outbox.</summary>
internal static class MqttMessages
{
    /// <summary>A message with QoS 0 (<paramref name="qos"/> 0) or 1 (anything else).</summary>
    public static MqttApplicationMessage Create(string topic, byte[] payload, int qos, bool retain) => new()
    {
        Topic = topic,
        Payload = new ReadOnlySequence<byte>(payload),
        QualityOfServiceLevel = qos == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce,
        Retain = retain,
    };
}
