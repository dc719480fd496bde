using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace EdgeAgent.Hosting.Systemd;

/// <summary>
/// The sending half of systemd's sd_notify protocol (sd_notify(3)): newline-separated <c>KEY=VALUE</c> assignments in
/// one datagram to the unix socket named by <c>$NOTIFY_SOCKET</c>. A name starting with '@' is an abstract socket
/// address (Linux: the '@' stands for the leading NUL byte). Without <c>$NOTIFY_SOCKET</c> (not started by a
/// <c>Type=notify</c> unit) every send is a no-op, so the agent behaves the same on a shell, in a container and under
/// systemd.
/// </summary>
/// <remarks>
/// Written here rather than using Microsoft.Extensions.Hosting.Systemd: that package sends READY=1 when the host has
/// started, which is before the agent's sources and sinks are (the hosted service starts them asynchronously), it only
/// activates when the parent process is PID 1, and it has no watchdog.
/// </remarks>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;

    /// <param name="socketPath">The value of <c>$NOTIFY_SOCKET</c>; null or empty disables every send.</param>
    public SystemdNotifier(string? socketPath)
    {
        if (string.IsNullOrEmpty(socketPath))
        {
            return;
        }

        // sd_notify(3): "If the first character of $NOTIFY_SOCKET is "@", the string is understood as Linux abstract
        // namespace socket." .NET takes an abstract address as a path starting with NUL.
        _endpoint = new UnixDomainSocketEndPoint(socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>A notifier for this process's environment (<c>$NOTIFY_SOCKET</c>, <c>$WATCHDOG_USEC</c>, <c>$WATCHDOG_PID</c>).</summary>
    public static SystemdNotifier FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"))
        {
            WatchdogInterval = WatchdogFrom(
                Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
                Environment.GetEnvironmentVariable("WATCHDOG_PID"),
                Environment.ProcessId),
        };

    /// <summary>True when a service manager listens (<c>$NOTIFY_SOCKET</c> was set).</summary>
    public bool Enabled => _socket is not null;

    /// <summary>How often to send WATCHDOG=1 (half of <c>WatchdogSec=</c>, as sd_watchdog_enabled(3) advises), or null when no watchdog is armed.</summary>
    public TimeSpan? WatchdogInterval { get; init; }

    /// <summary>
    /// sd_watchdog_enabled(3): the watchdog is armed when <c>$WATCHDOG_USEC</c> is a positive number of microseconds and
    /// <c>$WATCHDOG_PID</c> is unset or this process. The pings go at half that period.
    /// </summary>
    public static TimeSpan? WatchdogFrom(string? usec, string? pid, int processId)
    {
        if (!ulong.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var micros) || micros == 0)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(pid) && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var owner) || owner != processId))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(micros / 2.0);
    }

    /// <summary>Sends the assignments in one datagram. False when disabled or the manager is gone (the agent keeps running either way).</summary>
    public bool Send(string assignments)
    {
        if (_socket is null)
        {
            return false;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(assignments), SocketFlags.None, _endpoint!);
            return true;
        }
        catch (SocketException)
        {
            // No listener (the manager restarted or the test socket is closed): nothing to tell, nothing to fix here.
            return false;
        }
    }

    /// <summary>A STATUS= value is one line: newlines would start new assignments.</summary>
    public static string Status(string text) => "STATUS=" + text.Replace('\n', ' ');

    public void Dispose() => _socket?.Dispose();
}
