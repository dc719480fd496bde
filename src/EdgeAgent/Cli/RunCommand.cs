using System.CommandLine;
using EdgeAgent.Config;
using EdgeAgent.Hosting;
using EdgeAgent.Hosting.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace EdgeAgent.Cli;

/// <summary><c>edgeagent run --config FILE</c>: run until SIGTERM/Ctrl-C, then flush and exit 0. A bad config or an unusable agent.data folder exits 2.</summary>
internal static class RunCommand
{
    public static Command Build()
    {
        var config = Commands.ConfigOption();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Debug logging." };
        var command = new Command("run", "Run the agent until stopped (SIGTERM or Ctrl-C: flush and exit 0).") { config, verbose };
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(config)!.ToString();
            var loaded = Commands.LoadConfig(file);
            if (loaded is null)
            {
                return 2;
            }

            if (DataFolder.Problem(loaded.Agent.Data) is { } problem)
            {
                Console.Error.WriteLine($"{file}: {problem}");
                return 2;
            }

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            // sd_notify: our own notifier (READY=1 once sources are started, a watchdog gated on the pipeline's liveness),
            // not Microsoft.Extensions.Hosting.Systemd's lifetime, which reports ready as soon as the host is up.
            builder.Services.AddSingleton(_ => SystemdNotifier.FromEnvironment());
            builder.Logging.ClearProviders();
            if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 })
            {
                // Under systemd stdout goes to the journal, which stamps the time itself; the <N> prefix carries the
                // level so `journalctl -u edgeagent -p warning` filters by it.
                builder.Logging.AddSystemdConsole(o => o.UseUtcTimestamp = true);
            }
            else
            {
                builder.Logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                    o.UseUtcTimestamp = true;
                    o.ColorBehavior = LoggerColorBehavior.Disabled;
                });
            }

            builder.Logging.SetMinimumLevel(parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            builder.Services.AddSingleton(loaded);
            builder.Services.AddHostedService<AgentService>();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
            using var host = builder.Build();
            await host.RunAsync(ct).ConfigureAwait(false);
            return Environment.ExitCode;
        });
        return command;
    }
}
