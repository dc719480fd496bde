using System.Globalization;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Hosting.Systemd;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// The hosted worker: runs the agent until the host stops (SIGTERM, Ctrl-C, systemd stop), and tells a systemd
/// <c>Type=notify</c> unit when it is ready, that it is alive (watchdog) and when it stops.
/// </summary>
internal sealed class AgentService(AgentConfig config, ILoggerFactory loggers, IHostApplicationLifetime lifetime, SystemdNotifier notifier) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var agent = new Agent(config, loggers, AgentMetrics.Default);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var notifications = ServiceNotifications.RunAsync(agent.StallReason, () => StatusLine(agent), started.Task, notifier, TimeProvider.System, stoppingToken);
        try
        {
            await agent.RunAsync(stoppingToken, started).ConfigureAwait(false);
        }
        catch (AgentStartException ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Fixable at start (an address in use …): the same exit code as a bad config, and the reason first in the log.
            started.TrySetException(ex);
            loggers.CreateLogger("EdgeAgent").LogCritical(ex, "Agent cannot start: {Reason}", ex.Message);
            Environment.ExitCode = 2;
            lifetime.StopApplication();
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            started.TrySetException(ex);
            loggers.CreateLogger("EdgeAgent").LogCritical(ex, "Agent failed");
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }

        await notifications.ConfigureAwait(false);
    }

    /// <summary>The systemd status line, e.g. "running: 2/2 sources up, 14 tags, 3 sinks, 120345 samples routed".</summary>
    internal static string StatusLine(Agent agent)
    {
        var up = 0;
        foreach (var writer in agent.Writers)
        {
            if (writer.State == SourceState.Up)
            {
                up++;
            }
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"running: {up}/{agent.Writers.Count} sources up, {agent.Directory.Count} tags, {agent.Sinks.Count} sinks, {agent.Pipeline?.Routed ?? 0} samples routed");
    }
}
