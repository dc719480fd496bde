using System.CommandLine;
using EdgeAgent.Config;

namespace EdgeAgent.Cli;

/// <summary><c>edgeagent validate --config FILE</c>: exit 0 when valid; else every error as FILE:LINE:COL: message on stderr, exit 2.</summary>
internal static class ValidateCommand
{
    public static Command Build()
    {
        var config = Commands.ConfigOption();
        var command = new Command("validate", "Check a configuration file and print every error as FILE:LINE:COL: message.") { config };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(config)!;
            var (loaded, errors) = ConfigLoader.TryLoad(file.FullName == Path.GetFullPath(file.ToString()) ? file.ToString() : file.FullName);
            foreach (var warning in errors.Warnings)
            {
                Console.Error.WriteLine(warning);
            }

            if (loaded is null || errors.HasErrors)
            {
                foreach (var error in errors.Sorted())
                {
                    Console.Error.WriteLine(error);
                }

                return 2;
            }

            Console.Out.WriteLine($"{file}: ok ({loaded.Sources.Count} sources, {loaded.Tags.Count} tags, {loaded.Characteristics.Count} characteristics, {loaded.Equipment.Count} equipment)");
            return 0;
        });
        return command;
    }
}
