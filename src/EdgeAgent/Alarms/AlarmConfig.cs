using EdgeAgent.Config;
using EdgeAgent.Expressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EdgeAgent.Alarms;

/// <summary>A tag read when an alarm activates and carried in its <c>context</c> (part serial, batch, operator, recipe).</summary>
public readonly record struct ContextTag(string Name, int TagId);

/// <summary>Alarm priorities, most urgent first (ISA-18.2 leaves the names to the site; these are the common four).</summary>
public static class AlarmPriorities
{
    public static readonly string[] All = ["critical", "high", "medium", "low"];
}

/// <summary>
/// One expression alarm (<c>equipment[i].alarms[j]</c>):
/// <code>
/// - name: overtemp
///   when: press1.temp > 80 for 5s     # condition; 'for' is the on-delay
///   priority: high                    # critical, high, medium (default), low
///   deadband: 2                       # clears only at temp &lt;= 78 (top-level &lt; &lt;= &gt; &gt;= only)
///   off_delay: 2s                     # must stay clear this long before it clears
///   message: Press 1 over temperature
///   context: [press1.serial, press1.batch]
/// </code>
/// </summary>
public sealed record AlarmConfig
{
    /// <summary>Name, unique within its equipment.</summary>
    public required string Name { get; init; }

    /// <summary>Alarm id: <c>{equipment}/{name}</c>; one alarm per id at a time (dedupe).</summary>
    public required string Id { get; init; }

    public required Expression When { get; init; }
    public string Priority { get; init; } = "medium";
    public double Deadband { get; init; }
    public TimeSpan OnDelay { get; init; }
    public TimeSpan OffDelay { get; init; }
    public string? Message { get; init; }
    public IReadOnlyList<ContextTag> Context { get; init; } = [];
    public Mark At { get; init; }
}

/// <summary>Binds the alarm-related YAML keys shared by equipment and characteristics.</summary>
public static class AlarmBinder
{
    private static readonly string[] Reserved = ["comm-loss", "usl", "lsl", .. ConfigLoader.RuleNames];

    public static List<AlarmConfig> BindList(ConfigMap owner, string ownerName, ITagResolver tags, IReadOnlyList<ContextTag> defaultContext)
    {
        var result = new List<AlarmConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var map in owner.MapList("alarms"))
        {
            var name = map.RequiredString("name");
            if (ConfigLoader.CheckName(map, "name", name) && !names.Add(name))
            {
                map.Error("name", $"duplicate alarm '{name}' in '{ownerName}'");
            }
            else if (Reserved.Contains(name))
            {
                // Alarm ids are {owner}/{name}; these names are the ids of built-in alarms (comm-loss, spec, run rules).
                map.Error("name", $"'{name}' is reserved for built-in alarms ({string.Join(", ", Reserved.Take(3))}, run rule names); choose another name");
            }

            var when = ExpressionBinder.Bind(map, "when", tags, allowFor: true, required: true);
            var priority = map.Choice("priority", AlarmPriorities.All) ?? "medium";
            var deadband = map.Double("deadband", 0) ?? 0;
            if (deadband > 0 && when is { SupportsDeadband: false })
            {
                map.Error("deadband", $"a deadband needs a condition whose top is a comparison < <= > >= (e.g. 'press1.temp > 80'), found '{when.Text}'");
            }

            var onDelay = map.Duration("on_delay", TimeSpan.Zero, TimeSpan.FromDays(1));
            if (onDelay is not null && when?.For is not null)
            {
                map.Error("on_delay", "give the on-delay either as 'for' in the condition or as on_delay, not both");
            }

            var offDelay = map.Duration("off_delay", TimeSpan.Zero, TimeSpan.FromDays(1)) ?? TimeSpan.Zero;
            var message = map.String("message");
            var context = map.Has("context") ? BindContext(map, tags) : defaultContext;
            map.ReportUnknownKeys();
            if (when is not null && name.Length > 0)
            {
                result.Add(new AlarmConfig
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
                    At = map.Start,
                });
            }
        }

        return result;
    }

    /// <summary><c>context: [source.tag, …]</c>, each an existing tag.</summary>
    public static List<ContextTag> BindContext(ConfigMap map, ITagResolver tags)
    {
        var result = new List<ContextTag>();
        foreach (var (name, at) in map.StringList("context"))
        {
            var id = tags.Resolve(name);
            if (id < 0)
            {
                var hint = Suggest.Closest(name, tags.Names);
                map.Errors.Add(at, $"{map.Child("context")}: unknown tag '{name}'{(hint is null ? string.Empty : $"; did you mean '{hint}'?")}");
            }
            else if (!result.Exists(c => c.TagId == id))
            {
                result.Add(new ContextTag(name, id));
            }
        }

        return result;
    }

    /// <summary>A single tag name in <paramref name="key"/>, resolved, with did-you-mean; -1 when absent or unknown (reported).</summary>
    public static int BindTag(ConfigMap map, string key, ITagResolver tags)
    {
        var name = map.String(key);
        if (name is null)
        {
            return -1;
        }

        var id = tags.Resolve(name);
        if (id < 0)
        {
            var hint = Suggest.Closest(name, tags.Names);
            map.Error(key, $"no tag '{name}' (tags are named source.tag){(hint is null ? string.Empty : $"; did you mean '{hint}'?")}");
        }

        return id;
    }

    internal static YamlScalarNode? Scalar(ConfigMap map, string key) => map.Raw(key) as YamlScalarNode;
}
