namespace EdgeAgent.Hosting.Systemd;

/// <summary>
/// What the agent tells systemd over its lifetime (a <c>Type=notify</c> unit with <c>WatchdogSec=</c>):
/// <list type="bullet">
/// <item><c>READY=1</c> once the agent's components, sinks and sources are started (not when the process is up);</item>
/// <item><c>WATCHDOG=1</c> every <see cref="SystemdNotifier.WatchdogInterval"/>, only while <c>stallReason</c> (the agent's
/// <c>StallReason</c>) says the pipeline is alive, the same test that gates the heartbeat `edgeagent health` reads. A wedged router stops
/// the pings, systemd kills the agent after <c>WatchdogSec=</c> and <c>Restart=on-failure</c> starts it again;</item>
/// <item><c>STATUS=</c> a line a person reads in <c>systemctl status edgeagent</c>;</item>
/// <item><c>STOPPING=1</c> when the stop begins (SIGTERM), before the queue drains and sinks flush.</item>
/// </list>
/// Each watchdog tick sends one datagram: the ping with its status, or the stall status without a ping.
/// </summary>
public static class ServiceNotifications
{
    /// <param name="stallReason">Null while the pipeline is alive, else why not.</param>
    /// <param name="status">The running status line (sources up, samples routed).</param>
    /// <param name="started">Completes when sources and sinks are started; faults when the agent could not start.</param>
    public static async Task RunAsync(
        Func<string?> stallReason, Func<string> status, Task started, SystemdNotifier notifier, TimeProvider time, CancellationToken stopping)
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

        notifier.Send("READY=1\n" + SystemdNotifier.Status(status()));
        try
        {
            if (notifier.WatchdogInterval is { } interval)
            {
                using var timer = new PeriodicTimer(interval, time);
                while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
                {
                    notifier.Send(stallReason() is { } reason
                        ? SystemdNotifier.Status($"stalled, watchdog pings withheld: {reason}")
                        : "WATCHDOG=1\n" + SystemdNotifier.Status(status()));
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
}
