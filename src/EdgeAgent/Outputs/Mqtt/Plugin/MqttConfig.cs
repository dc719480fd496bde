using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Mqtt.Plugin;

/// <summary>The MQTT output's typed accessor on the bound configuration.</summary>
public static class MqttConfig
{
    /// <summary>The bound <c>outputs.mqtt</c>; null when MQTT is turned off (<c>mqtt: false</c>).</summary>
    public static MqttOptions? Mqtt(this AgentConfig config) => config.Section<MqttOptions>(MqttPlugin.SectionPath);
}
