using EdgeAgent.Config;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Alarms;

/// <summary>
/// The alarm list: it has no YAML section of its own (alarms are declared by the characteristics and the equipment that
/// raise them), and it is always present: it provides the <see cref="IAlarmService"/> the others raise alarms through,
/// a communication-loss alarm per source, and the alarm commands.
/// </summary>
public sealed class AlarmsPlugin : ComponentPlugin<object>
{
    public override string? Section => null;

    public override Key? Key => null;

    public override object? Bind(ConfigMap? parent, BindingContext context) => null;

    public override IAgentComponent Create(object? options, AgentContext context) => new AlarmComponent();
}
