using EdgeAgent.Config;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Alarms;

/// <summary>
/// The alarm list. It is always present: it provides the <see cref="IAlarmService"/> the others raise alarms through, a
/// communication-loss alarm per source, and the alarm commands. Alarms are declared by the characteristics and the
/// equipment that raise them; the comm-loss alarms, which no other section declares, take their <c>actions:</c> here:
/// <code>
/// alarms:
///   commLoss:
///     - { source: gauge1, actions: [ { on: active, write: press1.quality_hold, value: 1 } ] }
/// </code>
/// </summary>
public sealed class AlarmsPlugin : ComponentPlugin<AlarmsOptions>
{
    public static readonly Section CommLossItem = new("The communication-loss alarm of one source ({source}/comm-loss).") { DefName = "commLossAlarm" };
    public static readonly StringKey Source = CommLossItem.String("source", "The source whose comm-loss alarm this is (a name from sources:).", required: true);
    public static readonly MapListKey Actions = AlarmActions.Declare(CommLossItem);

    public static readonly Section Keys = new("The agent's own alarms.");
    public static readonly MapListKey CommLoss = Keys.MapList("commLoss", "Actions of the communication-loss alarms, one entry per source (the alarm exists for every source with or without an entry).", CommLossItem);

    private static readonly MapKey SectionKey = new("alarms", "The agent's own alarms: actions of the communication-loss alarms.", Keys);

    public override string Section => "alarms";

    public override Key Key => SectionKey;

    public override AlarmsOptions? Bind(ConfigMap? parent, BindingContext context)
    {
        if (parent is null || SectionKey.Read(parent) is not { } map)
        {
            return null;
        }

        var sources = context.Sources.Select(s => s.Name).ToArray();
        var actions = new Dictionary<string, IReadOnlyList<WriteAction>>(StringComparer.Ordinal);
        foreach (var item in CommLoss.Read(map))
        {
            var source = Source.Read(item);
            var bound = AlarmActions.Bind(item, Actions, context);
            item.ReportUnknownKeys();
            if (source is null)
            {
                continue;
            }

            if (!sources.Contains(source, StringComparer.Ordinal))
            {
                var hint = Suggest.Closest(source, sources);
                item.Error(Source.Name, $"no source '{source}'{(hint is null ? string.Empty : $"; did you mean '{hint}'?")}");
            }
            else if (!actions.TryAdd(source, bound))
            {
                item.Error(Source.Name, $"source '{source}' is listed twice: give its comm-loss alarm one entry with all its actions");
            }
            else if (bound.FirstOrDefault(a => context.Tags[a.TagId].Source == source) is { } own)
            {
                item.Error(Actions.Name, $"'{own.Tag}' is on source '{source}' itself: a write cannot reach the source whose communication is lost; write a tag of another source");
            }
        }

        map.ReportUnknownKeys();
        return new AlarmsOptions { CommLossActions = actions };
    }

    public override IAgentComponent Create(AlarmsOptions? options, AgentContext context) => new AlarmComponent(options ?? new AlarmsOptions());
}

/// <summary>The <c>alarms:</c> section: the actions of each source's comm-loss alarm, by source name.</summary>
public sealed record AlarmsOptions
{
    public IReadOnlyDictionary<string, IReadOnlyList<WriteAction>> CommLossActions { get; init; } = new Dictionary<string, IReadOnlyList<WriteAction>>();
}
