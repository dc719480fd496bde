using System.Net.Sockets;
using System.Text;

namespace EdgeAgent.Tests.Systemd;

/// <summary>
/// The service manager's end of sd_notify for a test: a unix datagram socket bound by the test, whose name is what the
/// agent gets as <c>$NOTIFY_SOCKET</c> (a path, or '@name' for an abstract address).
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket;
    private readonly string? _file;
    private readonly byte[] _buffer = new byte[4096];

    private NotifySocket(Socket socket, string name, string? file)
    {
        _socket = socket;
        Name = name;
        _file = file;
    }

    /// <summary>The value for <c>$NOTIFY_SOCKET</c>.</summary>
    public string Name { get; }

    public static NotifySocket BindPath()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("edgeagent-notify").FullName, "notify.sock");
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(file));
        return new NotifySocket(socket, file, file);
    }

    public static NotifySocket BindAbstract()
    {
        var name = "edgeagent-test-" + Guid.NewGuid().ToString("N");
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
        return new NotifySocket(socket, "@" + name, null);
    }

    /// <summary>The next datagram, as text; fails the test when none comes within <paramref name="timeout"/>.</summary>
    public async Task<string> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            var n = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cts.Token);
            return Encoding.UTF8.GetString(_buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no sd_notify datagram on {Name} within {timeout ?? TimeSpan.FromSeconds(30)}");
        }
    }

    /// <summary>Datagrams until one holds <paramref name="assignment"/> (e.g. READY=1); returns every one read, that one last.</summary>
    public async Task<List<string>> ReceiveUntilAsync(string assignment, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"no {assignment} on {Name}; received: [{string.Join(" | ", seen)}]");
            }

            var message = await ReceiveAsync(left);
            seen.Add(message);
            if (Assignments(message).Contains(assignment))
            {
                return seen;
            }
        }
    }

    /// <summary>The KEY=VALUE lines of one datagram.</summary>
    public static string[] Assignments(string message) => message.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static string? Status(string message) =>
        Assignments(message).FirstOrDefault(a => a.StartsWith("STATUS=", StringComparison.Ordinal))?["STATUS=".Length..];

    public void Dispose()
    {
        _socket.Dispose();
        if (_file is not null)
        {
            File.Delete(_file);
        }
    }
}
