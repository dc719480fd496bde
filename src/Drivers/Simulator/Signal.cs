namespace EdgeAgent.Drivers.Simulator;

/// <summary>
/// Pure functions from (seed, stream, n) to a value. Uses a counter-based generator (SplitMix64 of the seed, the
/// tag's stream number and the poll number), so the value at poll n does not depend on what was computed before:
/// runs repeat, and a test can compute the expected value independently.
/// </summary>
public static class Signal
{
    public static double Value(SignalOptions s, ulong seed, int stream, long n, TimeSpan poll)
    {
        var t = n * poll.TotalSeconds;
        switch (s.Signal)
        {
            case SignalKind.Counter:
                return n;
            case SignalKind.Constant:
                return s.Mean;
            case SignalKind.Sine:
                return s.Mean + s.Amplitude * Math.Sin(2 * Math.PI * t / s.Period.TotalSeconds);
            case SignalKind.Square:
                var phase = t % s.Period.TotalSeconds / s.Period.TotalSeconds;
                return phase < s.Duty ? 1.0 : 0.0;
            default:
                var mean = s.Mean + s.Drift * t;
                if (s.ShiftAfter is { } after && n * poll.Ticks >= after.Ticks)
                {
                    mean += s.ShiftBy;
                }

                return mean + s.Sd * StandardNormal(seed, stream, n);
        }
    }

    /// <summary>A standard normal deviate by Box–Muller from two uniforms of the counter-based generator.</summary>
    public static double StandardNormal(ulong seed, int stream, long n)
    {
        var key = Mix(seed ^ Mix((ulong)stream + 0x9E3779B97F4A7C15UL)) ^ ((ulong)n * 0xD1B54A32D192ED03UL);
        var a = Mix(key);
        var b = Mix(a ^ 0xA0761D6478BD642FUL);
        var u1 = ((a >> 11) + 1) * (1.0 / 9007199254740993.0); // (0, 1]: never log(0)
        var u2 = (b >> 11) * (1.0 / 9007199254740992.0);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>SplitMix64 finaliser.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
