using System.Diagnostics;
using System.IO.Ports;
using System.Net.Sockets;

namespace EdgeAgent.Drivers.Modbus;

/// <summary>Serial line settings of a Modbus RTU bus.</summary>
public sealed record ModbusSerialOptions
{
    /// <summary>Device path (<c>/dev/ttyUSB0</c>, <c>COM3</c>). A symbolic link (e.g. a socat pty) is resolved.</summary>
    public required string Port { get; init; }

    public int Baud { get; init; } = 19200;

    /// <summary>Modbus over serial line §2.5.1 asks for even parity by default; many devices use none.</summary>
    public Parity Parity { get; init; } = Parity.Even;

    public int DataBits { get; init; } = 8;

    public StopBits StopBits { get; init; } = StopBits.One;
}

/// <summary>
/// Modbus RTU framing over a byte stream: a serial port, or a TCP connection to a serial gateway (RTU over TCP).
/// One request at a time (a serial bus is half-duplex; several unit ids share it). A pump reads the stream into a
/// buffer and stamps the time of the last byte, which gives the inter-frame silence (3.5 characters) before each
/// request and lets a garbled answer (bad CRC, short frame, wrong unit or function echo) be discarded: the bus is
/// drained until it has been silent for a frame gap, then the next request starts clean.
/// </summary>
public sealed class ModbusRtuTransport : ModbusTransport
{
    private readonly Func<CancellationToken, ValueTask<(Stream Stream, IDisposable Owner)>> _open;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _silence;
    private readonly SemaphoreSlim _bus = new(1, 1);
    private readonly SemaphoreSlim _received = new(0, int.MaxValue);
    private readonly object _lock = new();
    private readonly byte[] _buffer = new byte[4 * ModbusLimits.MaxRtuAduLength];
    private readonly byte[] _send = new byte[ModbusLimits.MaxRtuAduLength];
    private readonly CancellationTokenSource _disposed = new();
    private int _count;
    private long _lastActivity;
    private Stream? _stream;
    private IDisposable? _owner;
    private Task? _pump;
    private volatile Exception? _broken;

    private ModbusRtuTransport(string endpoint, TimeSpan timeout, int baud, Func<CancellationToken, ValueTask<(Stream, IDisposable)>> open)
    {
        Endpoint = endpoint;
        _timeout = timeout;
        _silence = RtuFrame.InterFrameDelay(baud);
        Baud = baud;
        _open = open;
    }

    /// <summary>RTU over a local serial port.</summary>
    public static ModbusRtuTransport ForSerialPort(ModbusSerialOptions serial, TimeSpan timeout) =>
        new(serial.Port, timeout, serial.Baud, _ =>
        {
            var path = serial.Port;
            if (File.Exists(path) && new FileInfo(path).LinkTarget is not null)
            {
                path = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
            }

            var port = new SerialPort(path, serial.Baud, serial.Parity, serial.DataBits, serial.StopBits)
            {
                Handshake = Handshake.None,
                ReadTimeout = SerialPort.InfiniteTimeout,
                WriteTimeout = (int)Math.Max(100, timeout.TotalMilliseconds),
            };
            try
            {
                port.Open();
                port.DiscardInBuffer();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                port.Dispose();
                throw new ModbusException(serial.Port, ModbusErrorKind.Connection, $"cannot open serial port: {e.Message}", isTransient: true, e);
            }

            return ValueTask.FromResult<(Stream, IDisposable)>((port.BaseStream, port));
        });

