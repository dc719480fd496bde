using System.Globalization;
using EdgeAgent.Drivers;

namespace EdgeAgent.Hosting.Systemd;

/// <summary>
/// What the agent tells systemd over its lifetime (a <c>Type=notify</c> unit with <c>WatchdogSec=</c>):
/// <list type="bullet">
/// <item><c>READY=1</c> once the agent's components, sinks and sources are started (not when the process is up);</item>
/// <item><c>WATCHDOG=1</c> every <see cref="SystemdNotifier.WatchdogInterval"/>, only while <see cref="Agent.StallReason"/>
/// says the pipeline is alive, the same test that gates the heartbeat `edgeagent health` reads. A wedged router stops
/// the pings, systemd kills the agent after <c>WatchdogSec=</c> and <c>Restart=on-failure</c> starts it again;</item>
/// <item><c>STATUS=</c> a line a person reads in <c>systemctl status edgeagent</c>;</item>
/// <item><c>STOPPING=1</c> when the stop begins (SIGTERM), before the queue drains and sinks flush.</item>
/// </list>
/// Each watchdog tick sends one datagram: the ping with its status, or the stall status without a ping.
/// </summary>
public static class ServiceNotifications
{
    public static async Task RunAsync(Agent agent, Task started, SystemdNotifier notifier, TimeProvider time, CancellationToken stopping)
    {
        if (!notifier.Enabled)
        {
            return;
        }

        try
        {
            await started.WaitAsync(stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            notifier.Send("STOPPING=1\n" + SystemdNotifier.Status("stopping before the agent was ready"));
            return;
        }
        catch (Exception)
        {
            return; // the agent failed to start: it logs why and exits non-zero, which is what systemd acts on
        }

        notifier.Send("READY=1\n" + SystemdNotifier.Status(Running(agent)));
        try
        {
            if (notifier.WatchdogInterval is { } interval)
            {
                using var timer = new PeriodicTimer(interval, time);
                while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
                {
                    notifier.Send(agent.StallReason() is { } reason
                        ? SystemdNotifier.Status($"stalled, watchdog pings withheld: {reason}")
                        : "WATCHDOG=1\n" + SystemdNotifier.Status(Running(agent)));
                }
            }
            else
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, time, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        notifier.Send("STOPPING=1\n" + SystemdNotifier.Status("stopping: sources stop, the queue drains, sinks flush"));
    }

    /// <summary>e.g. "running: 2/2 sources up, 14 tags, 3 sinks, 120345 samples routed".</summary>
    private static string Running(Agent agent)
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
