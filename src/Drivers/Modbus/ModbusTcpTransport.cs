using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace EdgeAgent.Drivers.Modbus;

/// <summary>Options of a Modbus TCP connection.</summary>
public sealed record ModbusTcpOptions
{
    /// <summary>Host name or IP address of the server.</summary>
    public required string Host { get; init; }

    /// <summary>TCP port (502 is the registered Modbus port).</summary>
    public int Port { get; init; } = 502;

    /// <summary>Per-request timeout: from sending the request to receiving the whole response.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Connect timeout.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Requests kept outstanding at once (pipelining by transaction id). 1 (the default) suits every device;
    /// many gateways and soft PLCs accept 4-16.
    /// </summary>
    public int MaxInFlight { get; init; } = 1;

    /// <summary>Consecutive timeouts after which the connection is assumed dead (half-open) and re-established.</summary>
    public int TimeoutsBeforeReconnect { get; init; } = 2;
}

/// <summary>
/// Modbus TCP client transport: one socket, transaction ids to match answers to requests (so K requests may be in
/// flight), a reader loop that frames MBAP ADUs, a per-request timeout, and a lazy reconnect after the connection
/// breaks or a peer sends bytes that are not Modbus (a TCP byte stream cannot be resynchronised, so it is closed).
/// </summary>
public sealed class ModbusTcpTransport : ModbusTransport
{
    private readonly ModbusTcpOptions _options;
    private readonly Slot[] _slots;
    private readonly SemaphoreSlim _inFlight;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly object _sendLock = new();
    private readonly CancellationTokenSource _disposed = new();
    private Connection? _connection;
    private int _nextTransaction;
    private int _consecutiveTimeouts;

    public ModbusTcpTransport(ModbusTcpOptions options)
    {
        if (options.MaxInFlight is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxInFlight, "MaxInFlight [1-256]");
        }

