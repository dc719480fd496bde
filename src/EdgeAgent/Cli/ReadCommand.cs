using System.CommandLine;
using System.Text.Json;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Outputs.Mqtt.Json;
using EdgeAgent.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent read --config FILE [--tag NAME]</c>: read each configured tag once and print one JSON object per line,
/// <c>{"tag":"press1.diameter","value":10.01,"quality":"Good","ts":"…"}</c>; exit 0 only if every tag read Good,
/// 1 otherwise, 2 for a bad config or an unknown tag.
/// </summary>
internal static class ReadCommand
{
    public static Command Build()
    {
        var config = Commands.ConfigOption();
        var tag = new Option<string[]>("--tag", "-t")
        {
            Description = "Read only this tag (source.tag, or a tag name unique in the file); repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var timeout = new Option<string>("--timeout") { Description = "Give up on a source after this long (default 10s).", DefaultValueFactory = _ => "10s" };
        var command = new Command("read", "Read each configured tag once and print one JSON line per tag (commissioning).") { config, tag, timeout };
        command.SetAction(async (parse, ct) =>
        {
            var loaded = Commands.LoadConfig(parse.GetValue(config)!.ToString());
            if (loaded is null)
            {
                return 2;
            }

            if (!Durations.TryParse(parse.GetValue(timeout) ?? "10s", out var limit))
            {
                Console.Error.WriteLine($"--timeout: expected a duration such as 10s, found '{parse.GetValue(timeout)}'");
                return 2;
            }

            var wanted = parse.GetValue(tag) ?? [];
            var selected = new HashSet<int>();
            foreach (var name in wanted)
            {
                var matches = loaded.Tags.Where(t => t.FullName == name || t.Name == name).ToList();
                if (matches.Count == 0)
                {
                    var hint = Suggest.Closest(name, loaded.Tags.Select(t => t.FullName));
                    Console.Error.WriteLine($"--tag: no tag '{name}'{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}");
                    return 2;
                }

                if (matches.Count > 1 && matches.All(t => t.FullName != name))
                {
                    Console.Error.WriteLine($"--tag: '{name}' is in several sources; write source.tag ({string.Join(", ", matches.Select(t => t.FullName))})");
                    return 2;
                }

                selected.Add(matches.First(t => t.FullName == name || matches.Count == 1).Id);
            }

            // Logs go to stderr: stdout carries only the JSON lines, so `read | jq` works.
            using var loggers = LoggerFactory.Create(b => b
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
                .AddSimpleConsole(o => o.SingleLine = true)
                .SetMinimumLevel(LogLevel.Warning));
            var allGood = true;
            var stdout = Console.OpenStandardOutput();
            foreach (var source in loaded.Sources)
            {
                var tags = source.Tags.Where(t => selected.Count == 0 || selected.Contains(t.Id)).ToList();
                if (tags.Count == 0)
                {
                    continue;
                }

                var subset = source with { Tags = tags };
                Sample[] samples;
                string? error = null;
                try
                {
                    await using var instance = Plugins.FindDriver(source.Driver)!.Create(subset, loggers);
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    cts.CancelAfter(limit);
                    try
                    {
                        samples = await instance.ReadOnceAsync(cts.Token);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        throw new SourceException(source.Name, $"no answer within {Durations.Format(limit)}", isTransient: true);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    error = ex.Message;
                    Console.Error.WriteLine($"{source.Name}: {ex.Message}");
                    var now = DateTime.UtcNow.Ticks;
                    samples = tags.Select(t => Sample.Bad(t.Id, now)).ToArray();
                }

                foreach (var sample in samples)
                {
                    allGood &= sample.Quality == Quality.Good;
                    WriteLine(stdout, loaded.Tags[sample.TagId].FullName, sample, error);
                }
            }

            await stdout.FlushAsync(ct);
            return allGood ? 0 : 1;
        });
        return command;
    }

    private static void WriteLine(Stream output, string name, in Sample sample, string? error)
    {
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("tag", name);
            JsonPayloads.WriteValue(json, "value", sample);
            json.WriteString("quality", JsonPayloads.QualityName(sample.Quality));
            json.WriteString("ts", sample.SourceTime);
            if (error is not null)
            {
                json.WriteString("error", error);
            }

            json.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
    }
}
