using System.Numerics;
using System.Runtime.CompilerServices;

namespace EdgeAgent.Spc;

/// <summary>
/// Run rules as a bit mask (no allocation on the hot path). Western Electric 1–4 (WE Handbook, 1956) and
/// Nelson 1–8 (Nelson, J. Quality Technology 16(4), 1984).
/// </summary>
[Flags]
public enum SpcRules : uint
{
    None = 0,

    /// <summary>One point beyond a 3σ limit.</summary>
    We1 = 1u << 0,

    /// <summary>2 of 3 consecutive points beyond 2σ on the same side.</summary>
    We2 = 1u << 1,

    /// <summary>4 of 5 consecutive points beyond 1σ on the same side.</summary>
    We3 = 1u << 2,

    /// <summary>8 consecutive points on the same side of the center line.</summary>
    We4 = 1u << 3,

    /// <summary>One point beyond a 3σ limit.</summary>
    Nelson1 = 1u << 4,

    /// <summary>9 consecutive points on the same side of the center line.</summary>
    Nelson2 = 1u << 5,

    /// <summary>6 consecutive points strictly increasing or strictly decreasing.</summary>
    Nelson3 = 1u << 6,

    /// <summary>14 consecutive points alternating up and down.</summary>
    Nelson4 = 1u << 7,

    /// <summary>2 of 3 consecutive points beyond 2σ on the same side.</summary>
    Nelson5 = 1u << 8,

    /// <summary>4 of 5 consecutive points beyond 1σ on the same side.</summary>
    Nelson6 = 1u << 9,

    /// <summary>15 consecutive points within 1σ of the center line (|z| ≤ 1).</summary>
    Nelson7 = 1u << 10,

    /// <summary>8 consecutive points beyond 1σ (|z| &gt; 1) with both sides present.</summary>
    Nelson8 = 1u << 11,

    WesternElectric = We1 | We2 | We3 | We4,
    Nelson = Nelson1 | Nelson2 | Nelson3 | Nelson4 | Nelson5 | Nelson6 | Nelson7 | Nelson8,

    /// <summary>The "one point beyond the limits" rules: all EWMA and CUSUM evaluate.</summary>
    BeyondLimits = We1 | Nelson1,
}

/// <summary>Names used in YAML (<c>rules:</c>) and in the JSON report: we, nelson, we1..we4, nelson1..nelson8.</summary>
public static class SpcRuleNames
{
    private static readonly string[] Names =
        ["we1", "we2", "we3", "we4", "nelson1", "nelson2", "nelson3", "nelson4", "nelson5", "nelson6", "nelson7", "nelson8"];

    /// <summary>The name of one rule bit, e.g. <c>we2</c>.</summary>
    public static string Name(SpcRules single)
    {
        var bits = (uint)single;
        if (BitOperations.PopCount(bits) != 1 || bits >= 1u << Names.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(single), single, "expected exactly one rule bit [we1-nelson8]");
        }

        return Names[BitOperations.TrailingZeroCount(bits)];
    }

    /// <summary>Parses one name (<c>we</c>, <c>nelson</c>, <c>we3</c>, <c>nelson8</c>; case-insensitive).</summary>
    public static bool TryParse(string name, out SpcRules rules)
    {
        var key = name.Trim().ToLowerInvariant();
        switch (key)
        {
            case "we":
                rules = SpcRules.WesternElectric;
                return true;
            case "nelson":
                rules = SpcRules.Nelson;
                return true;
        }

        var i = Array.IndexOf(Names, key);
        rules = i < 0 ? SpcRules.None : (SpcRules)(1u << i);
        return i >= 0;
    }

    /// <summary>Parses a list such as <c>[we1, we4]</c> or a single set name; throws naming the bad entry.</summary>
    public static SpcRules Parse(IEnumerable<string> names)
    {
        var result = SpcRules.None;
        foreach (var name in names)
        {
            if (!TryParse(name, out var r))
            {
                throw new ArgumentOutOfRangeException(nameof(names), name, "unknown rule; expected we, nelson, we1..we4 or nelson1..nelson8");
            }

            result |= r;
        }

        return result;
    }

    /// <summary>Each set bit of <paramref name="rules"/> in order we1..nelson8.</summary>
    public static IEnumerable<SpcRules> Each(SpcRules rules)
    {
        for (int i = 0; i < Names.Length; i++)
        {
            var bit = (SpcRules)(1u << i);
            if ((rules & bit) != 0)
            {
                yield return bit;
            }
        }
    }
}

