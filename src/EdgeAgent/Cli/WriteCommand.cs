using System.CommandLine;
using System.Globalization;
using EdgeAgent.Config;
using EdgeAgent.Hosting;
using EdgeAgent.Outputs.Mqtt.Json;
using EdgeAgent.Pipeline;
using EdgeAgent.Writes;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent write --config FILE TAG VALUE [--by WHO] [--timeout 10s]</c> (commissioning): writes one writable tag with
/// the same rules as the running agent (writable only, value within the type, retried inside the timeout, read back and
/// compared) and prints the audit record as one JSON line, the payload <c>{site}/edge/{id}/writes</c> carries. Exit 0 when
/// written and read back equal, 1 when the device refused, differed or did not answer in time, 2 for bad input (config,
/// an unknown or non-writable tag, a value outside the type).
/// </summary>
internal static class WriteCommand
{
    public static Command Build()
    {
        var config = Commands.ConfigOption();
        var tag = new Argument<string>("tag") { Description = "The tag to write, as source.tag; it must say writable: true." };
        var value = new Argument<string>("value") { Description = "The engineering value (1/0 or true/false for coils and bits)." };
        var by = new Option<string>("--by") { Description = "Who writes, for the audit record (default: the user name).", DefaultValueFactory = _ => Environment.UserName };
        var timeout = new Option<string>("--timeout") { Description = "Give up after this long, retrying until then (default 10s); never sent later.", DefaultValueFactory = _ => "10s" };
        var command = new Command("write", "Write one writable tag, read it back, print the audit record (commissioning).") { config, tag, value, by, timeout };
        command.SetAction(async (parse, ct) =>
        {
            var loaded = Commands.LoadConfig(parse.GetValue(config)!.ToString());
            if (loaded is null)
            {
                return 2;
            }

            if (!Durations.TryParse(parse.GetValue(timeout) ?? "10s", out var limit) || limit < TimeSpan.FromMilliseconds(100))
            {
                Console.Error.WriteLine($"--timeout: expected a duration of at least 100ms such as 10s, found '{parse.GetValue(timeout)}'");
                return 2;
            }

            var text = parse.GetValue(value)!;
            double number;
            if (text is "true" or "false")
            {
                number = text == "true" ? 1 : 0;
            }
            else if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number) || !double.IsFinite(number))
            {
                Console.Error.WriteLine($"value: expected a number (or true/false), found '{text}'");
                return 2;
            }

            var name = parse.GetValue(tag)!;
            var target = loaded.FindTag(name);
            if (target is null)
            {
                var hint = Suggest.Closest(name, loaded.Tags.Select(t => t.FullName));
                Console.Error.WriteLine($"tag: no tag '{name}' (tags are named source.tag){(hint is null ? string.Empty : $"; did you mean '{hint}'?")}");
                return 2;
            }

            var problem = target.Writable
                ? ConfigLoader.CheckValue(loaded.Sources, target, number)
                : $"tag '{target.FullName}' is not writable (add writable: true to it in sources.{target.Source}.tags)";
            if (problem is not null)
            {
                Console.Error.WriteLine($"{target.FullName}: {problem}");
                return 2;
            }

            // Logs to stderr: stdout carries only the audit line.
            using var loggers = LoggerFactory.Create(b => b
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
                .AddSimpleConsole(o => o.SingleLine = true)
                .SetMinimumLevel(LogLevel.Warning));
            var sourceConfig = loaded.Sources.First(s => s.Name == target.Source);
            await using var source = Plugins.FindDriver(sourceConfig.Driver)!.Create(sourceConfig, loggers);
            WriteEvent? audit = null;
            await using var writer = new TagWriter(
                loaded.Tags,
                new Dictionary<string, Drivers.ISource>(StringComparer.Ordinal) { [sourceConfig.Name] = source },
                (t, v) => ConfigLoader.CheckValue(loaded.Sources, t, v),
                e => audit = e as WriteEvent ?? audit,
                TimeProvider.System,
                new AgentMetrics(),
                loggers.CreateLogger("EdgeAgent.Writes"));
            var done = await writer.WriteAsync(target.FullName, number, parse.GetValue(by) ?? "cli", limit, ct);
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(WritePayload.Encode(audit ?? done));
            stdout.WriteByte((byte)'\n');
            if (!done.Ok)
            {
                Console.Error.WriteLine($"{done.Tag}: {done.Status.ToString().ToLowerInvariant()}: {done.Error}");
            }

            return done.Ok ? 0 : 1;
        });
        return command;
    }
}
