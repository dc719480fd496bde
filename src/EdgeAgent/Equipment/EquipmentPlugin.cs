using EdgeAgent.Characteristics;
using EdgeAgent.Config;
using EdgeAgent.Expressions;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Equipment;

/// <summary>
/// <c>equipment:</c> — one state machine per machine over tag expressions, with expression alarms: the declaration of
/// every key (the schema and the README come from it), the binder, and the component (see src/EdgeAgent/Alarms/README.md).
/// </summary>
public sealed class EquipmentPlugin : ComponentPlugin<IReadOnlyList<EquipmentConfig>>
{
    /// <summary>Ids of built-in alarms are {owner}/{name}: an expression alarm may not take these names.</summary>
    private static readonly string[] Reserved = ["comm-loss", "usl", "lsl", .. CharacteristicsPlugin.RuleNames];

    public static readonly Section Item = new() { DefName = "equipment" };
    public static readonly NameKey Name = Item.Name("name", null, required: true);
    public static readonly StringKey Running = Item.String("running", "Expression over tags, e.g. press1.running == 1.");
    public static readonly StringKey Fault = Item.String("fault", "Expression over tags: the machine is in fault (priority fault > setup > running > idle).");
    public static readonly StringKey Idle = Item.String("idle", "Expression over tags: the machine is idle.");
    public static readonly StringKey Setup = Item.String("setup", "Expression over tags: the machine is in setup / changeover.");

    public static readonly Section PartsKeys = new("Part counter tags for OEE (counting up; a reset is handled).");
    public static readonly StringKey Total = PartsKeys.String("total", "Tag counting every part made (source.tag).");
    public static readonly StringKey Good = PartsKeys.String("good", "Tag counting good parts (source.tag).");
    public static readonly MapKey Parts = Item.Map("parts", null, PartsKeys);

    public static readonly DurationKey Report = Item.Duration("report", "Republish the retained status with counters this often (default 60s; 0s = only on change).", TimeSpan.Zero, TimeSpan.FromDays(1));
    public static readonly NodeKey Context = Item.Node("context", "Default context tags of this equipment's alarms.", TagReferences.ListSchema);

    public static readonly Section AlarmItem = new();
    public static readonly NameKey AlarmName = AlarmItem.Name("name", null, required: true);
    public static readonly StringKey When = AlarmItem.String("when", "Condition over tags, optionally with an on-delay: press1.temp > 80 for 5s.", required: true);
    public static readonly ChoiceKey Priority = AlarmItem.Add(AlarmPriorities.Key("priority", "critical, high, medium (default) or low."));
    public static readonly NumberKey Deadband = AlarmItem.Number("deadband", "Clears only this far back from the limit (top-level comparison < <= > >= only).", 0);
    public static readonly DurationKey OnDelay = AlarmItem.Duration("on_delay", "The condition must hold this long before the alarm activates (or write 'for 5s' in the condition).", TimeSpan.Zero, TimeSpan.FromDays(1));
    public static readonly DurationKey OffDelay = AlarmItem.Duration("off_delay", "The condition must stay clear this long before the alarm clears.", TimeSpan.Zero, TimeSpan.FromDays(1));
    public static readonly StringKey Message = AlarmItem.String("message", "Text of the alarm (default: the condition).");
    public static readonly NodeKey AlarmContext = AlarmItem.Node("context", "Tags read when the alarm activates (default: the equipment's context).", TagReferences.ListSchema);
    public static readonly MapListKey AlarmActionsKey = AlarmActions.Declare(AlarmItem);
    public static readonly MapListKey Alarms = Item.MapList("alarms", "Expression alarms on this equipment's tags.", AlarmItem);

    private static readonly MapListKey SectionKey = new("equipment", "Equipment state machines (running / idle / fault / setup / offline) over tag expressions.", Item);

    public override string Section => "equipment";

    public override Key Key => SectionKey;

