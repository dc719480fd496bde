using System.Diagnostics;
using System.Globalization;

namespace EdgeAgent.Tests.Writes;

/// <summary>
/// A PLC played by pymodbus (peers/plc.py): coils and holding registers 0..199 of unit 1. <see cref="ReadAsync"/> asks an
/// independent pymodbus client what the device holds, so a test sees the machine's side, not the agent's read-back.
/// </summary>
internal sealed class Plc : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly Process _process;
    private bool _disposed;

    private Plc(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<Plc> StartAsync(int? port = null, [System.Runtime.CompilerServices.CallerFilePath] string here = "")
    {
        var script = Path.Combine(Path.GetDirectoryName(here) ?? ".", "peers", "plc.py");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); !File.Exists(script) && dir is not null; dir = dir.Parent)
        {
            script = Path.Combine(dir.FullName, "tests", "EdgeAgent.Tests", "Writes", "peers", "plc.py");
        }

        if (!File.Exists(Python) || !File.Exists(script))
        {
            throw new InvalidOperationException($"Modbus peer missing: need {Python} with python3-pymodbus (tests/peers/install.sh) and {script}");
        }

        var chosen = port ?? Mqtt.Mosquitto.FreePort();
        var process = Process.Start(new ProcessStartInfo(Python, [script, chosen.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var plc = new Plc(process, chosen);
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (line != "ready")
            {
                var error = await process.StandardError.ReadToEndAsync();
                throw new InvalidOperationException($"the pymodbus PLC did not start (is python3-pymodbus installed? tests/peers/install.sh): {line} {error}");
            }
        }
        catch
        {
            await plc.DisposeAsync();
            throw;
        }

        return plc;
    }

    /// <summary>What the device holds: <c>coil N</c>, <c>hr N</c> or <c>float32 N ABCD|CDAB</c>, read by a pymodbus client.</summary>
    public async Task<double> ReadAsync(string what)
    {
        await _process.StandardInput.WriteLineAsync(what);
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("the PLC peer ended");
        return double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
