using System.CommandLine;
using System.Text.Json;
using EdgeAgent.Alarms;
using EdgeAgent.Config;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent alarm list --config FILE</c>: the active and unacknowledged alarms from <c>{agent.data}/alarms.json</c>,
/// one JSON object per line, most urgent first.
/// <c>edgeagent alarm ack --config FILE ID [--by NAME] [--comment TEXT]</c> and <c>alarm shelve … ID --for 1h</c>:
/// applied to the persisted list at once and queued in <c>{agent.data}/alarm-requests/</c> for a running agent,
/// which publishes the state change within a second. Exit 0 done, 1 no such alarm, 2 bad config or arguments.
/// </summary>
internal static class AlarmCommand
{
    public static Command Build()
    {
        var command = new Command("alarm", "List, acknowledge or shelve alarms (ISA-18.2 lifecycle) through the agent's persisted alarm list.");
        command.Subcommands.Add(BuildList());
        command.Subcommands.Add(BuildAck());
        command.Subcommands.Add(BuildShelve());
        return command;
    }

    private static Command BuildList()
    {
        var config = Commands.ConfigOption();
        var command = new Command("list", "Print the active and unacknowledged alarms, one JSON object per line.") { config };
        command.SetAction(parse =>
        {
            var data = DataDir(parse.GetValue(config)!);
            if (data is null)
            {
                return 2;
            }

            foreach (var record in AlarmEngine.Order(AlarmStore.Load(data).Alarms))
            {
                var fields = new Dictionary<string, object?>
                {
                    ["id"] = record.Id,
                    ["state"] = record.State,
                    ["priority"] = record.Priority,
                    ["source"] = record.Source,
                    ["characteristic"] = record.Characteristic,
                    ["rule"] = record.Rule,
                    ["value"] = record.Value,
                    ["message"] = record.Message,
                    ["since"] = record.ActivatedAt,
                    ["by"] = record.By,
                    ["shelvedUntil"] = record.ShelvedUntil,
                    ["context"] = record.Context,
                };
                Console.Out.WriteLine(JsonSerializer.Serialize(fields.Where(kv => kv.Value is not null).ToDictionary(), CliJson.Options));
            }

            return 0;
        });
        return command;
    }

    private static Command BuildAck()
    {
        var config = Commands.ConfigOption();
        var id = new Argument<string>("id") { Description = "The alarm id, e.g. press1.diameter/we1 or press1/comm-loss (see `alarm list`)." };
        var by = new Option<string>("--by") { Description = "Who acknowledges (recorded and published).", DefaultValueFactory = _ => Environment.UserName };
        var comment = new Option<string?>("--comment") { Description = "Why, or what is being done." };
        var command = new Command("ack", "Acknowledge an alarm.") { config, id, by, comment };
        command.SetAction(parse =>
        {
            var data = DataDir(parse.GetValue(config)!);
            if (data is null)
            {
                return 2;
            }

            var alarmId = parse.GetValue(id)!;
            var file = AlarmStore.Load(data);
            var record = file.Alarms.Find(a => a.Id == alarmId);
            if (record is null)
            {
                var hint = Suggest.Closest(alarmId, file.Alarms.Select(a => a.Id));
                Console.Error.WriteLine($"no alarm '{alarmId}' is active or unacknowledged{(hint is null ? string.Empty : $"; did you mean '{hint}'?")}");
                return 1;
            }

            AlarmStore.Enqueue(data, new AlarmRequest { Action = "ack", Id = alarmId, By = parse.GetValue(by), Comment = parse.GetValue(comment) });
            if (!record.Acknowledged)
            {
                record.Acknowledged = true;
                record.AcknowledgedAt = DateTime.UtcNow;
                record.By = parse.GetValue(by);
                record.Comment = parse.GetValue(comment);
                if (!record.Active)
                {
                    file.Alarms.Remove(record);
                }

                AlarmStore.Save(data, file);
            }

            Console.Out.WriteLine($"{alarmId}: {(record.Active ? "acknowledged" : "cleared")}");
            return 0;
        });
        return command;
    }

    private static Command BuildShelve()
    {
        var config = Commands.ConfigOption();
        var id = new Argument<string>("id") { Description = "The alarm id." };
        var duration = new Option<string>("--for") { Description = "How long, e.g. 30m, 2h (at most 30d).", DefaultValueFactory = _ => "1h" };
        var by = new Option<string>("--by") { Description = "Who shelves.", DefaultValueFactory = _ => Environment.UserName };
        var command = new Command("shelve", "Shelve an alarm: it is tracked but not announced until the time is up.") { config, id, duration, by };
        command.SetAction(parse =>
        {
            var data = DataDir(parse.GetValue(config)!);
            if (data is null)
            {
                return 2;
            }

            var text = parse.GetValue(duration)!;
            if (!Durations.TryParse(text, out var span) || span <= TimeSpan.Zero || span > TimeSpan.FromDays(30))
            {
                Console.Error.WriteLine($"--for: expected a duration between 1s and 30d such as 30m or 2h, found '{text}'");
                return 2;
            }

            var alarmId = parse.GetValue(id)!;
            AlarmStore.Enqueue(data, new AlarmRequest { Action = "shelve", Id = alarmId, By = parse.GetValue(by), Seconds = span.TotalSeconds });
            var file = AlarmStore.Load(data);
            file.Shelved[alarmId] = DateTime.UtcNow + span;
            AlarmStore.Save(data, file);
            Console.Out.WriteLine($"{alarmId}: shelved until {DateTime.UtcNow + span:O}");
            return 0;
        });
        return command;
    }

    private static string? DataDir(FileInfo file)
    {
        return Commands.LoadConfig(file.ToString())?.Agent.Data;
    }
}

internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}