    public override IReadOnlyList<EquipmentConfig> Bind(ConfigMap? parent, BindingContext context)
    {
        var result = new List<EquipmentConfig>();
        if (parent is null)
        {
            return result;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var resolver = context.Resolver;
        foreach (var map in SectionKey.Read(parent))
        {
            var (name, valid) = Name.ReadChecked(map);
            if (valid && !names.Add(name))
            {
                map.Error(Name.Name, $"duplicate equipment '{name}'");
            }

            var running = Running.Read(map);
            var fault = Fault.Read(map);
            var idle = Idle.Read(map);
            var setup = Setup.Read(map);
            if (running is null && fault is null && idle is null && setup is null)
            {
                map.ErrorHere("give at least one of running, fault, idle, setup (an expression over tags)");
            }

            var runningWhen = ExpressionBinder.Bind(map, Running.Name, resolver);
            var faultWhen = ExpressionBinder.Bind(map, Fault.Name, resolver);
            var idleWhen = ExpressionBinder.Bind(map, Idle.Name, resolver);
            var setupWhen = ExpressionBinder.Bind(map, Setup.Name, resolver);
            int totalId = -1, goodId = -1;
            if (Parts.Read(map) is { } parts)
            {
                totalId = TagReferences.BindTag(parts, Total.Name, resolver);
                goodId = TagReferences.BindTag(parts, Good.Name, resolver);
                parts.ReportUnknownKeys();
            }

            var report = Report.Read(map) ?? TimeSpan.FromSeconds(60);
            var contextTags = TagReferences.BindContext(map, resolver, Context.Name);
            var alarms = BindAlarms(map, name, context, contextTags);
            map.ReportUnknownKeys();
            var sources = new List<string>();
            foreach (var expression in new[] { runningWhen, faultWhen, idleWhen, setupWhen })
            {
                foreach (var id in expression?.TagIds ?? [])
                {
                    // Tag ids index context.Tags.
                    if ((uint)id < (uint)context.Tags.Count && !sources.Contains(context.Tags[id].Source))
                    {
                        sources.Add(context.Tags[id].Source);
                    }
                }
            }

            result.Add(new EquipmentConfig
            {
                Name = name,
                Running = running,
                Fault = fault,
                Idle = idle,
                Setup = setup,
                RunningWhen = runningWhen,
                FaultWhen = faultWhen,
                IdleWhen = idleWhen,
                SetupWhen = setupWhen,
                Sources = sources,
                PartsTotalTagId = totalId,
                PartsGoodTagId = goodId,
                Report = report,
                Alarms = alarms,
                Context = contextTags,
                At = map.Start,
            });
        }

        return result;
    }

    /// <summary><c>equipment[i].alarms</c>: expression alarms with ids <c>{equipment}/{name}</c>.</summary>
    private static List<EquipmentAlarmConfig> BindAlarms(ConfigMap owner, string ownerName, BindingContext binding, IReadOnlyList<ContextTag> defaultContext)
    {
        var tags = binding.Resolver;
        var result = new List<EquipmentAlarmConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var map in Alarms.Read(owner))
        {
            var (name, valid) = AlarmName.ReadChecked(map);
            if (valid && !names.Add(name))
            {
                map.Error(AlarmName.Name, $"duplicate alarm '{name}' in '{ownerName}'");
            }
            else if (Reserved.Contains(name))
            {
                map.Error(AlarmName.Name, $"'{name}' is reserved for built-in alarms ({string.Join(", ", Reserved.Take(3))}, run rule names); choose another name");
            }

            var when = ExpressionBinder.Bind(map, When.Name, tags, allowFor: true, required: true);
            var priority = Priority.Read(map) ?? "medium";
            var deadband = Deadband.Read(map) ?? 0;
            if (deadband > 0 && when is { SupportsDeadband: false })
            {
                map.Error(Deadband.Name, $"a deadband needs a condition whose top is a comparison < <= > >= (e.g. 'press1.temp > 80'), found '{when.Text}'");
            }

            var onDelay = OnDelay.Read(map);
            if (onDelay is not null && when?.For is not null)
            {
                map.Error(OnDelay.Name, "give the on-delay either as 'for' in the condition or as on_delay, not both");
            }

            var offDelay = OffDelay.Read(map) ?? TimeSpan.Zero;
            var message = Message.Read(map);
            var context = map.Has(AlarmContext.Name) ? TagReferences.BindContext(map, tags, AlarmContext.Name) : defaultContext;
            var actions = AlarmActions.Bind(map, AlarmActionsKey, binding);
            map.ReportUnknownKeys();
            if (when is not null && name.Length > 0)
            {
                result.Add(new EquipmentAlarmConfig
                {
                    Name = name,
                    Id = $"{ownerName}/{name}",
                    When = when,
                    Priority = priority,
                    Deadband = deadband,
                    OnDelay = onDelay ?? when.For ?? TimeSpan.Zero,
                    OffDelay = offDelay,
                    Message = message,
                    Context = context,
                    Actions = actions,
                    At = map.Start,
                });
            }
        }

        return result;
    }

    public override IAgentComponent? Create(IReadOnlyList<EquipmentConfig>? options, AgentContext context) =>
        new EquipmentComponent(options ?? []);
}

/// <summary>Typed access to the bound <c>equipment:</c> of a configuration.</summary>
public static class EquipmentConfigExtensions
{
    public static IReadOnlyList<EquipmentConfig> Equipment(this AgentConfig config) =>
        config.Section<IReadOnlyList<EquipmentConfig>>("equipment") ?? [];
}
