using System.CommandLine;
using EdgeAgent.Hosting;
using EdgeAgent.Characteristics;
using EdgeAgent.Equipment;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Cli;

/// <summary><c>edgeagent validate --config FILE</c>: exit 0 when valid; else every error as FILE:LINE:COL: message on stderr, exit 2.</summary>
internal static class ValidateCommand
{
    public static Command Build()
    {
        var config = Commands.ConfigOption();
        var plan = new Option<bool>("--plan")
        {
            Description = "Also print the requests one poll of each source sends (Modbus: the merged request plan and, for RTU, the bus time one poll needs).",
        };
        var command = new Command("validate", "Check a configuration file and print every error as FILE:LINE:COL: message.") { config, plan };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(config)!;
            var loaded = Commands.LoadConfig(file.ToString(), printWarnings: true);
            if (loaded is null)
            {
                return 2;
            }

            if (parse.GetValue(plan))
            {
                foreach (var source in loaded.Sources)
                {
                    if (Plugins.FindDriver(source.Driver) is IPlanCapability planner)
                    {
                        foreach (var line in planner.DescribePlan(source))
                        {
                            Console.Out.WriteLine(line);
                        }
                    }
                }
            }

            Console.Out.WriteLine($"{file}: ok ({loaded.Sources.Count} sources, {loaded.Tags.Count} tags, {loaded.Characteristics().Count} characteristics, {loaded.Equipment().Count} equipment)");
            return 0;
        });
        return command;
    }
}
