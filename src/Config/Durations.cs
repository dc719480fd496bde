using System.Globalization;

namespace EdgeAgent.Config;

/// <summary>Durations as engineers write them: <c>500us</c>, <c>100ms</c>, <c>2s</c>, <c>1.5s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>.</summary>
public static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        var i = 0;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
        {
            i++;
        }

        if (i == 0 || i == text.Length
            || !double.TryParse(text.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        double? ms = text[i..] switch
        {
            "us" or "µs" => number / 1000.0,
            "ms" => number,
            "s" => number * 1000.0,
            "m" or "min" => number * 60_000.0,
            "h" => number * 3_600_000.0,
            "d" => number * 86_400_000.0,
            _ => null,
        };
        if (ms is null || ms > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)Math.Round(ms.Value * TimeSpan.TicksPerMillisecond));
        return true;
    }

    public static string Format(TimeSpan t) =>
        t.TotalMilliseconds < 1000 ? $"{t.TotalMilliseconds:0.###}ms"
        : t.TotalSeconds < 60 ? $"{t.TotalSeconds:0.###}s"
        : t.TotalMinutes < 60 ? $"{t.TotalMinutes:0.###}m"
        : $"{t.TotalHours:0.###}h";
}
