using System.Globalization;
using EdgeAgent.Config;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Drivers.Modbus.Plugin;

/// <summary>
/// <c>edgeagent probe modbus-tcp://HOST:PORT --unit 1 --read hr:0:125 [--count N] [--inflight K] [--timeout 1s]</c> (also
/// <c>modbus-rtu:///dev/ttyUSB0?baud=19200&amp;parity=E</c> and <c>modbus-rtu-tcp://HOST:PORT</c>): the arguments checked
/// here, the measurement is the driver library's <see cref="ModbusProbe"/>. Exit 0 when every read succeeded, 1 when
/// some failed, 2 for bad arguments.
/// </summary>
public sealed partial class ModbusPlugin : IProbeCapability
{
    private const string UnitOption = "--unit";
    private const string ReadOption = "--read";
    private const string CountOption = "--count";
    private const string InFlightOption = "--inflight";
    private const string TimeoutOption = "--timeout";

    public IReadOnlyList<string> ProbeSchemes { get; } = ["modbus-tcp", "modbus-rtu", "modbus-rtu-tcp"];

    public string ProbeUsage => "modbus-tcp://HOST:PORT, modbus-rtu:///dev/ttyUSB0?baud=19200&parity=E, modbus-rtu-tcp://HOST:PORT";

    public IReadOnlyList<CommandOption> ProbeOptions { get; } =
    [
        new(UnitOption, "Modbus unit id (default 1).", "1"),
        new(ReadOption, "What to read: TABLE:START:COUNT, e.g. hr:0:125, ir:10:4, coil:0:64 (default hr:0:1).", "hr:0:1"),
        new(CountOption, "Reads to send (default 1000).", "1000", false, "-n"),
        new(InFlightOption, "Modbus TCP: requests kept outstanding at once (pipelining; default 1).", "1"),
        new(TimeoutOption, "Per-request timeout (default 1s).", "1s"),
    ];

    public async Task<int> ProbeAsync(string url, CommandArguments arguments, CommandConsole console, CancellationToken cancellationToken)
    {
        var timeout = Argument(arguments, TimeoutOption);
        if (!Durations.TryParse(timeout, out var limit) || limit <= TimeSpan.Zero)
        {
            await console.Error.WriteLineAsync($"--timeout: expected a duration such as 500ms, found '{timeout}'");
            return 2;
        }

        if (Validate(arguments, out var unit, out var read, out var count, out var inflight) is { } problem)
        {
            await console.Error.WriteLineAsync(problem);
            return 2;
        }

        var result = await ModbusProbe.RunAsync(new ModbusProbeOptions(url, unit, read, count, inflight, limit), cancellationToken);
        if (result.Error is { } error)
        {
            await console.Error.WriteLineAsync($"probe: {error}");
            return 2;
        }

        await console.Output.WriteLineAsync(result.Json);
        return result.Errors == 0 ? 0 : 1;
    }

    /// <summary>The first bad argument, in the order they are documented; null when all are good.</summary>
    private string? Validate(CommandArguments arguments, out byte unit, out string read, out int count, out int inflight)
    {
        unit = 0;
        count = 0;
        inflight = 0;
        read = Argument(arguments, ReadOption);
        var unitText = Argument(arguments, UnitOption);
        if (!TryParseInt(unitText, out var unitValue) || unitValue is < 0 or > 255)
        {
            return $"--unit: must be 0..255, found {Shown(unitText)}";
        }

        unit = (byte)unitValue;
        var countText = Argument(arguments, CountOption);
        if (!TryParseInt(countText, out count) || count < 1)
        {
            return $"--count: must be at least 1, found {Shown(countText)}";
        }

        var inflightText = Argument(arguments, InFlightOption);
        if (!TryParseInt(inflightText, out inflight) || inflight is < 1 or > 64)
        {
            return $"--inflight: must be 1..64, found {Shown(inflightText)}";
        }

        return ModbusProbe.TryParseRead(read, out _, out _, out var error) ? null : $"--read: {error}";
    }

    /// <summary>The option's text, or its declared default when it was not given.</summary>
    private string Argument(CommandArguments arguments, string name) =>
        arguments[name] ?? ProbeOptions.First(o => o.Name == name).Default!;

    /// <summary>A number as the message shows it: parsed (as System.CommandLine printed it), else as typed.</summary>
    private static string Shown(string text) => TryParseInt(text, out var value) ? value.ToString(CultureInfo.InvariantCulture) : text;

    private static bool TryParseInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
