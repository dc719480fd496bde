using EdgeAgent.Config;

namespace EdgeAgent.Pipeline;

/// <summary>
/// The <c>actions:</c> key every alarm definition may carry (characteristic rule and spec alarms, equipment expression
/// alarms): the one declaration of its keys, and its binder. Each action is checked at load, naming FILE:LINE:COL: the
/// tag exists, is <c>writable: true</c>, and the value fits its type.
/// <code>
/// actions:
///   - { on: active, write: press1.quality_hold, value: 1 }
///   - { on: acknowledged, write: press1.quality_hold, value: 0 }
/// </code>
/// </summary>
public static class AlarmActions
{
    public static readonly string[] Triggers = ["active", "acknowledged", "cleared"];

    /// <summary>Default expiry of a write: a hold that did not reach the machine within this is reported, never sent later.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static readonly Section Item = new("A write made when the alarm enters a state (the closed loop: a quality hold).") { DefName = "alarmAction" };
    public static readonly ChoiceKey On = Item.Choice("on", "active (the alarm activated), acknowledged (an operator acknowledged it) or cleared (its condition returned to normal).", Triggers, required: true);
    public static readonly StringKey Write = Item.String("write", "The tag to write (source.tag); it must say writable: true.", required: true);
    public static readonly NumberKey Value = Item.Number("value", "The engineering value to write (1/0 for coils and bits); it must fit the tag's type.", required: true);
    public static readonly DurationKey Timeout = Item.Duration("timeout", "Give up after this long, retrying with backoff until then, and report the write as expired; it is never sent later. Default 10s.", TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));

    /// <summary>Declares <c>actions:</c> in <paramref name="section"/> (an alarm definition's keys).</summary>
    public static MapListKey Declare(Section section) =>
        section.MapList("actions", "Writes made when this alarm becomes active, is acknowledged or clears (opt-in; only writable tags).", Item);

    /// <summary>The actions of <paramref name="owner"/>'s <c>actions:</c> (empty when absent); problems are reported there.</summary>
    public static List<WriteAction> Bind(ConfigMap owner, MapListKey key, BindingContext context)
    {
        var result = new List<WriteAction>();
        foreach (var map in key.Read(owner))
        {
            var on = On.Read(map);
            var tag = Write.Read(map);
            var value = Value.Read(map);
            var timeout = Timeout.Read(map) ?? DefaultTimeout;
            var tagId = tag is null ? -1 : TagReferences.Resolve(map, Write.Name, tag, context.Resolver);
            if (tagId >= 0 && context.TagProblem(tagId) is { } tagProblem)
            {
                map.Error(Write.Name, tagProblem);
            }
            else if (tagId >= 0 && value is { } v && context.WriteProblem(tagId, v) is { } problem)
            {
                map.Error(Value.Name, problem);
            }
            else if (on is not null && tagId >= 0 && value is not null)
            {
                result.Add(new WriteAction(Enum.Parse<AlarmState>(on, ignoreCase: true), tagId, tag!, value.Value, timeout));
            }

            map.ReportUnknownKeys();
        }

        return result;
    }
}
