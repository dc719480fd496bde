using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>
/// A real Debian <c>mosquitto</c> started by a test on a free loopback port, persistence on (so a subscriber's
/// persistent session and its queue survive a stop/start), stopped with SIGTERM so it saves its database.
/// Fails with a clear message when mosquitto is not installed (tests/peers/install.sh installs it).
/// </summary>
internal sealed class Mosquitto : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _conf;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private Mosquitto(string dir, int port, string conf)
    {
        _dir = dir;
        Port = port;
        _conf = conf;
    }

    public int Port { get; }

    public string Url => $"mqtt://127.0.0.1:{Port}";

    /// <summary>What mosquitto wrote to stderr (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static string Executable { get; } = Find();

    /// <summary>Starts mosquitto with <c>listener PORT 127.0.0.1</c> plus <paramref name="extraConf"/> lines.</summary>
    public static async Task<Mosquitto> StartAsync(string? extraConf = null, int? port = null, bool tlsListener = false, bool allowAnonymous = true)
    {
        var dir = Directory.CreateTempSubdirectory("mosquitto-").FullName;
        var p = port ?? FreePort();
        var conf = Path.Combine(dir, "mosquitto.conf");
        var text = new StringBuilder()
            .AppendLine($"listener {p} 127.0.0.1")
            .AppendLine(allowAnonymous ? "allow_anonymous true" : "allow_anonymous false")
            .AppendLine("persistence true")
            .AppendLine($"persistence_location {dir}/")
            .AppendLine("max_queued_messages 0")
            .AppendLine("max_inflight_messages 0")
            .AppendLine("user root")
            .AppendLine("log_dest stderr")
            .AppendLine("log_type error")
            .AppendLine("log_type warning")
            .AppendLine("log_type notice")
            .AppendLine(Environment.GetEnvironmentVariable("MOSQUITTO_DEBUG") is null ? string.Empty : "log_type all")
            .AppendLine(extraConf ?? string.Empty)
            .ToString();
        await File.WriteAllTextAsync(conf, text);
        var broker = new Mosquitto(dir, p, conf);
        await broker.StartAgainAsync(tlsListener);
        return broker;
    }

    /// <summary>(Re)starts the process on the same port and persistence directory and waits until it accepts TCP connections.</summary>
    public async Task StartAgainAsync(bool tlsListener = false)
    {
        var psi = new ProcessStartInfo(Executable, ["-c", _conf])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("mosquitto did not start");
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with {process.ExitCode}:\n{Log}");
            }

            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50); // polling for the observable "port accepts connections", bounded by the deadline
            }
        }
    }

    /// <summary>SIGTERM (mosquitto saves its persistence database) and wait for the exit.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        Signal(_process.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(timeout.Token);
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (OperationCanceledException)
        {
            _process?.Kill();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Sends a POSIX signal (Process.Kill is SIGKILL; SIGTERM needs libc).</summary>
    public static void Signal(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static string Find()
    {
        foreach (var candidate in (string[])["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"])
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("mosquitto is not installed: run tests/peers/install.sh (apt package 'mosquitto')");
    }
}
