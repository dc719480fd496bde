using System.Numerics;

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
    private double previous;
    private bool hasPrevious;
    private int sideRun;      // +k: k consecutive points above the center, −k: below, 0: last point on the center
    private int upRun;        // consecutive strict increases ending here
    private int downRun;      // consecutive strict decreases ending here
    private int alternating;  // consecutive differences alternating in sign, ending here
    private int lastDirection;
    private int withinRun;    // consecutive points with |z| ≤ 1
    private int outsideRun;   // consecutive points with |z| > 1
    private uint above2, below2, above1, below1; // bit histories, bit 0 = this point

    /// <summary>Evaluates point <paramref name="x"/> and returns the enabled rules it violates.</summary>
    public SpcRules Evaluate(double x, double center, double sigmaUp, double sigmaDown, double ucl, double lcl, SpcRules enabled)
    {
        bool isAbove = x > center, isBelow = x < center;
        bool a2 = x > center + 2 * sigmaUp, b2 = x < center - 2 * sigmaDown;
        bool a1 = x > center + sigmaUp, b1 = x < center - sigmaDown;
        above2 = (above2 << 1) | (a2 ? 1u : 0u);
        below2 = (below2 << 1) | (b2 ? 1u : 0u);
        above1 = (above1 << 1) | (a1 ? 1u : 0u);
        below1 = (below1 << 1) | (b1 ? 1u : 0u);

        sideRun = isAbove ? (sideRun > 0 ? sideRun + 1 : 1) : isBelow ? (sideRun < 0 ? sideRun - 1 : -1) : 0;
        withinRun = a1 || b1 ? 0 : withinRun + 1;
        outsideRun = a1 || b1 ? outsideRun + 1 : 0;

        int direction = 0;
        if (hasPrevious)
        {
            direction = x > previous ? 1 : x < previous ? -1 : 0;
        }

        upRun = direction > 0 ? upRun + 1 : 0;
        downRun = direction < 0 ? downRun + 1 : 0;
        alternating = direction == 0 ? 0 : (direction == -lastDirection ? alternating + 1 : 1);
        lastDirection = direction;
        previous = x;
        hasPrevious = true;

        var v = SpcRules.None;
        if (x > ucl || x < lcl)
        {
            v |= SpcRules.We1 | SpcRules.Nelson1;
        }

        if ((a2 && BitOperations.PopCount(above2 & 0b111) >= 2) || (b2 && BitOperations.PopCount(below2 & 0b111) >= 2))
        {
            v |= SpcRules.We2 | SpcRules.Nelson5;
        }

        if ((a1 && BitOperations.PopCount(above1 & 0b11111) >= 4) || (b1 && BitOperations.PopCount(below1 & 0b11111) >= 4))
        {
            v |= SpcRules.We3 | SpcRules.Nelson6;
        }

        var run = Math.Abs(sideRun);
        if (run >= 8)
        {
            v |= SpcRules.We4;
            if (run >= 9)
            {
                v |= SpcRules.Nelson2;
            }
        }

        if (upRun >= 5 || downRun >= 5)
        {
            v |= SpcRules.Nelson3;
        }

        if (alternating >= 13)
        {
            v |= SpcRules.Nelson4;
        }

        if (withinRun >= 15)
        {
            v |= SpcRules.Nelson7;
        }

        if (outsideRun >= 8 && (above1 & 0xFF) != 0 && (below1 & 0xFF) != 0)
        {
            v |= SpcRules.Nelson8;
        }

        return v & enabled;
    }

    /// <summary>The state as plain numbers, for <see cref="SpcState"/>.</summary>
    internal readonly double[] ToArray() =>
    [
        previous, hasPrevious ? 1 : 0, sideRun, upRun, downRun, alternating, lastDirection, withinRun, outsideRun,
        above2, below2, above1, below1,
    ];

    internal static RuleState FromArray(double[] a)
    {
        if (a.Length != 13)
        {
            throw new ArgumentOutOfRangeException(nameof(a), a.Length, "rule state must have 13 numbers [13-13]");
        }

        return new RuleState
        {
            previous = a[0], hasPrevious = a[1] != 0, sideRun = (int)a[2], upRun = (int)a[3], downRun = (int)a[4],
            alternating = (int)a[5], lastDirection = (int)a[6], withinRun = (int)a[7], outsideRun = (int)a[8],
            above2 = (uint)a[9], below2 = (uint)a[10], above1 = (uint)a[11], below1 = (uint)a[12],
        };
    }
}
