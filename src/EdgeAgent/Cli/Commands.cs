using System.CommandLine;

namespace EdgeAgent.Cli;

/// <summary>
/// The `edgeagent` command line (contract in ARCHITECTURE.md). Each command lives in its own file as
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
        root.Subcommands.Add(BrowseCommand.Build());
        root.Subcommands.Add(ProbeCommand.Build());
        root.Subcommands.Add(HealthCommand.Build());
        root.Subcommands.Add(SpcCommand.Build());
        return root;
    }

    /// <summary>The shared <c>--config FILE</c> option.</summary>
    public static Option<FileInfo> ConfigOption() => new("--config", "-c")
    {
        Description = "The agent's YAML configuration file.",
        Required = true,
    };
}
