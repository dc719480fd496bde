using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Drivers.OpcUa.Tests.Peer;

/// <summary>
/// The node-opcua test server (tests/peers/opcua/server.js) as a child process on a free loopback port. Waits for its
/// "ready" line; a missing peer fails with a message saying how to install it (never a silent skip).
/// </summary>
public sealed class OpcUaServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private OpcUaServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public string EndpointUrl => $"opc.tcp://127.0.0.1:{Port}/UA/EdgeAgentTest";
    public bool HasExited => _process.HasExited;

    public static string PeersDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "tests", "peers")))
        {
            dir = dir.Parent;
        }

        return dir is null
            ? throw new InvalidOperationException("cannot find tests/peers above " + AppContext.BaseDirectory)
            : Path.Combine(dir.FullName, "tests", "peers");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<OpcUaServerProcess> StartAsync(int? port = null, string extraArgs = "", TimeSpan? timeout = null, string nodeOptions = "", IReadOnlyDictionary<string, string>? environment = null)
    {
        var peers = PeersDirectory();
        if (!Directory.Exists(Path.Combine(peers, "node_modules", "node-opcua-server")))
        {
            throw new InvalidOperationException($"the OPC UA test peer is not installed: run tests/peers/install.sh (needs {Path.Combine(peers, "node_modules", "node-opcua-server")})");
        }

        var p = port ?? FreePort();
        var info = new ProcessStartInfo("node", $"{nodeOptions} opcua/server.js --port {p} {extraArgs}")
        {
            WorkingDirectory = peers,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value; // the child's environment only
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("the OPC UA test peer needs node on PATH (tests/peers/install.sh)", e);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("ready", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("the OPC UA test server exited before it was ready: " + stderr));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new OpcUaServerProcess(process, p);
        try
        {
            // First start creates certificates (~20 s); generous so a loaded machine does not fail the run.
            await ready.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new TimeoutException("the OPC UA test server printed no 'ready' line within the timeout: " + stderr);
        }

        return server;
    }

    /// <summary>Kills the server at once (no goodbye to clients), as a crash or power loss would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}

/// <summary>One server for the whole test run (its start costs seconds).</summary>
public sealed class OpcUaServerFixture : IAsyncLifetime
{
    public OpcUaServerProcess Server { get; private set; } = null!;
    public string EndpointUrl => Server.EndpointUrl;

    public async Task InitializeAsync() => Server = await OpcUaServerProcess.StartAsync(null, "--load 50 --load-interval 10");

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class OpcUaServerCollection : ICollectionFixture<OpcUaServerFixture>
{
    public const string Name = "opcua-server";
}
