using System.Text;
using System.Text.RegularExpressions;

namespace EdgeAgent.Drivers.Serial;

/// <summary>
/// <c>profile: 'regex:…'</c> for any other instrument: a .NET regular expression with the named groups <c>value</c>
/// (required), <c>unit</c> and <c>status</c>. A frame the pattern does not match is dropped and counted. The status
/// text decides the quality: none, <c>S</c>, <c>ST</c>, <c>OK</c>, <c>G</c>, <c>stable</c> are Good; <c>D</c>,
/// <c>U</c>, <c>US</c>, <c>M</c>, <c>dynamic</c>, <c>unstable</c>, <c>motion</c> are Uncertain; anything else is Bad (a
/// device error). Unlike the built-in profiles, matching allocates (the frame as text and the match), about a
/// few hundred bytes per frame: fine for a gauge, measured in bench/Serial.Benchmarks.
/// </summary>
public sealed class RegexProfile : GaugeProfile
{
    private static readonly string[] GoodStatus = ["S", "ST", "OK", "G", "stable"];
    private static readonly string[] UncertainStatus = ["D", "U", "US", "M", "dynamic", "unstable", "motion"];

    private readonly Regex _regex;
    private readonly int _value;
    private readonly int _unit;
    private readonly int _status;

    public RegexProfile(string pattern)
    {
        if (Check(pattern) is { } problem)
        {
            throw new ArgumentException(problem, nameof(pattern));
        }

        _regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(50));
        Pattern = pattern;
        _value = _regex.GroupNumberFromName("value");
        _unit = _regex.GroupNumberFromName("unit");
        _status = _regex.GroupNumberFromName("status");
    }

    public string Pattern { get; }

    public override ProfileKind Kind => ProfileKind.Regex;

    public override string Name => "regex";

    /// <summary>Why <paramref name="pattern"/> cannot be a profile (it does not compile, or has no <c>value</c> group); null when it can.</summary>
    public static string? Check(string pattern)
    {
        try
        {
            var regex = new Regex(pattern, RegexOptions.CultureInvariant);
            var names = regex.GetGroupNames();
            if (!names.Contains("value"))
            {
                return "the pattern needs a named group 'value', e.g. (?<value>[-+]?[0-9.]+)";
            }

            var unknown = names.Where(n => !int.TryParse(n, out _) && n is not ("value" or "unit" or "status")).ToList();
            return unknown.Count == 0 ? null : $"unknown group name '{unknown[0]}'; the groups are value, unit and status";
        }
        catch (ArgumentException e)
        {
            return $"not a regular expression: {e.Message}";
        }
    }

    public override bool TryParse(ReadOnlySpan<byte> frame, out GaugeReading reading)
    {
        reading = default;
        Match match;
        try
        {
            match = _regex.Match(Encoding.Latin1.GetString(frame));
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }

        if (!match.Success)
        {
            return false;
        }

        var valueText = match.Groups[_value].ValueSpan;
        if (!TryNumber(Encoding.Latin1.GetBytes(valueText.ToString()), out var value))
        {
            return false;
        }

        var unit = GaugeUnit.None;
        if (_unit >= 0 && match.Groups[_unit].Success)
        {
            unit = GaugeUnits.Parse(Encoding.UTF8.GetBytes(match.Groups[_unit].Value.Trim()));
            if (unit == GaugeUnit.Unknown)
            {
                // Latin-1 µ/· came through as one char each: try their Latin-1 bytes too.
                unit = GaugeUnits.Parse(Encoding.Latin1.GetBytes(match.Groups[_unit].Value.Trim()));
            }
        }

        var status = _status >= 0 && match.Groups[_status].Success ? match.Groups[_status].Value.Trim() : string.Empty;
        if (status.Length == 0 || Array.Exists(GoodStatus, s => s.Equals(status, StringComparison.OrdinalIgnoreCase)))
        {
            reading = GaugeReading.Good(value, unit);
        }
        else if (Array.Exists(UncertainStatus, s => s.Equals(status, StringComparison.OrdinalIgnoreCase)))
        {
            reading = GaugeReading.Uncertain(value, unit, ReadingStatus.Dynamic);
        }
        else
        {
            reading = GaugeReading.Bad(ReadingStatus.DeviceError);
        }

        return true;
    }
}