    /// <summary>RTU frames over TCP (serial gateways in transparent mode).</summary>
    public static ModbusRtuTransport ForTcp(string host, int port, TimeSpan timeout, TimeSpan? connectTimeout = null) =>
        new($"{host}:{port}", timeout, 115200, async ct =>
        {
            var client = new TcpClient { NoDelay = true };
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(connectTimeout ?? TimeSpan.FromSeconds(3));
            try
            {
                await client.ConnectAsync(host, port, limit.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                client.Dispose();
                throw new ModbusException($"{host}:{port}", ModbusErrorKind.Connection, $"connect failed: {e.Message}", isTransient: true, e);
            }

            return (client.GetStream(), client);
        });

    public override string Endpoint { get; }

    public override int MaxInFlight => 1;

    public int Baud { get; }

    /// <summary>Garbled or unexpected answers discarded (resynchronisations).</summary>
    public long Resyncs;

    public override async ValueTask<int> ExchangeAsync(byte unitId, ReadOnlyMemory<byte> request, Memory<byte> response, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        await _bus.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            await WaitForSilenceAsync(cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                _count = 0; // whatever arrived before our request is not its answer
            }

            var length = RtuFrame.Write(_send, unitId, request.Span);
            try
            {
                await stream.WriteAsync(_send.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or TimeoutException)
            {
                Close(e);
                throw new ModbusException(Endpoint, ModbusErrorKind.Connection, $"write failed: {e.Message}", isTransient: true, e);
            }

            Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());
            if (unitId == 0)
            {
                return 0; // broadcast: no unit answers
            }

            return await ReceiveAsync(unitId, request.Span[0], response, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _bus.Release();
        }
    }

    private async ValueTask<int> ReceiveAsync(byte unitId, byte function, Memory<byte> response, CancellationToken cancellationToken)
    {
        // The timeout counts from the end of our transmission (bytes take time on a slow line).
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * (long)(_timeout + RtuFrame.CharacterTime(Baud, _send.Length)).TotalMilliseconds / 1000;
        while (true)
        {
            int received;
            lock (_lock)
            {
                received = _count;
                if (received > 0)
                {
                    int frameLength;
                    try
                    {
                        if (!RtuFrame.TryReadResponse(_buffer.AsSpan(0, _count), out frameLength))
                        {
                            frameLength = 0;
                        }
                    }
                    catch (ModbusException e)
                    {
                        _count = 0;
                        Interlocked.Increment(ref Resyncs);
                        throw new ModbusException(Endpoint, ModbusErrorKind.Frame, $"garbled answer discarded ({e.Detail})", isTransient: true, e) { ByteOffset = e.ByteOffset, UnitId = unitId };
                    }

                    if (frameLength > 0)
                    {
                        var frame = _buffer.AsSpan(0, frameLength);
                        var unit = frame[0];
                        var fc = frame[1];
                        _count = 0;
                        if (unit != unitId || (fc & 0x7F) != function)
                        {
                            Interlocked.Increment(ref Resyncs);
                            throw new ModbusException(Endpoint, ModbusErrorKind.UnexpectedResponse,
                                $"answer discarded: expected unit {unitId} function {function}, found unit {unit} function {fc & 0x7F}", isTransient: true) { UnitId = unitId };
                        }

                        frame[1..^2].CopyTo(response.Span);
                        return frameLength - RtuFrame.Overhead;
                    }
                }
            }

            if (_broken is { } broken)
            {
                throw new ModbusException(Endpoint, ModbusErrorKind.Connection, $"connection lost: {broken.Message}", isTransient: true, broken);
            }

            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero || !await _received.WaitAsync(remaining, cancellationToken).ConfigureAwait(false))
            {
                lock (_lock)
                {
                    received = _count;
                    _count = 0;
                }

                if (received > 0)
                {
                    Interlocked.Increment(ref Resyncs);
                }

                var what = received > 0 ? $"short frame: {received} bytes then silence for {_timeout.TotalMilliseconds:0} ms" : $"no response within {_timeout.TotalMilliseconds:0} ms";
                throw new ModbusException(Endpoint, ModbusErrorKind.Timeout, what, isTransient: true, new TimeoutException($"Modbus RTU request to {Endpoint} unit {unitId} timed out")) { UnitId = unitId };
            }
        }
    }

    /// <summary>Waits until the line has been quiet for 3.5 character times since the last byte either way.</summary>
    private async ValueTask WaitForSilenceAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var quiet = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastActivity));
            var wait = _silence - quiet;
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            if (wait < TimeSpan.FromMilliseconds(2))
            {
                // Below timer resolution: spin briefly rather than oversleep by a millisecond or more.
                Thread.SpinWait(50);
                continue;
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<Stream> EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (_stream is { } s && _broken is null)
        {
            return s;
        }

        Close(null);
        var (stream, owner) = await _open(cancellationToken).ConfigureAwait(false);
        _stream = stream;
        _owner = owner;
        _broken = null;
        lock (_lock)
        {
            _count = 0;
        }

        _pump = Task.Run(() => PumpAsync(stream));
        return stream;
    }

    private async Task PumpAsync(Stream stream)
    {
        var chunk = new byte[512];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(chunk, _disposed.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    Broke(stream, new IOException("the peer closed the connection"));
                    break;
                }

                lock (_lock)
                {
                    if (!ReferenceEquals(stream, _stream))
                    {
                        return;
                    }

                    // A peer that never stops talking cannot overflow us: old bytes are dropped (they were garbage anyway).
                    if (_count + n > _buffer.Length)
                    {
                        _count = 0;
                    }

                    chunk.AsSpan(0, n).CopyTo(_buffer.AsSpan(_count));
                    _count += n;
                }

                Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());
                if (_received.CurrentCount == 0)
                {
                    _received.Release();
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException or SocketException)
        {
            Broke(stream, e);
        }

        if (_received.CurrentCount == 0)
        {
            _received.Release();
        }
    }

    private void Broke(Stream stream, Exception reason)
    {
        // A pump of a stream already replaced must not mark the new one broken.
        if (ReferenceEquals(stream, _stream))
        {
            _broken = reason;
        }
    }

    private void Close(Exception? reason)
    {
        if (reason is not null)
        {
            _broken = reason;
        }

        try
        {
            _owner?.Dispose();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }

        _owner = null;
        _stream = null;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        Close(new ObjectDisposedException(nameof(ModbusRtuTransport)));
        if (_pump is { } pump)
        {
            await pump.ConfigureAwait(false);
        }
    }
}