/// <summary>
/// Streaming run-rule state: O(1) per point, no allocation. Windows are bit histories and run counters.
/// Zones come from the center c and the sigma of the plotted statistic (σ above and σ below may differ when
/// fixed limits are asymmetric). "Beyond" is strict: a point exactly on a line is not beyond it, and a point on the
/// center line is on neither side. A rule fires at point i when the pattern ending at i holds and includes i;
/// a continuing pattern fires again at every further point.
/// </summary>
public struct RuleState
{
    // Branch-free on purpose: on noisy data every "is this point beyond …" test is a coin flip for the branch predictor,
    // so each counter is updated as (count + 1)·condition and each rule bit as condition·mask.
    private double previous;
    private int hasPrevious;  // 0 before the first point, 1 after
    private int aboveRun;     // consecutive points strictly above the center
    private int belowRun;     // consecutive points strictly below the center
    private int upRun;        // consecutive strict increases ending here
    private int downRun;      // consecutive strict decreases ending here
    private int alternating;  // consecutive non-zero differences alternating in sign, ending here
    private int lastDirection;
    private int withinRun;    // consecutive points with |z| ≤ 1
    private int outsideRun;   // consecutive points with |z| > 1
    private uint above2, below2, above1, below1; // bit histories, bit 0 = this point

    /// <summary>Evaluates point <paramref name="x"/> and returns the enabled rules it violates.</summary>
    public SpcRules Evaluate(double x, double center, double sigmaUp, double sigmaDown, double ucl, double lcl, SpcRules enabled) =>
        Evaluate(x, center, center + sigmaUp, center + 2 * sigmaUp, center - sigmaDown, center - 2 * sigmaDown, ucl, lcl, enabled);

    /// <summary>As above with the zone lines precomputed (c ± 1σ, c ± 2σ): the per-sample path when limits are constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SpcRules Evaluate(double x, double center, double up1, double up2, double down1, double down2, double ucl, double lcl, SpcRules enabled)
    {
        int above = B(x > center), below = B(x < center);
        int a1 = B(x > up1), b1 = B(x < down1), beyond1 = a1 | b1;
        above2 = (above2 << 1) | (uint)B(x > up2);
        below2 = (below2 << 1) | (uint)B(x < down2);
        above1 = (above1 << 1) | (uint)a1;
        below1 = (below1 << 1) | (uint)b1;

        aboveRun = (aboveRun + 1) * above;
        belowRun = (belowRun + 1) * below;
        withinRun = (withinRun + 1) * (beyond1 ^ 1);
        outsideRun = (outsideRun + 1) * beyond1;

        // Direction of this step: +1 up, −1 down, 0 tie or first point (a tie breaks trends and alternation).
        int direction = (B(x > previous) - B(x < previous)) * hasPrevious;
        int moved = direction & 1;
        upRun = (upRun + 1) * B(direction > 0);
        downRun = (downRun + 1) * B(direction < 0);
        alternating = moved * (alternating * B(direction == -lastDirection) + 1);
        lastDirection = direction;
        previous = x;
        hasPrevious = 1;

        uint a2 = above2 & 1, b2 = below2 & 1;
        uint v = (uint)B(x > ucl | x < lcl) * (uint)(SpcRules.We1 | SpcRules.Nelson1);
        v |= ((a2 & (uint)B(BitOperations.PopCount(above2 & 0b111) >= 2)) | (b2 & (uint)B(BitOperations.PopCount(below2 & 0b111) >= 2)))
             * (uint)(SpcRules.We2 | SpcRules.Nelson5);
        v |= (((uint)a1 & (uint)B(BitOperations.PopCount(above1 & 0b11111) >= 4)) | ((uint)b1 & (uint)B(BitOperations.PopCount(below1 & 0b11111) >= 4)))
             * (uint)(SpcRules.We3 | SpcRules.Nelson6);
        var run = aboveRun | belowRun; // one of them is 0
        v |= (uint)B(run >= 8) * (uint)SpcRules.We4;
        v |= (uint)B(run >= 9) * (uint)SpcRules.Nelson2;
        v |= (uint)B((upRun | downRun) >= 5) * (uint)SpcRules.Nelson3;
        v |= (uint)B(alternating >= 13) * (uint)SpcRules.Nelson4;
        v |= (uint)B(withinRun >= 15) * (uint)SpcRules.Nelson7;
        v |= (uint)(B(outsideRun >= 8) & B((above1 & 0xFF) != 0) & B((below1 & 0xFF) != 0)) * (uint)SpcRules.Nelson8;
        return (SpcRules)v & enabled;
    }

    private static int B(bool b) => b ? 1 : 0;

    /// <summary>The state as plain numbers, for <see cref="SpcState"/>.</summary>
    internal readonly double[] ToArray() =>
    [
        previous, hasPrevious, aboveRun, belowRun, upRun, downRun, alternating, lastDirection, withinRun, outsideRun,
        above2, below2, above1, below1,
    ];

    internal static RuleState FromArray(double[] a)
    {
        if (a.Length != 14)
        {
            throw new ArgumentOutOfRangeException(nameof(a), a.Length, "rule state must have 14 numbers [14-14]");
        }

        return new RuleState
        {
            previous = a[0], hasPrevious = a[1] != 0 ? 1 : 0, aboveRun = (int)a[2], belowRun = (int)a[3], upRun = (int)a[4],
            downRun = (int)a[5], alternating = (int)a[6], lastDirection = (int)a[7], withinRun = (int)a[8], outsideRun = (int)a[9],
            above2 = (uint)a[10], below2 = (uint)a[11], above1 = (uint)a[12], below1 = (uint)a[13],
        };
    }
}
