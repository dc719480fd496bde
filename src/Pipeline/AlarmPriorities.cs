using EdgeAgent.Config;

namespace EdgeAgent.Pipeline;

/// <summary>Alarm priorities, most urgent first (ISA-18.2 leaves the names to the site; these are the common four).</summary>
public static class AlarmPriorities
{
    public static readonly string[] All = ["critical", "high", "medium", "low"];

    /// <summary>A priority key (<c>priority</c>, <c>spec_priority</c>): one of <see cref="All"/>.</summary>
    public static ChoiceKey Key(string name, string description) => new(name, description, All) { DefName = "priority" };
}
