using System.Globalization;
using EdgeAgent.Config;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Drivers.Serial.Plugin;

/// <summary>
/// <c>edgeagent probe serial:///dev/ttyUSB0?baud=9600&amp;profile=mt-sics [--seconds 5] [--request 'SI\r\n']</c>: opens the
/// port and reports for that long what arrived (frames per second, frames not understood, frames dropped, the last frame
/// and its reading), for commissioning. URL query keys: baud, profile, framing, terminator, length, maxLength, gaugeUnit.
/// With --request the probe polls (every --poll, default 1s). Exit 0 when at least one reading arrived and none was
/// malformed, 1 otherwise, 2 for bad arguments or a port that cannot be opened.
/// </summary>
public sealed partial class SerialPlugin : IProbeCapability
{
    private const string SecondsOption = "--seconds";
    private const string RequestOption = "--request";
    private const string PollOption = "--poll";
    private static readonly string[] QueryKeys = ["baud", "profile", "framing", "terminator", "length", "maxLength", "gaugeUnit"];

    public IReadOnlyList<string> ProbeSchemes { get; } = ["serial"];

    public string ProbeUsage => "serial:///dev/ttyUSB0?baud=9600&profile=mt-sics";

    public IReadOnlyList<CommandOption> ProbeOptions { get; } =
    [
        new(SecondsOption, "serial: how long to listen (default 5).", "5"),
        new(RequestOption, "serial: poll with this request, e.g. 'SI\\r\\n' (default: listen only).", null),
        new(PollOption, "serial: interval of --request (default 1s).", "1s"),
    ];

    public async Task<int> ProbeAsync(string url, CommandArguments arguments, CommandConsole console, CancellationToken cancellationToken)
    {
        if (Parse(url, arguments, out var options, out var seconds) is { } problem)
        {
            await console.Error.WriteLineAsync(problem);
            return 2;
        }

        SerialProbeResult result;
        try
        {
            result = await SerialProbe.RunAsync(options!, TimeSpan.FromSeconds(seconds), cancellationToken);
        }
        catch (SourceException e)
        {
            await console.Error.WriteLineAsync($"probe: {e.Message}");
            return 2;
        }

        await console.Output.WriteLineAsync(result.Json);
        return result.Readings > 0 && result.Malformed == 0 ? 0 : 1;
    }

    /// <summary>The probe's options from the URL and arguments; the first problem, or null.</summary>
    internal static string? Parse(string url, CommandArguments arguments, out SerialSourceOptions? options, out double seconds)
    {
        options = null;
        seconds = 0;
        const string scheme = "serial://";
        if (!url.StartsWith(scheme, StringComparison.Ordinal) || url.Length == scheme.Length)
        {
            return $"expected serial:///dev/ttyUSB0?baud=9600&profile=mt-sics, found '{url}'";
        }

        var rest = url[scheme.Length..];
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        var port = Uri.UnescapeDataString(q < 0 ? rest : rest[..q]);
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        if (q >= 0)
        {
            foreach (var pair in rest[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var key = eq < 0 ? pair : pair[..eq];
                if (!QueryKeys.Contains(key))
                {
                    return $"unknown URL parameter '{key}'; expected: {string.Join(", ", QueryKeys)}";
                }

                query[key] = Uri.UnescapeDataString(eq < 0 ? string.Empty : pair[(eq + 1)..]);
            }
        }

        var secondsText = arguments[SecondsOption] ?? "5";
        if (!double.TryParse(secondsText, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) || seconds is <= 0 or > 3600)
        {
            return $"--seconds: must be a number in (0-3600], found '{secondsText}'";
        }

        var pollText = arguments[PollOption] ?? "1s";
        if (!Durations.TryParse(pollText, out var poll) || poll <= TimeSpan.Zero)
        {
            return $"--poll: expected a duration such as 500ms, found '{pollText}'";
        }

        var baud = 9600;
        if (query.TryGetValue("baud", out var baudText) && (!int.TryParse(baudText, NumberStyles.None, CultureInfo.InvariantCulture, out baud) || baud is < 50 or > 4_000_000))
        {
            return $"baud: must be 50..4000000, found '{baudText}'";
        }

        var (profile, pattern, profileError) = SerialText.Profile(query.GetValueOrDefault("profile") ?? "generic");
        if (profileError is not null)
        {
            return $"profile: {profileError}";
        }

        var framing = new SerialFramingOptions();
        if (query.TryGetValue("framing", out var framingText))
        {
            FramingKind? kind = framingText switch { "line" => FramingKind.Line, "fixed" => FramingKind.Fixed, "stx-etx" => FramingKind.StxEtx, _ => null };
            if (kind is null)
            {
                return $"framing: expected line, fixed or stx-etx, found '{framingText}'";
            }

            framing = framing with { Kind = kind.Value };
        }

        if (query.TryGetValue("terminator", out var terminatorText))
        {
            var terminator = SerialText.Terminator(terminatorText, out var error);
            if (error is not null)
            {
                return $"terminator: {error}";
            }

            framing = framing with { Terminator = terminator };
        }

        foreach (var (key, apply) in new (string, Func<int, SerialFramingOptions>)[] { ("length", n => framing with { Length = n }), ("maxLength", n => framing with { MaxLength = n }) })
        {
            if (query.TryGetValue(key, out var text))
            {
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > SerialFramingOptions.MaxMaxLength)
                {
                    return $"{key}: must be 1..{SerialFramingOptions.MaxMaxLength}, found '{text}'";
                }

                framing = apply(n);
            }
        }

        if (framing.Kind == FramingKind.Fixed && framing.Length == 0)
        {
            return "framing=fixed needs length=N";
        }

        var gaugeUnit = GaugeUnit.None;
        if (query.TryGetValue("gaugeUnit", out var unitText) && (gaugeUnit = GaugeUnits.Parse(unitText)) == GaugeUnit.Unknown)
        {
            return $"gaugeUnit: unknown unit '{unitText}'; known: {GaugeUnits.Known}";
        }

        byte[]? request = null;
        if (arguments[RequestOption] is { } requestText)
        {
            request = SerialText.Unescape(requestText, out var error);
            if (error is not null)
            {
                return $"--request: {error}";
            }
        }

        options = new SerialSourceOptions
        {
            Line = new SerialPortOptions { Port = port, Baud = baud },
            Framing = framing,
            Profile = profile!.Value,
            Pattern = pattern,
            Mode = request is null ? SerialMode.Stream : SerialMode.Poll,
            Request = request,
            Poll = poll,
            GaugeUnit = gaugeUnit,
        };
        return null;
    }
}
