using System.Globalization;
using System.Text.Json;
using EdgeAgent.Config;
using EdgeAgent.Drivers.OpcUa;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Services;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Drivers.OpcUa.Plugin;

/// <summary>
/// <c>edgeagent probe opc.tcp://HOST:PORT[/PATH] --subscribe-below NODEID [--sampling 10ms] [--seconds 10]</c>: the
/// arguments checked here, the measurement is the driver library's <see cref="OpcUaProbe"/>. Prints
/// <c>{"items":N,"notifications":…,"per_s":…,"cpu_us_per_notification":…,"lost":…,"alloc_bytes_per_notification":…}</c>.
/// Exit 0 when nothing was lost, 1 when notifications were lost or the server failed, 2 for bad arguments.
/// </summary>
public sealed partial class OpcUaPlugin : IProbeCapability
{
    private const string SubscribeBelowOption = "--subscribe-below";
    private const string SamplingOption = "--sampling";
    private const string SecondsOption = "--seconds";

    public IReadOnlyList<string> ProbeSchemes { get; } = ["opc.tcp"];

    public string ProbeUsage => "opc.tcp://HOST:PORT";

    public IReadOnlyList<CommandOption> ProbeOptions { get; } =
    [
        new(SubscribeBelowOption, "OPC UA: subscribe every Variable below this node (e.g. ns=2;s=Line7)."),
        new(SamplingOption, "OPC UA: sampling interval of each item (default 10ms).", "10ms"),
        new(SecondsOption, "OPC UA: how long to measure (default 10).", "10"),
        new(PasswordOption, "OPC UA: password for --user (prefer --password-env)."),
        new(AllowClearTextOption, "OPC UA: send the password unencrypted to a remote server (policy None).", IsFlag: true),
        .. SecurityOptions,
    ];

    public async Task<int> ProbeAsync(string url, CommandArguments arguments, CommandConsole console, CancellationToken cancellationToken)
    {
        var below = arguments[SubscribeBelowOption];
        var sampling = arguments[SamplingOption] ?? "10ms";
        var secondsText = arguments[SecondsOption] ?? "10";
        if (below is null)
        {
            await console.Error.WriteLineAsync("--subscribe-below: required for opc.tcp (e.g. ns=2;s=Line7)");
            return 2;
        }

        if (!ExpandedNodeId.TryParse(below, out var node, out var error))
        {
            await console.Error.WriteLineAsync($"--subscribe-below: {error}");
            return 2;
        }

        if (!Durations.TryParse(sampling, out var interval) || interval < TimeSpan.Zero)
        {
            await console.Error.WriteLineAsync($"--sampling: expected a duration such as 10ms, found '{sampling}'");
            return 2;
        }

        if (!int.TryParse(secondsText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > 3600)
        {
            await console.Error.WriteLineAsync($"--seconds: expected 1 to 3600, found {Shown(secondsText)}");
            return 2;
        }

        if (ClientOptions(url, arguments, out var options) is { } problem)
        {
            await console.Error.WriteLineAsync(problem);
            return 2;
        }

        try
        {
            var publishing = TimeSpan.FromMilliseconds(Math.Max(100, interval.TotalMilliseconds));
            var r = await OpcUaProbe.RunAsync(options, node, interval, TimeSpan.FromSeconds(seconds), publishing, OpcUaProbe.DefaultWarmup, cancellationToken);
            await console.Output.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["items"] = r.Items,
                ["notifications"] = r.Notifications,
                ["per_s"] = Math.Round(r.PerSecond),
                ["cpu_us_per_notification"] = Math.Round(r.CpuMicrosecondsPerNotification, 3),
                ["lost"] = r.Lost,
                ["alloc_bytes_per_notification"] = Math.Round(r.AllocatedBytesPerNotification, 1),
            }));
            return r.Lost == 0 ? 0 : 1;
        }
        catch (OpcUaException e)
        {
            await console.Error.WriteLineAsync($"probe: {e.Message}");
            return 1;
        }
    }

    /// <summary>A number as the message shows it: parsed (as System.CommandLine printed it), else as typed.</summary>
    private static string Shown(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value.ToString(CultureInfo.InvariantCulture) : text;
}
