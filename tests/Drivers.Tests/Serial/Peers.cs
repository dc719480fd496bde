using System.Diagnostics;
using System.IO.Ports;
using System.Text;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Drivers.Serial.Tests;

/// <summary>Bounded waits: a condition that does not come true in time fails the test, never hangs it.</summary>
internal static class Deadline
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        var end = DateTime.UtcNow + (limit ?? Default);
        while (!condition())
        {
            if (DateTime.UtcNow > end)
            {
                throw new TimeoutException($"not within {(limit ?? Default).TotalSeconds:0} s: {what}");
            }

            await Task.Delay(10);
        }
    }

    public static async Task<T> Within<T>(Task<T> task, string what, TimeSpan? limit = null)
    {
        try
        {
            return await task.WaitAsync(limit ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"not within {(limit ?? Default).TotalSeconds:0} s: {what}");
        }
    }

    public static async Task Within(Task task, string what, TimeSpan? limit = null)
    {
        try
        {
            await task.WaitAsync(limit ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"not within {(limit ?? Default).TotalSeconds:0} s: {what}");
        }
    }
}

/// <summary>
/// A socat pty pair (8N1): the driver opens <see cref="Driver"/> (a symlink, as /dev/serial/by-id/… is), the test plays
/// the gauge on <see cref="Gauge"/>. Stopped by its process id.
/// </summary>
public sealed class PtyPair : IAsyncDisposable
{
    private readonly Process _socat;
    private SerialPort? _gauge;

    private PtyPair(Process socat, string dir)
    {
        _socat = socat;
        Folder = dir;
        Driver = Path.Combine(dir, "driver");
        GaugeEnd = Path.Combine(dir, "gauge");
    }

    public string Folder { get; }

    public string Driver { get; }

    public string GaugeEnd { get; }

    public int ProcessId => _socat.Id;

    public static async Task<PtyPair> StartAsync(string? dir = null)
    {
        dir ??= Directory.CreateTempSubdirectory("serial-pty").FullName;
        if (!File.Exists("/usr/bin/socat"))
        {
            throw new InvalidOperationException("socat is not installed: run tests/peers/install.sh");
        }

        var psi = new ProcessStartInfo("/usr/bin/socat") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { $"pty,raw,echo=0,link={dir}/driver", $"pty,raw,echo=0,link={dir}/gauge" })
        {
            psi.ArgumentList.Add(a);
        }

        var socat = Process.Start(psi)!;
        var pair = new PtyPair(socat, dir);
        await Deadline.UntilAsync(() => socat.HasExited || (File.Exists(pair.Driver) && File.Exists(pair.GaugeEnd)), "socat creates the pty pair");
        if (socat.HasExited)
        {
            throw new InvalidOperationException($"socat exited: {await socat.StandardError.ReadToEndAsync()}");
        }

        return pair;
    }

    /// <summary>The gauge's end of the line, opened on first use.</summary>
    public SerialPort Gauge
    {
        get
        {
            if (_gauge is null)
            {
                var path = new FileInfo(GaugeEnd).ResolveLinkTarget(true)!.FullName;
                _gauge = new SerialPort(path, 115200, Parity.None, 8, StopBits.One) { ReadTimeout = SerialPort.InfiniteTimeout };
                _gauge.Open();
            }

            return _gauge;
        }
    }

    public void Send(string text) => Send(Encoding.Latin1.GetBytes(text));

    public void Send(byte[] bytes)
    {
        Gauge.BaseStream.Write(bytes);
        Gauge.BaseStream.Flush();
    }

    /// <summary>Stops socat (by its pid): both ptys vanish, as an unplugged USB adapter does.</summary>
    public async Task StopAsync()
    {
        _gauge?.Dispose();
        _gauge = null;
        if (!_socat.HasExited)
        {
            _socat.Kill();
            await _socat.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _socat.Dispose();
    }
}

/// <summary>The pipeline's side as a test sees it: samples and states, and other tags' latest values (the part).</summary>
internal sealed class RecordingWriter : ISampleWriter, ITagValues
{
    private readonly List<Sample> _samples = [];
    private readonly List<(SourceState State, string? Reason)> _states = [];

    public Dictionary<string, Sample> Others { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<Sample> Samples { get { lock (_samples) { return _samples.ToList(); } } }

    public IReadOnlyList<(SourceState State, string? Reason)> States { get { lock (_states) { return _states.ToList(); } } }

    public bool TryWrite(ReadOnlySpan<Sample> samples)
    {
        lock (_samples)
        {
            foreach (var s in samples)
            {
                _samples.Add(s);
            }
        }

        return true;
    }

    public void SetState(SourceState state, string? reason = null)
    {
        lock (_states)
        {
            if (_states.Count == 0 || _states[^1].State != state || _states[^1].Reason != reason)
            {
                _states.Add((state, reason));
            }
        }
    }

    private readonly List<string> _names = [];

    public int IdOf(string fullName)
    {
        lock (_names)
        {
            if (!Others.ContainsKey(fullName))
            {
                return -1;
            }

            var i = _names.IndexOf(fullName);
            if (i < 0)
            {
                _names.Add(fullName);
                i = _names.Count - 1;
            }

            return 1000 + i;
        }
    }

    public Sample Latest(int tagId)
    {
        lock (_names)
        {
            return Others[_names[tagId - 1000]];
        }
    }
}

/// <summary>Collects formatted log lines so a test can count them.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines { get { lock (_lines) { return _lines.ToList(); } } }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
        {
            _lines.Add(formatter(state, exception));
        }
    }
}
