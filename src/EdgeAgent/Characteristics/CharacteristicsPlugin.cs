using EdgeAgent.Config;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Characteristics;

/// <summary>
/// <c>characteristics:</c> — measured characteristics under real-time SPC: the declaration of every key (the schema and
/// the README come from it), the binder, and the component that runs the charts (see README.md in this folder).
/// </summary>
public sealed class CharacteristicsPlugin : ComponentPlugin<IReadOnlyList<CharacteristicConfig>>
{
    public static readonly string[] Charts = ["imr", "xbar-r", "xbar-s", "ewma", "cusum", "p", "np", "c", "u"];

    public static readonly string[] RuleNames =
    [
        "we", "nelson", "we1", "we2", "we3", "we4",
        "nelson1", "nelson2", "nelson3", "nelson4", "nelson5", "nelson6", "nelson7", "nelson8",
    ];

    /// <summary>One entry of <c>characteristics:</c>.</summary>
    public static readonly Section Item = new() { DefName = "characteristic" };

    public static readonly StringKey Name = Item.String("name", "The characteristic's name; also the tag it measures (source.tag) unless tag is given.", required: true);
    public static readonly StringKey Tag = Item.String("tag", "The measured tag as source.tag (default: name).");
    public static readonly ChoiceKey Chart = Item.Choice("chart", "Default imr.", Charts);
    public static readonly IntKey Subgroup = Item.Int("subgroup", "Subgroup size (2..25 for xbar-r/xbar-s; default 5 for those, else 1).", 1, 25);

    public static readonly Section SpecKeys = new();
    public static readonly NumberKey Lsl = SpecKeys.Number("lsl", "Lower specification limit.");
    public static readonly NumberKey Usl = SpecKeys.Number("usl", "Upper specification limit.");
    public static readonly NumberKey Target = SpecKeys.Number("target", "Nominal value (for Cpm).");
    public static readonly MapKey Spec = Item.Map("spec", "Specification limits: LSL/USL alarms and capability.", SpecKeys);

    public static readonly Section LimitKeys = new("Either baseline (learn limits from the first N subgroups, then freeze) or fixed ucl/cl/lcl.");
    public static readonly IntKey Baseline = LimitKeys.Int("baseline", "Subgroups to learn the limits from, then freeze them.", 2, 100_000);
    public static readonly NumberKey Ucl = LimitKeys.Number("ucl", "Fixed upper control limit.");
    public static readonly NumberKey Cl = LimitKeys.Number("cl", "Fixed center line.");
    public static readonly NumberKey Lcl = LimitKeys.Number("lcl", "Fixed lower control limit.");
    public static readonly MapKey Limits = Item.Map("limits", null, LimitKeys);

    public static readonly ListKey Rules = Item.List("rules", "Run rules: we, nelson, or a list such as [we1, we4].", defs => defs.Ref("rule", () => new() { ["enum"] = SchemaDefinitions.Array(RuleNames) }));
    public static readonly NumberKey Lambda = Item.Number("lambda", "EWMA weight (default 0.2).", 0.01, 1.0);
    public static readonly NumberKey L = Item.Number("L", "EWMA limit width in sigmas (default 3).", 0.1, 10);
    public static readonly NumberKey K = Item.Number("k", "CUSUM reference value in sigmas (default 0.5).", 0, 10);
    public static readonly NumberKey H = Item.Number("h", "CUSUM decision interval in sigmas (default 5).", 0.1, 100);
    public static readonly StringKey Trigger = Item.String("trigger", "Part-complete tag (source.tag): one measurement per rising edge, the measured tag's latest value.");

    public static readonly Section CapabilityKeys = new();
    public static readonly IntKey Window = CapabilityKeys.Int("window", "Cp/Cpk/Pp/Ppk over the last N subgroups (default 125).", 2, 100_000);
    public static readonly MapKey Capability = Item.Map("capability", null, CapabilityKeys);

    public static readonly ChoiceKey Priority = Item.Add(AlarmPriorities.Key("priority", "Priority of the SPC rule alarms (default medium)."));
    public static readonly ChoiceKey SpecPriority = Item.Add(AlarmPriorities.Key("spec_priority", "Priority of the LSL/USL alarms (default high)."));
    public static readonly NumberKey Deadband = Item.Number("deadband", "A spec alarm clears only this far back inside the limit.", 0);
    public static readonly NodeKey Context = Item.Node("context", "Tags read when an alarm activates (part serial, batch, operator, recipe).", TagReferences.ListSchema);

    public static readonly MapListKey Actions = AlarmActions.Declare(Item);

    private static readonly MapListKey SectionKey = new("characteristics", "Measured characteristics under real-time SPC.", Item);

    public override string Section => "characteristics";

    public override Key Key => SectionKey;

    public override IReadOnlyList<CharacteristicConfig> Bind(ConfigMap? parent, BindingContext context)
    {
        var result = new List<CharacteristicConfig>();
        if (parent is null)
        {
            return result;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var map in SectionKey.Read(parent))
        {
            result.Add(BindOne(map, names, context));
        }

        return result;
    }

