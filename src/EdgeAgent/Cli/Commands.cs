using System.CommandLine;
using System.CommandLine.Parsing;

namespace EdgeAgent.Cli;

/// <summary>
/// The `edgeagent` command line (the README's command table). Each command lives in its own file as
/// <c>internal static class XxxCommand { public static Command Build() }</c> and is listed here (one line).
/// Exit codes: 0 success, 1 runtime failure (e.g. a tag not Good, a device unreachable), 2 bad input (config, CSV, arguments).
/// </summary>
internal static class Commands
{
    public static RootCommand Build()
    {
        var root = new RootCommand("EdgeAgent: industrial data acquisition with real-time SPC at the edge (Modbus, OPC UA, serial → MQTT, InfluxDB, Prometheus).");
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(ValidateCommand.Build());
        root.Subcommands.Add(ReadCommand.Build());
        root.Subcommands.Add(AlarmCommand.Build());
        root.Subcommands.Add(WriteCommand.Build());
        root.Subcommands.Add(BrowseCommand.Build());
        root.Subcommands.Add(ProbeCommand.Build());
        root.Subcommands.Add(HealthCommand.Build());
        root.Subcommands.Add(SpcCommand.Build());
        root.Subcommands.Add(SchemaCommand.Build());
        root.Subcommands.Add(PkiCommand.Build());
        return root;
    }

    /// <summary>
    /// Parses and runs one command line. Bad arguments (an unknown option, a missing required one, a stray token) are
    /// bad input: every problem on stderr as <c>error: …</c>, a pointer to the command's help, and exit 2.
    /// </summary>
    public static async Task<int> Run(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count == 0)
        {
            return await parse.InvokeAsync().ConfigureAwait(false);
        }

        foreach (var error in parse.Errors)
        {
            Console.Error.WriteLine($"error: {error.Message}");
        }

        var names = new List<string>();
        for (var result = parse.CommandResult; result.Command is not RootCommand; result = (CommandResult)result.Parent!)
        {
            names.Insert(0, result.Command.Name);
        }

        Console.Error.WriteLine($"See 'edgeagent {string.Join(' ', names.Append("--help"))}'.");
        return 2;
    }

    /// <summary>
    /// Loads a config for a command: null after printing every error (and, when asked, the warnings first) to stderr
    /// as FILE:LINE:COL: message — the caller then exits 2. The path is kept as the user wrote it, so errors name it so.
    /// </summary>
    public static Pipeline.AgentConfig? LoadConfig(string path, bool printWarnings = false)
    {
        var (loaded, errors) = Hosting.ConfigLoader.TryLoad(path);
        if (printWarnings)
        {
            foreach (var warning in errors.Warnings)
            {
                Console.Error.WriteLine(warning);
            }
        }

        if (loaded is not null && !errors.HasErrors)
        {
            return loaded;
        }

        foreach (var error in errors.Sorted())
        {
            Console.Error.WriteLine(error);
        }

        return null;
    }

    /// <summary>The shared <c>--config FILE</c> option.</summary>
    public static Option<FileInfo> ConfigOption() => new("--config", "-c")
    {
        Description = "The agent's YAML configuration file.",
        Required = true,
    };
}