        _options = options;
        Endpoint = $"{options.Host}:{options.Port}";
        _slots = new Slot[options.MaxInFlight];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new Slot(this);
        }

        _inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);

        // One periodic sweep instead of a timer per request: re-arming a timer for every request wakes the timer
        // thread each time (a context switch per request); a sweep costs nothing per request and fires a timeout
        // at most a quarter of the timeout (≥ 5 ms, ≤ 250 ms) late.
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.Timeout.TotalMilliseconds / 4, 5, 250));
        _sweeper = new Timer(static s => ((ModbusTcpTransport)s!).Sweep(), this, period, period);
    }

    private readonly Timer _sweeper;

    private void Sweep()
    {
        var now = Environment.TickCount64;
        foreach (var slot in _slots)
        {
            slot.CheckDeadline(now);
        }
    }

    public override string Endpoint { get; }

    public override int MaxInFlight => _slots.Length;

    /// <summary>Responses that arrived for no outstanding request (late answers after a timeout).</summary>
    public long StaleResponses;

    /// <summary>Connections made (1 + reconnects).</summary>
    public long Connects;

    public bool IsConnected => _connection is { Broken: false };

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ExchangeAsync(byte unitId, ReadOnlyMemory<byte> request, Memory<byte> response, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        Slot? slot = null;
        try
        {
            var connection = _connection;
            if (connection is null || connection.Broken)
            {
                connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            }

            slot = Rent();
            var tid = (ushort)Interlocked.Increment(ref _nextTransaction);
            slot.Begin(connection, tid, unitId, response, _options.Timeout, cancellationToken);
            var adu = slot.Send;
            request.Span.CopyTo(adu.AsSpan(MbapFrame.HeaderLength));
            MbapFrame.WriteHeader(adu, tid, unitId, request.Length);
            try
            {
                lock (_sendLock)
                {
                    var aduLength = MbapFrame.HeaderLength + request.Length;
                    if (connection.Batching && Environment.CurrentManagedThreadId == connection.ReaderThreadId
                        && connection.PendingLength + aduLength <= connection.Pending.Length)
                    {
                        // Called inline from the reader while it completes a batch of answers: queue the request and
                        // let the reader send the whole batch with one system call (pipelining without a send per request).
                        adu.AsSpan(0, aduLength).CopyTo(connection.Pending.AsSpan(connection.PendingLength));
                        connection.PendingLength += aduLength;
                    }
                    else
                    {
                        // Small frames: a blocking send to the kernel buffer completes at once and costs less than async I/O.
                        connection.Socket.Send(adu, 0, aduLength, SocketFlags.None);
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                Fail(connection, new ModbusException(Endpoint, ModbusErrorKind.Connection, $"send failed: {e.Message}", isTransient: true, e));
            }

            var length = await slot.Task.ConfigureAwait(false);
            _consecutiveTimeouts = 0;
            return length;
        }
        catch (ModbusException e) when (e.Kind == ModbusErrorKind.Timeout)
        {
            if (Interlocked.Increment(ref _consecutiveTimeouts) >= _options.TimeoutsBeforeReconnect && _connection is { } c)
            {
                Fail(c, new ModbusException(Endpoint, ModbusErrorKind.Connection, "connection closed after repeated timeouts", isTransient: true));
            }

            throw;
        }
        finally
        {
            slot?.End();
            _inFlight.Release();
        }
    }

    private Slot Rent()
    {
        // At most MaxInFlight callers get here (semaphore), so a free slot always exists.
        foreach (var slot in _slots)
        {
            if (Interlocked.CompareExchange(ref slot.InUse, 1, 0) == 0)
            {
                return slot;
            }
        }

        throw new InvalidOperationException("no free request slot");
    }

    private async ValueTask<Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { Broken: false } current)
            {
                return current;
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                // A blocking connect on a worker keeps the socket in blocking mode: on Unix a socket that saw one
                // async operation emulates every later synchronous call through the event loop (an extra wake-up
                // per request). The reader's receives are then plain system calls.
                var connect = IPAddress.TryParse(_options.Host, out var ip)
                    ? Task.Run(() => socket.Connect(new IPEndPoint(ip, _options.Port)), CancellationToken.None)
                    : Task.Run(() => socket.Connect(_options.Host, _options.Port), CancellationToken.None);
                await connect.WaitAsync(_options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                socket.Dispose();
                throw new ModbusException(Endpoint, ModbusErrorKind.Timeout, $"connect timed out after {_options.ConnectTimeout.TotalMilliseconds:0} ms", isTransient: true, e);
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                throw;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new ModbusException(Endpoint, ModbusErrorKind.Connection, $"connect failed: {e.Message}", isTransient: true, e);
            }

            // TCP simultaneous open: connecting on loopback to a port in the ephemeral range where nobody listens can
            // pick that very port as the source port and "connect" to itself. Holding such a socket would keep the
            // real server from binding its port when it comes back, so treat it as the refusal it is.
            if (socket.LocalEndPoint is IPEndPoint local && socket.RemoteEndPoint is IPEndPoint remote && local.Equals(remote))
            {
                socket.Dispose();
                throw new ModbusException(Endpoint, ModbusErrorKind.Connection, "connect failed: connection refused (self-connect on loopback)", isTransient: true);
            }

            var connection = new Connection(socket);
            Interlocked.Increment(ref Connects);
            _connection = connection;
            var reader = new Thread(() => ReadLoop(connection)) { IsBackground = true, Name = $"modbus-tcp {Endpoint}" };
            reader.Start();
            return connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>
    /// The reader runs on its own thread with blocking receives: the kernel wakes it directly when an answer
    /// arrives (no thread-pool hop), and the waiting caller's continuation runs right here, inline, so a sequential
    /// poller costs one wake-up per request, like a C client. Closing the socket ends it.
    /// </summary>
    private void ReadLoop(Connection connection)
    {
        connection.ReaderThreadId = Environment.CurrentManagedThreadId;
        var buffer = new byte[16 * 1024];
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                var n = connection.Socket.Receive(buffer, end, buffer.Length - end, SocketFlags.None);
                if (n == 0)
                {
                    Fail(connection, new ModbusException(Endpoint, ModbusErrorKind.Connection, "the server closed the connection", isTransient: true));
                    return;
                }

                end += n;
                connection.Batching = true;
                try
                {
                    while (MbapFrame.TryReadFrame(buffer.AsSpan(start, end - start), out var header, out var length))
                    {
                        Complete(header, buffer.AsSpan(start + MbapFrame.HeaderLength, header.PduLength));
                        start += length;
                    }
                }
                finally
                {
                    connection.Batching = false;
                    lock (_sendLock)
                    {
                        if (connection.PendingLength > 0)
                        {
                            var pending = connection.PendingLength;
                            connection.PendingLength = 0;
                            connection.Socket.Send(connection.Pending, 0, pending, SocketFlags.None);
                        }
                    }
                }

                if (start == end)
                {
                    start = end = 0;
                }
                else if (buffer.Length - end < ModbusLimits.MaxTcpAduLength)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
            }
        }
        catch (ModbusException e)
        {
            Fail(connection, new ModbusException(Endpoint, e.Kind, $"received bytes that are not Modbus TCP ({e.Detail}); connection closed", isTransient: true, e) { ByteOffset = e.ByteOffset });
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Fail(connection, new ModbusException(Endpoint, ModbusErrorKind.Connection, $"connection lost: {e.Message}", isTransient: true, e));
        }
        finally
        {
            connection.ReaderDone.TrySetResult();
        }
    }

    private void Complete(MbapHeader header, ReadOnlySpan<byte> pdu)
    {
        foreach (var slot in _slots)
        {
            if (slot.TryComplete(header, pdu))
            {
                return;
            }
        }

        Interlocked.Increment(ref StaleResponses);
    }

    private void Fail(Connection connection, ModbusException error)
    {
        connection.Broken = true;
        Interlocked.CompareExchange(ref _connection, null, connection);
        connection.Close();
        foreach (var slot in _slots)
        {
            slot.TryFail(connection, error);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        if (_connection is { } c)
        {
            Fail(c, new ModbusException(Endpoint, ModbusErrorKind.Connection, "transport disposed", isTransient: false));
            await c.ReaderDone.Task.ConfigureAwait(false);
        }

        foreach (var slot in _slots)
        {
            slot.Dispose();
        }
    }

    private sealed class Connection(Socket socket)
    {
        public Socket Socket { get; } = socket;
        public CancellationTokenSource Closed { get; } = new();
        public TaskCompletionSource ReaderDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public volatile bool Broken;

        /// <summary>True while the reader completes a batch of answers (requests sent inline are queued in <see cref="Pending"/>).</summary>
        public bool Batching;

        public int ReaderThreadId;

        public byte[] Pending { get; } = new byte[16 * ModbusLimits.MaxTcpAduLength];

        public int PendingLength;

        public void Close()
        {
            try
            {
                Closed.Cancel();
                Socket.Dispose();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>
    /// One outstanding request, reused: its completion source is pooled so a request allocates nothing.
    /// State 1 = waiting; the first of response, timeout, caller cancellation or connection failure to move it
    /// to 2 completes it. Continuations run inline on the reader (the caller decodes and may send the next request
    /// before the reader reads on), which is what makes sequential polling fast.
    /// </summary>
    private sealed class Slot : IValueTaskSource<int>, IDisposable
    {
        private readonly ModbusTcpTransport _owner;
        private ManualResetValueTaskSourceCore<int> _core;
        private CancellationTokenRegistration _cancellation;
        private Memory<byte> _response;
        private Connection? _connection;
        private int _state;
        private long _deadline;
        private ushort _tid;
        private byte _unit;
        public int InUse;

        public Slot(ModbusTcpTransport owner)
        {
            _owner = owner;
            _core.RunContinuationsAsynchronously = false;
        }

        public byte[] Send { get; } = new byte[ModbusLimits.MaxTcpAduLength];

        public ValueTask<int> Task => new(this, _core.Version);

        public void Begin(Connection connection, ushort tid, byte unit, Memory<byte> response, TimeSpan timeout, CancellationToken cancellationToken)
        {
            _core.Reset();
            _connection = connection;
            _tid = tid;
            _unit = unit;
            _response = response;
            _deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            Volatile.Write(ref _state, 1);
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static (s, ct) => ((Slot)s!).TrySetException(new OperationCanceledException(ct)), this);
            }
        }

        public void End()
        {
            _cancellation.Dispose();
            _cancellation = default;
            Volatile.Write(ref _state, 0);
            _connection = null;
            _response = default;
            Volatile.Write(ref InUse, 0);
        }

        public bool TryComplete(MbapHeader header, ReadOnlySpan<byte> pdu)
        {
            if (Volatile.Read(ref _state) != 1 || header.TransactionId != _tid)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
            {
                return false;
            }

            if (header.UnitId != _unit)
            {
                _core.SetException(new ModbusException(_owner.Endpoint, ModbusErrorKind.UnexpectedResponse, $"expected unit {_unit} in the answer, found {header.UnitId}", isTransient: true));
                return true;
            }

            pdu.CopyTo(_response.Span);
            _core.SetResult(pdu.Length);
            return true;
        }

        public void TryFail(Connection connection, ModbusException error)
        {
            if (ReferenceEquals(connection, _connection))
            {
                TrySetException(error);
            }
        }

        /// <summary>Called by the transport's sweeper: times the request out once its deadline has passed.</summary>
        public void CheckDeadline(long now)
        {
            if (Volatile.Read(ref _state) == 1 && now >= Volatile.Read(ref _deadline))
            {
                TrySetException(new ModbusException(_owner.Endpoint, ModbusErrorKind.Timeout,
                    $"no response within {_owner._options.Timeout.TotalMilliseconds:0} ms", isTransient: true,
                    new TimeoutException($"Modbus request to {_owner.Endpoint} timed out")));
            }
        }

        private void TrySetException(Exception error)
        {
            if (Interlocked.CompareExchange(ref _state, 2, 1) == 1)
            {
                _core.SetException(error);
            }
        }

        public int GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        public void Dispose()
        {
        }
    }
}
