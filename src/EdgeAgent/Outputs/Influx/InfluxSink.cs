using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Outputs.Influx;

/// <summary>
/// The InfluxDB output. Three stages, so the pipeline never waits for the network:
/// <list type="number">
/// <item><see cref="OnSamples"/> (router thread) copies the samples into a bounded buffer under a short lock and returns;
/// nothing is allocated per sample. Full: the newest samples are dropped and counted. <see cref="OnEvent"/> (any thread)
/// queues SPC points, alarms and equipment states (bounded, same policy).</item>
/// <item>The encoder task swaps the buffer out, writes line protocol (<see cref="LineProtocol"/>) and seals a batch every
/// <c>batchSize</c> points or <c>flushInterval</c>, gzip-compressed, into the <see cref="WriteQueue"/> (memory, then disk).</item>
/// <item>The sender task writes the oldest batch (<see cref="InfluxWriter"/>): accepted → next; 5xx, 429, timeout or no
/// connection → the same batch again after a backoff doubling from 250 ms to <c>retryMax</c>; any other 4xx → the batch
/// is dropped as failed (a wrong token or unknown bucket fails every retry the same way: no retry storm).</item>
/// </list>
/// Counters: <c>edgeagent_influx_points_total{result="written|failed|dropped"}</c>, drops also in
/// <c>edgeagent_dropped_total{queue="influx"}</c>, <c>edgeagent_influx_retries_total</c>, gauge
/// <c>edgeagent_influx_pending_points</c>. One log line per change of state (writing, not writable, refused), not per retry.
/// </summary>
public sealed partial class InfluxSink : ISink, ISinkHealth
{
    private const int EventCapacity = 100_000;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);

    private readonly InfluxOptions _options;
    private readonly ILogger _logger;
    private readonly LineProtocol _protocol;
    private readonly InfluxWriter _writer;
    private readonly WriteQueue _queue;
    private readonly object _bufferGate = new();
    private readonly ConcurrentQueue<AgentEvent> _events = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _encodeStop = new();
    private readonly CancellationTokenSource _sendStop = new();
    private readonly AgentMetrics.Counter _written;
    private readonly AgentMetrics.Counter _failed;
    private readonly AgentMetrics.Counter _droppedPoints;
    private readonly AgentMetrics.Counter _dropped;
    private readonly AgentMetrics.Counter _retries;
    private readonly AgentMetrics.Counter _pending;
    private readonly MemoryStream _gzipBuffer = new();
    private Sample[] _front;
    private Sample[] _back;
    private int _count;
    private int _eventCount;
    private int _signaled;
    private long _lastDropLog;
    private Task? _encoder;
    private Task? _sender;
    private State _state;
    private string? _lastRefusal;
    private int _disposed;

    // The encoder's open batch.
    private readonly LineBuffer _line = new();
    private int _linePoints;
    private long _lineOpened;

    internal InfluxSink(InfluxOptions options, TagDirectory directory, AgentMetrics metrics, ILogger logger, string spillFolder, HttpMessageHandler? handler = null)
    {
        _options = options;
        _logger = logger;
        _protocol = new LineProtocol(directory);
        _writer = new InfluxWriter(options, handler);
        _front = new Sample[options.Buffer];
        _back = new Sample[options.Buffer];
        _written = metrics.Get("edgeagent_influx_points_total", "result", "written");
        _failed = metrics.Get("edgeagent_influx_points_total", "result", "failed");
        _droppedPoints = metrics.Get("edgeagent_influx_points_total", "result", "dropped");
        _dropped = metrics.DroppedTotal("influx");
        _retries = metrics.Get("edgeagent_influx_retries_total", string.Empty, string.Empty);
        _pending = metrics.Gauge("edgeagent_influx_pending_points");
        _queue = new WriteQueue(spillFolder, options.QueueMemory, options.QueueDisk, Drop, (path, ex) => LogSpillFailed(_logger, ex, path));
    }

    private enum State
    {
        Unknown,
        Writing,
        Down,
        Refused,
    }

    public string Name => "influxdb";

    /// <summary>The write URL (bucket or database in its query).</summary>
    public Uri Endpoint => _writer.Endpoint;

    /// <summary>True once the last write was accepted; false while the server is away or refusing.</summary>
    public bool IsWriting => _state == State.Writing;

    /// <summary>Points encoded and waiting to be written (memory and disk).</summary>
    public long PendingPoints => _queue.PendingPoints;

    public long SpilledBytes => _queue.DiskBytes;

    /// <summary>
    /// Null while writing (or before the first write has failed); otherwise the server and why, with what waits for it.
    /// A refused write (4xx) stays not ready until a write is accepted again.
    /// </summary>
    public string? NotReadyReason => _state switch
    {
        State.Down => $"influxdb: cannot write to {Endpoint.GetLeftPart(UriPartial.Path)}; {PendingPoints} points wait ({SpilledBytes} bytes spilled to disk)",
        State.Refused => $"influxdb: {Endpoint.GetLeftPart(UriPartial.Path)} refuses the writes ({_lastRefusal}); {PendingPoints} points wait",
        _ => null,
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var replay = _queue.LoadSpilled();
        if (replay > 0)
        {
            LogReplaying(_logger, replay, _queue.Count, _queue.Folder);
        }

        _pending.Set(_queue.PendingPoints);
        _encoder = Task.Run(() => EncodeLoopAsync(_encodeStop.Token), CancellationToken.None);
        _sender = Task.Run(() => SendLoopAsync(_sendStop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    // ---- taking samples and events (the pipeline's threads) ------------------------------------------------

    /// <summary>Router thread: copies into the buffer and returns. Allocates nothing.</summary>
    public void OnSamples(ReadOnlySpan<Sample> samples)
    {
        int taken, count;
        lock (_bufferGate)
        {
            taken = Math.Min(samples.Length, _front.Length - _count);
            samples[..taken].CopyTo(_front.AsSpan(_count));
            count = _count += taken;
        }

        if (taken < samples.Length)
        {
            Drop(samples.Length - taken);
            LogDropsOncePerMinute();
        }

        if (count >= _options.BatchSize)
        {
            Signal();
        }
    }

    public void OnEvent(AgentEvent agentEvent)
    {
        if (agentEvent is not (SpcPointEvent or AlarmEvent or EquipmentStatusEvent))
        {
            return;
        }

        if (Interlocked.Increment(ref _eventCount) > EventCapacity)
        {
            Interlocked.Decrement(ref _eventCount);
            Drop(1);
            LogDropsOncePerMinute();
            return;
        }

        _events.Enqueue(agentEvent);
    }

    private void Signal()
    {
        if (Interlocked.Exchange(ref _signaled, 1) == 0)
        {
            _signal.Release();
        }
    }

    private void Drop(int points)
    {
        _droppedPoints.Add(points);
        _dropped.Add(points);
    }

    private void LogDropsOncePerMinute()
    {
        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastDropLog);
        if ((last == 0 || Stopwatch.GetElapsedTime(last, now) > TimeSpan.FromMinutes(1)) && Interlocked.CompareExchange(ref _lastDropLog, now, last) == last)
        {
            LogDropping(_logger, _options.Buffer, EventCapacity);
        }
    }

    // ---- encoding (the encoder task) -----------------------------------------------------------------------

    private async Task EncodeLoopAsync(CancellationToken stop)
    {
        while (true)
        {
            var stopping = false;
            try
            {
                await _signal.WaitAsync(_options.FlushInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                stopping = true;
            }

            Volatile.Write(ref _signaled, 0);
            try
            {
                Encode(force: stopping);
            }
            catch (Exception ex)
            {
                LogEncodeFailed(_logger, ex);
            }

            if (stopping)
            {
                return;
            }
        }
    }

    /// <summary>Encodes what was taken since the last call; seals full batches, and the open one when due (or <paramref name="force"/>).</summary>
    internal void Encode(bool force)
    {
        while (_events.TryDequeue(out var e))
        {
            Interlocked.Decrement(ref _eventCount);
            Opened();
            _linePoints += LineProtocol.WriteEvent(_line, e);
            SealIfFull();
        }

        Sample[] full;
        int count;
        lock (_bufferGate)
        {
            full = _front;
            count = _count;
            _front = _back;
            _count = 0;
        }

        _back = full;
        for (var i = 0; i < count; i++)
        {
            Opened();
            _protocol.WriteSample(_line, in full[i]);
            _linePoints++;
            SealIfFull();
        }

        if (_linePoints > 0 && (force || Stopwatch.GetElapsedTime(_lineOpened) >= _options.FlushInterval))
        {
            Seal();
        }
    }

    private void Opened()
    {
        if (_linePoints == 0)
        {
            _lineOpened = Stopwatch.GetTimestamp();
        }
    }

    private void SealIfFull()
    {
        if (_linePoints >= _options.BatchSize)
        {
            Seal();
        }
    }

    private void Seal()
    {
        if (_linePoints == 0 || _line.Length == 0)
        {
            _line.Clear();
            _linePoints = 0;
            return;
        }

        byte[] payload;
        int length;
        if (_options.Gzip)
        {
            _gzipBuffer.SetLength(0);
            using (var gzip = new GZipStream(_gzipBuffer, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(_line.Written);
            }

            length = (int)_gzipBuffer.Length;
            payload = ArrayPool<byte>.Shared.Rent(length);
            _gzipBuffer.GetBuffer().AsSpan(0, length).CopyTo(payload);
        }
        else
        {
            length = _line.Length;
            payload = ArrayPool<byte>.Shared.Rent(length);
            _line.Written.CopyTo(payload);
        }

        _queue.Add(new Batch { Seq = _queue.NextSeq(), Points = _linePoints, Gzip = _options.Gzip, Length = length, Payload = payload });
        _pending.Set(_queue.PendingPoints);
        _line.Clear();
        _linePoints = 0;
    }

    // ---- sending (the sender task) -------------------------------------------------------------------------

    private async Task SendLoopAsync(CancellationToken stop)
    {
        var backoff = FirstBackoff;
        var attempts = 0;
        while (!stop.IsCancellationRequested)
        {
            var batch = await _queue.TakeHeadAsync(stop).ConfigureAwait(false);
            if (batch is null)
            {
                return;
            }

            byte[] body;
            bool rented;
            try
            {
                (body, rented) = WriteQueue.Body(batch);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogSpilledUnreadable(_logger, ex, batch.Path ?? "?", batch.Points);
                _queue.Remove(batch);
                Drop(batch.Points);
                continue;
            }

            try
            {
                await _writer.WriteAsync(body.AsMemory(0, batch.Length), batch.Gzip, stop).ConfigureAwait(false);
                _queue.Remove(batch);
                _written.Add(batch.Points);
                if (_state != State.Writing)
                {
                    LogWriting(_logger, Endpoint.GetLeftPart(UriPartial.Path), _options.Target, attempts, _queue.PendingPoints);
                    _state = State.Writing;
                    _lastRefusal = null;
                }

                backoff = FirstBackoff;
                attempts = 0;
            }
            catch (InfluxWriteException ex) when (!ex.IsTransient)
            {
                _queue.Remove(batch);
                _failed.Add(batch.Points);
                var refusal = $"{(int?)ex.StatusCode} {ex.Reason}";
                if (_state != State.Refused || refusal != _lastRefusal)
                {
                    LogRefused(_logger, ex.Endpoint.GetLeftPart(UriPartial.Path), batch.Points, (int?)ex.StatusCode ?? 0, ex.Reason, Hint(ex.StatusCode));
                    _state = State.Refused;
                    _lastRefusal = refusal;
                }
            }
            catch (InfluxWriteException ex)
            {
                _queue.Return(batch);
                _retries.Inc();
                attempts++;
                if (_state != State.Down)
                {
                    LogDown(_logger, ex.Endpoint.GetLeftPart(UriPartial.Path), ex.StatusCode is { } s ? $"HTTP {(int)s}: {ex.Reason}" : ex.Reason, _queue.Folder, _options.RetryMax.TotalSeconds);
                    _state = State.Down;
                }

                try
                {
                    await Task.Delay(backoff, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.RetryMax.Ticks));
            }
            catch (OperationCanceledException)
            {
                _queue.Return(batch);
                return;
            }
            finally
            {
                if (rented)
                {
                    ArrayPool<byte>.Shared.Return(body);
                }

                _pending.Set(_queue.PendingPoints);
            }
        }
    }

    private string Hint(HttpStatusCode? status) => (status, _options.Version) switch
    {
        (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, 1) => "check user and password of outputs.influxdb",
        (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, _) => "check the token of outputs.influxdb and its write permission on the bucket",
        (HttpStatusCode.NotFound, 1) => "check database and retention of outputs.influxdb: they must exist",
        (HttpStatusCode.NotFound, _) => "check org and bucket of outputs.influxdb: they must exist",
        (HttpStatusCode.RequestEntityTooLarge, _) => "lower batchSize of outputs.influxdb",
        _ => "the server refuses this data; the same request would fail again",
    };

    // ---- stop ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Encodes what is left, gives the sender until <paramref name="cancellationToken"/> to write it while the server
    /// accepts writes, then spills whatever still waits in memory to disk for the next start.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_encoder is null || _sender is null)
        {
            return;
        }

        await _encodeStop.CancelAsync().ConfigureAwait(false);
        await _encoder.ConfigureAwait(false);
        try
        {
            while (_state == State.Writing && _queue.PendingPoints > 0 && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false); // polling the sender's progress, bounded by the caller's deadline
            }
        }
        catch (OperationCanceledException)
        {
        }

        await _sendStop.CancelAsync().ConfigureAwait(false);
        await _sender.ConfigureAwait(false);
        _queue.SpillAll();
        _pending.Set(_queue.PendingPoints);
        if (_queue.PendingPoints > 0)
        {
            LogKept(_logger, _queue.PendingPoints, _queue.Folder);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_encoder is not null && !_encoder.IsCompleted)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await StopAsync(deadline.Token).ConfigureAwait(false);
        }

        _writer.Dispose();
        _line.Dispose();
        _encodeStop.Dispose();
        _sendStop.Dispose();
    }

    [LoggerMessage(EventId = 351, Level = LogLevel.Information, Message = "Writing to InfluxDB {Endpoint} ({Target}) after {FailedAttempts} failed attempts; {Pending} points waiting")]
    private static partial void LogWriting(ILogger logger, string endpoint, string target, int failedAttempts, long pending);

    [LoggerMessage(EventId = 352, Level = LogLevel.Warning, Message = "InfluxDB {Endpoint} takes no writes: {Reason}; batches wait in memory, then in {Folder}, and are retried with a backoff up to {RetryMaxSeconds} s")]
    private static partial void LogDown(ILogger logger, string endpoint, string reason, string folder, double retryMaxSeconds);

    [LoggerMessage(EventId = 353, Level = LogLevel.Error, Message = "InfluxDB {Endpoint} refused a write of {Points} points with HTTP {Status}: {Reason}; {Hint}. Refused batches are dropped (edgeagent_influx_points_total{{result=\"failed\"}}), not retried")]
    private static partial void LogRefused(ILogger logger, string endpoint, int points, int status, string reason, string hint);

    [LoggerMessage(EventId = 354, Level = LogLevel.Error, Message = "Cannot spill an InfluxDB batch to {Path}: its points are dropped")]
    private static partial void LogSpillFailed(ILogger logger, Exception ex, string path);

    [LoggerMessage(EventId = 355, Level = LogLevel.Warning, Message = "InfluxDB output full (buffer of {Buffer} samples, {Events} events): new points are dropped and counted in edgeagent_dropped_total{{queue=\"influx\"}}")]
    private static partial void LogDropping(ILogger logger, int buffer, int events);

    [LoggerMessage(EventId = 356, Level = LogLevel.Information, Message = "Replaying {Points} points in {Batches} batches that an earlier run left in {Folder}")]
    private static partial void LogReplaying(ILogger logger, long points, int batches, string folder);

    [LoggerMessage(EventId = 357, Level = LogLevel.Information, Message = "Stopped with {Points} points not yet written to InfluxDB: kept in {Folder} for the next start")]
    private static partial void LogKept(ILogger logger, long points, string folder);

    [LoggerMessage(EventId = 358, Level = LogLevel.Error, Message = "Cannot read the spilled InfluxDB batch {Path}: its {Points} points are dropped")]
    private static partial void LogSpilledUnreadable(ILogger logger, Exception ex, string path, int points);

    [LoggerMessage(EventId = 359, Level = LogLevel.Error, Message = "Encoding InfluxDB points failed")]
    private static partial void LogEncodeFailed(ILogger logger, Exception ex);
}
