using System.CommandLine;
using System.Globalization;
using EdgeAgent.Config;
using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent health --config FILE</c>: exit 0 when the agent using that config wrote its heartbeat (agent.data/heartbeat)
/// within the last 30 s, else 1 — the container HEALTHCHECK and systemd watchdogs use it.
/// </summary>
internal static class HealthCommand
{
    public static Command Build()
    {
        var config = Commands.ConfigOption();
        var command = new Command("health", "Exit 0 if the agent running with this config is alive (heartbeat within 30 s).") { config };
        command.SetAction(parse =>
        {
            var loaded = Commands.LoadConfig(parse.GetValue(config)!.ToString());
            if (loaded is null)
            {
                return 2;
            }

            var path = Path.Combine(loaded.Agent.Data, Agent.HeartbeatFile);
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"unhealthy: no heartbeat at {path} (is the agent running with this config?)");
                return 1;
            }

            var text = File.ReadAllText(path).Trim();
            if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var last))
            {
                Console.Error.WriteLine($"unhealthy: heartbeat file {path} holds '{text}', not a timestamp");
                return 1;
            }

            var age = DateTime.UtcNow - last.ToUniversalTime();
            if (age > TimeSpan.FromSeconds(30))
            {
                Console.Error.WriteLine($"unhealthy: last heartbeat {age.TotalSeconds:0}s ago at {last:O}");
                return 1;
            }

            Console.Out.WriteLine($"healthy: heartbeat {age.TotalSeconds:0.0}s ago");
            return 0;
        });
        return command;
    }
}
