using EdgeAgent.Spc;

namespace EdgeAgent.Analysis;

/// <summary>What the figures and the HTML report say about a run rule: its short mark beside a point and its meaning.</summary>
internal static class RuleText
{
    /// <summary>The mark beside a violating point: the rule's number, N-prefixed for Nelson (<c>1</c> is we1, <c>N5</c> is nelson5).</summary>
    public static string Mark(SpcRules single)
    {
        var name = SpcRuleNames.Name(single);
        return name.StartsWith("we", StringComparison.Ordinal) ? name[2..] : "N" + name["nelson".Length..];
    }

    /// <summary>The marks of every rule in <paramref name="rules"/>, comma separated.</summary>
    public static string Marks(SpcRules rules) => string.Join(",", SpcRuleNames.Each(rules).Select(Mark));

    /// <summary>The rule in words (Western Electric Handbook 1956; Nelson, J. Quality Technology 16(4), 1984).</summary>
    public static string Describe(SpcRules single) => single switch
    {
        SpcRules.We1 or SpcRules.Nelson1 => "one point beyond a 3σ control limit",
        SpcRules.We2 or SpcRules.Nelson5 => "2 of 3 consecutive points beyond 2σ on the same side",
        SpcRules.We3 or SpcRules.Nelson6 => "4 of 5 consecutive points beyond 1σ on the same side",
        SpcRules.We4 => "8 consecutive points on the same side of the center line",
        SpcRules.Nelson2 => "9 consecutive points on the same side of the center line",
        SpcRules.Nelson3 => "6 consecutive points steadily increasing or decreasing",
        SpcRules.Nelson4 => "14 consecutive points alternating up and down",
        SpcRules.Nelson7 => "15 consecutive points within 1σ of the center line",
        SpcRules.Nelson8 => "8 consecutive points beyond 1σ, on both sides",
        _ => throw new ArgumentOutOfRangeException(nameof(single), single, "expected exactly one rule bit [we1-nelson8]"),
    };

    /// <summary>True when a rule that counts points beyond 1σ or 2σ is in use: then the zone lines are worth drawing.</summary>
    public static bool UsesZones(SpcRules rules) =>
        (rules & (SpcRules.We2 | SpcRules.We3 | SpcRules.Nelson5 | SpcRules.Nelson6 | SpcRules.Nelson7 | SpcRules.Nelson8)) != 0;
}
