using EdgeAgent.Config;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Mqtt.Plugin;

/// <summary>
/// Plugs the MQTT output into the agent: the declaration and binder of <c>outputs.mqtt</c>, and the component that runs
/// the sink (and the embedded broker, when <see cref="MqttOptions.Embedded"/>). <c>mqtt: false|off|none</c> binds to
/// null (no MQTT, no component); an omitted <c>mqtt:</c> binds to <see cref="MqttOptions.EmbeddedDefault"/>.
/// </summary>
public sealed class MqttPlugin : ComponentPlugin<MqttOptions>
{
    /// <summary>The section's path, the key of its options in <see cref="AgentConfig.Sections"/>.</summary>
    public const string SectionPath = "outputs.mqtt";

    public override string? Section => SectionPath;

    /// <summary><c>mqtt</c> in <c>outputs</c>: <c>false</c> or the mapping of <see cref="MqttKeys"/>.</summary>
    public override Key? Key => MqttKeys.Mqtt;

    public override MqttOptions? Bind(ConfigMap? parent, BindingContext context) => MqttBinder.Bind(parent);

    public override IAgentComponent? Create(MqttOptions? options, AgentContext context) =>
        options is null ? null : new MqttComponent(options);
}
