using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace EdgeAgent.Drivers.Modbus.Tests;

/// <summary>One point of the register map the tests own; the Python peer encodes it with its own struct module.</summary>
public sealed record MapPoint(string Table, int Address, string Type, string Order, object Value, int Length = 0);

/// <summary>The register map served by the pymodbus peers: unit 1 covers every type and order, unit 2 one register.</summary>
public static class TestMap
{
    public static readonly string[] Orders = ["ABCD", "CDAB", "BADC", "DCBA"];
    public static readonly MapPoint[] Unit1 = BuildUnit1();
    public static readonly MapPoint[] Unit2 = [new("hr", 0, "uint16", "ABCD", 2222)];

    /// <summary>Holding registers 0..199 exist; 200 and above answer IllegalDataAddress.</summary>
    public const int HoldingRegisters = 200;

    private static MapPoint[] BuildUnit1()
    {
        var points = new List<MapPoint>
        {
            new("hr", 0, "int16", "ABCD", -1234),
            new("hr", 1, "uint16", "ABCD", 54321),
        };
        var address = 2;
        foreach (var (type, value, words) in new (string, object, int)[]
                 {
                     ("int32", -123456789, 2), ("uint32", 4000000000u, 2), ("float32", 3.14159f, 2),
                     ("int64", -1234567890123L, 4), ("uint64", 12345678901234567UL, 4), ("float64", 2.718281828459045, 4),
                 })
        {
            foreach (var order in Orders)
            {
                points.Add(new("hr", address, type, order, value));
                address += words;
            }
        }

        // address is now 74
        points.Add(new("hr", 74, "int16", "BADC", -2));
        points.Add(new("hr", 75, "uint16", "BADC", 0x1234));
        points.Add(new("hr", 76, "string", "ABCD", "EDGE-01", 5));
        points.Add(new("hr", 81, "string", "BADC", "SWAPPED", 4));
        points.Add(new("hr", 90, "uint16", "ABCD", 0b1000_0000_0000_0101));
        points.Add(new("hr", 100, "uint16", "ABCD", 1000));
        points.Add(new("hr", 195, "uint16", "ABCD", 195));
        points.Add(new("ir", 0, "float32", "ABCD", 42.5f));
        points.Add(new("ir", 2, "uint16", "ABCD", 7));
        points.Add(new("coil", 0, "bool", "ABCD", true));
        points.Add(new("coil", 1, "bool", "ABCD", false));
        points.Add(new("coil", 5, "bool", "ABCD", true));
        points.Add(new("di", 3, "bool", "ABCD", true));
        return points.ToArray();
    }

    public static string WriteJson()
    {
        object Unit(MapPoint[] points) => new
        {
            sizes = new Dictionary<string, int> { ["hr"] = HoldingRegisters, ["ir"] = 10, ["coil"] = 20, ["di"] = 20 },
            points = points.Select(p => new Dictionary<string, object>
            {
                ["table"] = p.Table, ["address"] = p.Address, ["type"] = p.Type, ["order"] = p.Order, ["value"] = p.Value, ["length"] = p.Length,
            }),
        };
        var path = Path.Combine(Path.GetTempPath(), $"modbus-map-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object> { ["1"] = Unit(Unit1), ["2"] = Unit(Unit2) }));
        return path;
    }
}

/// <summary>A real peer process (pymodbus, socat …) that the test starts and kills; fails clearly when not installed.</summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private PeerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output { get { lock (_output) { return _output.ToString(); } } }

    public bool HasExited => _process.HasExited;

    public static PeerProcess Start(string file, params string[] args) => StartWithEnv(file, new Dictionary<string, string>(), args);

    public static PeerProcess StartWithEnv(string file, IDictionary<string, string> env, params string[] args)
    {
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"test peer {file} is not installed: run tests/peers/install.sh");
        }

        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        return new PeerProcess(Process.Start(psi)!);
    }

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "peers", name);

    /// <summary>pymodbus serving <see cref="TestMap"/> over TCP on <paramref name="port"/>; waits until it accepts connections.</summary>
    public static async Task<PeerProcess> PymodbusTcpAsync(int port, string framer = "socket")
    {
        var map = TestMap.WriteJson();
        var peer = Start("/usr/bin/python3", Script("pymodbus_server.py"), "--map", map, "--tcp", port.ToString(), "--framer", framer);
        try
        {
            await peer.WaitForTcpAsync(port);
        }
        catch
        {
            await peer.DisposeAsync(); // never leave a peer running behind a failed test
            throw;
        }

        return peer;
    }

    public async Task WaitForTcpAsync(int port)
    {
        // Generous: a cold python3 start on a loaded CI machine can take several seconds.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"peer exited with {_process.ExitCode} before listening on {port} (is python3-pymodbus installed? run tests/peers/install.sh):\n{Output}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public async Task WaitForOutputAsync(string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"peer did not print '{text}':\n{Output}");
            }

            await Task.Delay(20);
        }
    }

    public async Task KillAsync()
    {
        if (_disposed)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    private bool _disposed;

    /// <summary>Idempotent: a test may dispose a peer it restarted, and its finally block disposes again.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await KillAsync();
        _disposed = true;
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>An <see cref="ISampleWriter"/> that lets a test wait for a state or a batch.</summary>
public sealed class RecordingWriter : ISampleWriter
{
    private readonly object _lock = new();
    private readonly List<(SourceState State, string? Reason)> _changes = [];
    private readonly List<Sample[]> _batches = [];

    public IReadOnlyList<(SourceState State, string? Reason)> Changes { get { lock (_lock) { return _changes.ToList(); } } }

    public Sample[]? LastBatch { get { lock (_lock) { return _batches.LastOrDefault(); } } }

    public bool TryWrite(ReadOnlySpan<Sample> samples)
    {
        lock (_lock)
        {
            _batches.Add(samples.ToArray());
        }

        return true;
    }

    public void SetState(SourceState state, string? reason = null)
    {
        lock (_lock)
        {
            if (_changes.Count == 0 || _changes[^1].State != state)
            {
                _changes.Add((state, reason));
            }
        }
    }

    public async Task WaitForAsync(Func<RecordingWriter, bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {seconds} s for {what}; states: {string.Join(" → ", Changes.Select(c => $"{c.State} ({c.Reason})"))}");
            }

            await Task.Delay(20);
        }
    }
}