    private static CharacteristicConfig BindOne(ConfigMap map, HashSet<string> names, BindingContext binding)
    {
        var resolver = binding.Resolver;
        var name = Name.ReadRequired(map);
        if (name.Length > 0 && !names.Add(name))
        {
            map.Error(Name.Name, $"duplicate characteristic '{name}'");
        }

        var tagName = Tag.Read(map) ?? name;
        var tagKey = map.Has(Tag.Name) ? Tag.Name : Name.Name;
        var tagId = tagName.Length > 0 ? TagReferences.Resolve(map, tagKey, tagName, resolver) : -1;

        var chart = Chart.Read(map) ?? "imr";
        var subgroup = Subgroup.Read(map) ?? (chart is "xbar-r" or "xbar-s" ? 5 : 1);
        if (chart is "xbar-r" or "xbar-s" && subgroup < 2)
        {
            map.Error(Subgroup.Name, $"chart {chart} needs a subgroup of 2 to 25, found {subgroup}");
        }

        double? lsl = null, usl = null, target = null;
        if (Spec.Read(map) is { } spec)
        {
            lsl = Lsl.Read(spec);
            usl = Usl.Read(spec);
            target = Target.Read(spec);
            if (lsl is { } lo && usl is { } hi && lo >= hi)
            {
                spec.Error(Usl.Name, $"usl ({hi}) must be greater than lsl ({lo})");
            }

            spec.ReportUnknownKeys();
        }

        int? baseline = null;
        double? ucl = null, cl = null, lcl = null;
        if (Limits.Read(map) is { } limits)
        {
            baseline = Baseline.Read(limits);
            ucl = Ucl.Read(limits);
            cl = Cl.Read(limits);
            lcl = Lcl.Read(limits);
            var fixedCount = (ucl is null ? 0 : 1) + (cl is null ? 0 : 1) + (lcl is null ? 0 : 1);
            if (baseline is not null && fixedCount > 0)
            {
                limits.ErrorHere("give either baseline or ucl/cl/lcl, not both");
            }
            else if (fixedCount is 1 or 2)
            {
                limits.ErrorHere("fixed limits need all three of ucl, cl and lcl");
            }
            else if (fixedCount == 3 && !(lcl < cl && cl < ucl))
            {
                limits.ErrorHere($"fixed limits must satisfy lcl < cl < ucl, found lcl={lcl} cl={cl} ucl={ucl}");
            }

            limits.ReportUnknownKeys();
        }

        var rules = new List<string>();
        foreach (var (rule, at) in Rules.Read(map))
        {
            if (RuleNames.Contains(rule))
            {
                rules.Add(rule);
            }
            else
            {
                var hint = Suggest.Closest(rule, RuleNames);
                map.Errors.Add(at, $"{map.Child(Rules.Name)}: unknown rule '{rule}'{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; expected we, nelson, we1..we4 or nelson1..nelson8");
            }
        }

        var lambda = Lambda.Read(map);
        var l = L.Read(map);
        var k = K.Read(map);
        var h = H.Read(map);
        var trigger = Trigger.Read(map);
        var triggerId = TagReferences.BindTag(map, Trigger.Name, resolver);
        var window = 125;
        if (Capability.Read(map) is { } capability)
        {
            window = Window.Read(capability) ?? window;
            capability.ReportUnknownKeys();
        }

        var priority = Priority.Read(map) ?? "medium";
        var specPriority = SpecPriority.Read(map) ?? "high";
        var deadband = Deadband.Read(map) ?? 0;
        var contextTags = TagReferences.BindContext(map, resolver, Context.Name);
        var actions = AlarmActions.Bind(map, Actions, binding);
        map.ReportUnknownKeys();
        var defaults = new CharacteristicConfig { Name = name, Tag = tagName };
        return defaults with
        {
            TagId = tagId,
            Chart = chart,
            Subgroup = subgroup,
            Lsl = lsl,
            Usl = usl,
            Target = target,
            Baseline = baseline,
            Ucl = ucl,
            Cl = cl,
            Lcl = lcl,
            Lambda = lambda ?? defaults.Lambda,
            L = l ?? defaults.L,
            K = k ?? defaults.K,
            H = h ?? defaults.H,
            Rules = rules.Count > 0 ? rules : defaults.Rules,
            Trigger = trigger,
            TriggerTagId = triggerId,
            CapabilityWindow = window,
            Priority = priority,
            SpecPriority = specPriority,
            Deadband = deadband,
            Context = contextTags,
            Actions = actions,
            At = map.Start,
        };
    }

    public override IAgentComponent? Create(IReadOnlyList<CharacteristicConfig>? options, AgentContext context) =>
        new CharacteristicComponent(options ?? []);
}

/// <summary>Typed access to the bound <c>characteristics:</c> of a configuration.</summary>
public static class CharacteristicsConfigExtensions
{
    public static IReadOnlyList<CharacteristicConfig> Characteristics(this AgentConfig config) =>
        config.Section<IReadOnlyList<CharacteristicConfig>>("characteristics") ?? [];
}
