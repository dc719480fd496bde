using System.Text.Json;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>Checks of a counter sequence as a subscriber received it.</summary>
internal static class Sequence
{
    /// <summary>
    /// Every value from the first to the highest arrived, and new values arrived in increasing order: a value is either
    /// the next one (max + 1) or a QoS 1 re-delivery of one already seen. Returns the highest value.
    /// </summary>
    public static long AssertHoleFree(IReadOnlyList<long> values, long first = 0)
    {
        Assert.NotEmpty(values);
        var max = first - 1;
        var duplicates = 0;
        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i];
            if (v == max + 1)
            {
                max = v;
            }
            else if (v <= max && v >= first)
            {
                duplicates++;
            }
            else
            {
                Assert.Fail($"hole or disorder at position {i}: received {v} after highest {max} (expected {max + 1}); around: {string.Join(",", values.Skip(Math.Max(0, i - 5)).Take(10))}");
            }
        }

        return max;
    }

    public static long Value(byte[] payload) => (long)JsonDocument.Parse(payload).RootElement.GetProperty("value").GetDouble();

    public static DateTime Ts(byte[] payload) => JsonDocument.Parse(payload).RootElement.GetProperty("ts").GetDateTime().ToUniversalTime();
}
