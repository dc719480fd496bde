using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeAgent.Pipeline;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Outputs.Mqtt.Outbox;

/// <summary>
/// The durable outbox: SQLite in WAL mode, one writer task that commits what producers queued in batched transactions
/// (one transaction — one fsync with <c>sync: full</c> — per batch, however many messages it holds), and a reader
/// connection the MQTT sender pages through in id order. A message is sent only after its transaction committed, and
/// deleted only after the broker acknowledged it, so a crash or <c>kill -9</c> at any point leaves every
/// unacknowledged message in the file; the next start resumes after the lowest id still present.
/// <code>
///   producers ──TryEnqueue──▶ memory queue ──writer task: INSERT … COMMIT──▶ outbox.db ──Read(after id)──▶ sender
///                                              ▲ DELETE id ≤ acknowledged ◀──────────── Acknowledge(id) ◀─┘
/// </code>
/// </summary>
public sealed partial class SqliteOutbox : IMessageStore
{
    private const int MaxBatch = 16_384;
    private const int SqliteFull = 13;

    private readonly OutboxOptions _options;
    private readonly ILogger _logger;
    private readonly SqliteConnection _write;
    private readonly SqliteConnection _read;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _select;
    private readonly ConcurrentQueue<OutboxMessage> _incoming = new();
    private readonly Channel<byte> _kick = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<byte> _committedSignal = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<long, string> _topicNames = new();
    private readonly Dictionary<string, long> _topicIds = new(StringComparer.Ordinal);
    private readonly List<OutboxMessage> _retry = new();
    private readonly List<string> _newTopics = new();
    private readonly AgentMetrics.Counter _pendingGauge;
    private readonly AgentMetrics.Counter _dropped;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private readonly TimeProvider _time;
    private int _incomingCount;
    private long _enqueued;
    private long _processed;
    private long _nextId;
    private long _committedThrough;
    private long _ackedThrough;
    private long _deletedThrough;
    private long _count;
    private long _bytes;
    private long _nextAgeCheck;
    private bool _diskFull;
    private bool _disposed;

    private SqliteOutbox(OutboxOptions options, string path, AgentMetrics metrics, ILogger logger, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        _time = time;
        FilePath = path;
        _pendingGauge = metrics.Gauge("edgeagent_outbox_pending");
        _dropped = metrics.DroppedTotal("outbox");
        var connection = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
        _write = new SqliteConnection(connection);
        _write.Open();
        Exec(_write, "PRAGMA journal_mode=WAL;");
        Exec(_write, options.FullSync ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
        Exec(_write, "PRAGMA busy_timeout=5000;");
        if (options.MaxPageCount is { } pages)
        {
            Exec(_write, $"PRAGMA max_page_count={pages};");
        }

        Exec(_write, """
            CREATE TABLE IF NOT EXISTS messages(
              id INTEGER PRIMARY KEY,
              class INTEGER NOT NULL,
              topic INTEGER NOT NULL,
              payload BLOB NOT NULL,
              retain INTEGER NOT NULL,
              ticks INTEGER NOT NULL,
              sparkplug INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS topics(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
            """);
        using (var topics = _write.CreateCommand())
        {
            topics.CommandText = "SELECT id, name FROM topics";
            using var r = topics.ExecuteReader();
            while (r.Read())
            {
                _topicNames[r.GetInt64(0)] = r.GetString(1);
                _topicIds[r.GetString(1)] = r.GetInt64(0);
            }
        }

        using (var stats = _write.CreateCommand())
        {
            stats.CommandText = $"SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0), COUNT(*), COALESCE(SUM(length(payload)), 0) + COUNT(*) * {OutboxMessage.RowOverhead} FROM messages";
            using var r = stats.ExecuteReader();
            r.Read();
            var min = r.GetInt64(0);
            var max = r.GetInt64(1);
            _count = r.GetInt64(2);
            _bytes = r.GetInt64(3);
            _nextId = max + 1;
            _ackedThrough = _count == 0 ? max : min - 1;
            _deletedThrough = _ackedThrough;
            _committedThrough = max;
        }

        RecoveredOnOpen = _count;
        _insert = _write.CreateCommand();
        _insert.CommandText = "INSERT INTO messages(id, class, topic, payload, retain, ticks, sparkplug) VALUES ($id, $class, $topic, $payload, $retain, $ticks, $sp)";
        foreach (var name in (ReadOnlySpan<string>)["$id", "$class", "$topic", "$payload", "$retain", "$ticks", "$sp"])
        {
            _insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        _read = new SqliteConnection(connection);
        _read.Open();
        Exec(_read, "PRAGMA busy_timeout=5000;");
        _select = _read.CreateCommand();
        _select.CommandText = "SELECT id, class, topic, payload, retain, ticks, sparkplug FROM messages WHERE id > $after ORDER BY id LIMIT $max";
        _select.Parameters.Add(new SqliteParameter { ParameterName = "$after" });
        _select.Parameters.Add(new SqliteParameter { ParameterName = "$max" });
        UpdateGauge();
        _writer = Task.Run(WriterLoopAsync);
    }

    /// <summary>Opens (or creates) the outbox file; messages left by a previous run are delivered first.</summary>
    public static SqliteOutbox Open(OutboxOptions options, string path, AgentMetrics metrics, ILogger logger, TimeProvider? time = null)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        try
        {
            var outbox = new SqliteOutbox(options, path, metrics, logger, time ?? TimeProvider.System);
            if (outbox.RecoveredOnOpen > 0)
            {
                LogRecovered(logger, outbox.RecoveredOnOpen, path);
            }

            return outbox;
        }
        catch (SqliteException ex)
        {
            throw new OutboxException(path, $"cannot open the outbox database: {ex.Message}", ex);
        }
    }

    public string FilePath { get; }

    /// <summary>Unacknowledged messages found in the file when it was opened (left by a previous run or a crash).</summary>
    public long RecoveredOnOpen { get; }

    public long AcknowledgedThrough => Volatile.Read(ref _ackedThrough);

    public long Pending => Volatile.Read(ref _count) + Volatile.Read(ref _incomingCount);

    /// <summary>Highest id committed to the file.</summary>
    public long CommittedThrough => Volatile.Read(ref _committedThrough);

    /// <summary>True while the last write failed for lack of space (alarms then wait in memory).</summary>
    public bool DiskFull => Volatile.Read(ref _diskFull);

    public bool TryEnqueue(OutboxMessage message)
    {
        if (message.Class != MessageClass.Alarm && Volatile.Read(ref _incomingCount) >= _options.MemoryCapacity)
        {
            _dropped.Inc();
            return false;
        }

        Interlocked.Increment(ref _incomingCount);
        Interlocked.Increment(ref _enqueued);
        _incoming.Enqueue(message);
        _kick.Writer.TryWrite(0);
        return true;
    }

    public int Read(long afterId, List<OutboxMessage> into, int max)
    {
        if (afterId >= Volatile.Read(ref _committedThrough))
        {
            return 0;
        }

        _select.Parameters[0].Value = afterId;
        _select.Parameters[1].Value = max;
        var n = 0;
        using var r = _select.ExecuteReader();
        while (r.Read())
        {
            var topicId = r.GetInt64(2);
            var topic = _topicNames.TryGetValue(topicId, out var t) ? t : string.Empty;
            var message = new OutboxMessage((MessageClass)r.GetByte(1), topic, r.GetFieldValue<byte[]>(3), r.GetBoolean(4), r.GetInt64(5), r.GetBoolean(6))
            {
                Id = r.GetInt64(0),
            };
            into.Add(message);
            n++;
        }

        return n;
    }

    public async ValueTask WaitAsync(long afterId, CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _committedThrough) <= afterId)
        {
            await _committedSignal.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            _committedSignal.Reader.TryRead(out _);
        }
    }

    public void Acknowledge(long throughId)
    {
        long current;
        do
        {
            current = Volatile.Read(ref _ackedThrough);
            if (throughId <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _ackedThrough, throughId, current) != current);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Volatile.Read(ref _enqueued);
        while (Volatile.Read(ref _processed) < target)
        {
            _kick.Writer.TryWrite(0);
            await _committedSignal.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            _committedSignal.Reader.TryRead(out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        _kick.Writer.TryWrite(0);
        await _writer.ConfigureAwait(false);
        _insert.Dispose();
        _select.Dispose();
        _read.Dispose();
        _write.Dispose();
        _stop.Dispose();
    }

    // ---- writer task ---------------------------------------------------------------------------------------

    private async Task WriterLoopAsync()
    {
        var batch = new List<OutboxMessage>(1024);
        var stopping = false;
        while (true)
        {
            if (!stopping)
            {
                try
                {
                    // Acknowledgements do not kick the writer (each would cost a commit); they are applied with the
                    // next batch or at the latest after this timeout.
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    timeout.CancelAfter(TimeSpan.FromMilliseconds(200));
                    await _kick.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    stopping = _stop.IsCancellationRequested;
                }

                _kick.Reader.TryRead(out _);
            }

            batch.Clear();
            batch.AddRange(_retry);
            _retry.Clear();
            while (batch.Count < MaxBatch && _incoming.TryDequeue(out var m))
            {
                batch.Add(m);
            }

            try
            {
                WriteBatch(batch);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogWriteFailed(_logger, FilePath, ex);
                _retry.AddRange(batch);
            }

            UpdateGauge();
            _committedSignal.Writer.TryWrite(0);
            if (stopping && _incoming.IsEmpty)
            {
                if (_retry.Count > 0)
                {
                    LogLostOnStop(_logger, _retry.Count, FilePath);
                }

                return;
            }

            if (_retry.Count > 0 && !stopping)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    stopping = true;
                }
            }
        }
    }

    /// <summary>One transaction: the new messages, the deletion of acknowledged ones, and the bounds.</summary>
    private void WriteBatch(List<OutboxMessage> batch)
    {
        var ack = Volatile.Read(ref _ackedThrough);
        var now = _time.GetUtcNow().UtcTicks;
        var ageDue = now >= _nextAgeCheck;
        if (batch.Count == 0 && ack <= _deletedThrough && !ageDue)
        {
            return;
        }

        try
        {
            Commit(batch, ack, ageDue, now);
            if (_diskFull)
            {
                _diskFull = false;
                LogDiskOk(_logger, FilePath);
            }
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteFull)
        {
            // Out of space: make room by dropping the oldest data in the file and the data of this batch, keep
            // everything else (alarms above all) and try again; what still does not fit waits in memory.
            if (!_diskFull)
            {
                _diskFull = true;
                LogDiskFull(_logger, FilePath, Pending);
            }

            var droppedHere = batch.RemoveAll(m => m.Class == MessageClass.Data);
            _dropped.Add(droppedHere);
            Account(droppedHere);
            try
            {
                using (var tx = _write.BeginTransaction())
                {
                    DropOldest(tx, Math.Max(1000, _count / 10));
                    tx.Commit();
                }

                Commit(batch, ack, ageDue: false, now);
            }
            catch (SqliteException again) when (again.SqliteErrorCode == SqliteFull)
            {
                _retry.AddRange(batch);
            }
        }
    }

    private void Commit(List<OutboxMessage> batch, long ack, bool ageDue, long now)
    {
        var firstId = _nextId;
        long added = 0;
        long addedBytes = 0;
        _newTopics.Clear();
        using (var tx = _write.BeginTransaction())
        {
            try
            {
                InsertAndDelete(tx, batch, ack, firstId, out added, out addedBytes);
            }
            catch
            {
                // The transaction rolls back: forget topic ids that were never committed.
                foreach (var topic in _newTopics)
                {
                    if (_topicIds.Remove(topic, out var gone))
                    {
                        _topicNames.TryRemove(gone, out _);
                    }
                }

                throw;
            }
        }

        // Ids become visible to the reader only now that they are durable.
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Id = firstId + i;
        }

        if (batch.Count > 0)
        {
            Volatile.Write(ref _committedThrough, _nextId - 1);
        }

        Account(batch.Count);
        EnforceBounds(ageDue, now);
    }

    private void InsertAndDelete(SqliteTransaction tx, List<OutboxMessage> batch, long ack, long firstId, out long added, out long addedBytes)
    {
        added = 0;
        addedBytes = 0;
        {
            _insert.Transaction = tx;
            var id = firstId;
            foreach (var m in batch)
            {
                _insert.Parameters[0].Value = id;
                _insert.Parameters[1].Value = (int)m.Class;
                _insert.Parameters[2].Value = TopicId(tx, m.Topic);
                _insert.Parameters[3].Value = m.Payload;
                _insert.Parameters[4].Value = m.Retain;
                _insert.Parameters[5].Value = m.Ticks;
                _insert.Parameters[6].Value = m.Sparkplug;
                _insert.ExecuteNonQuery();
                id++;
                added++;
                addedBytes += m.Size;
            }

            long removed = 0;
            long removedBytes = 0;
            if (ack > _deletedThrough)
            {
                (removed, removedBytes) = DeleteRange(tx, ack);
            }

            tx.Commit();
            _nextId = id;
            _count += added - removed;
            _bytes += addedBytes - removedBytes;
            if (ack > _deletedThrough)
            {
                _deletedThrough = ack;
            }
        }
    }

    private void Account(int processed)
    {
        Interlocked.Add(ref _incomingCount, -processed);
        Interlocked.Add(ref _processed, processed);
    }

    private (long Rows, long Bytes) DeleteRange(SqliteTransaction tx, long throughId)
    {
        using var stats = _write.CreateCommand();
        stats.Transaction = tx;
        stats.CommandText = $"SELECT COUNT(*), COALESCE(SUM(length(payload)), 0) + COUNT(*) * {OutboxMessage.RowOverhead} FROM messages WHERE id > $from AND id <= $to";
        stats.Parameters.AddWithValue("$from", _deletedThrough);
        stats.Parameters.AddWithValue("$to", throughId);
        long rows;
        long bytes;
        using (var r = stats.ExecuteReader())
        {
            r.Read();
            rows = r.GetInt64(0);
            bytes = r.GetInt64(1);
        }

        using var delete = _write.CreateCommand();
        delete.Transaction = tx;
        delete.CommandText = "DELETE FROM messages WHERE id <= $to";
        delete.Parameters.AddWithValue("$to", throughId);
        delete.ExecuteNonQuery();
        return (rows, bytes);
    }

    private long TopicId(SqliteTransaction tx, string topic)
    {
        if (_topicIds.TryGetValue(topic, out var id))
        {
            return id;
        }

        using var cmd = _write.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO topics(name) VALUES ($name) RETURNING id";
        cmd.Parameters.AddWithValue("$name", topic);
        id = (long)cmd.ExecuteScalar()!;
        _newTopics.Add(topic);
        _topicIds[topic] = id;
        _topicNames[id] = topic;
        return id;
    }

    /// <summary>Applies maxMessages / maxBytes (oldest data first, then SPC, then status) and maxAge (not alarms).</summary>
    private void EnforceBounds(bool ageDue, long now)
    {
        var overCount = _count - _options.MaxMessages;
        var overBytes = _bytes - _options.MaxBytes;
        if (overCount > 0 || overBytes > 0)
        {
            var average = _count > 0 ? Math.Max(1, _bytes / _count) : 1;
            var excess = Math.Max(overCount, overBytes > 0 ? (overBytes + average - 1) / average : 0);

            // Make a little room at once (1 % of the bound) so a full outbox does not cost a DELETE per batch.
            excess += Math.Max(1, _options.MaxMessages / 100);
            using var tx = _write.BeginTransaction();
            var dropped = DropOldest(tx, excess);
            tx.Commit();
            if (dropped > 0)
            {
                LogBoundReached(_logger, dropped, _count, _bytes);
            }
        }

        if (ageDue)
        {
            _nextAgeCheck = now + TimeSpan.FromSeconds(5).Ticks;
            DropExpired(now - _options.MaxAge.Ticks);
        }
    }

    /// <summary>Deletes up to <paramref name="n"/> messages, oldest first, data before SPC before status; never alarms.</summary>
    private long DropOldest(SqliteTransaction tx, long n)
    {
        long total = 0;
        foreach (var cls in (ReadOnlySpan<MessageClass>)[MessageClass.Data, MessageClass.Spc, MessageClass.Status])
        {
            if (total >= n)
            {
                break;
            }

            using var cmd = _write.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE class = $c AND id > $acked ORDER BY id LIMIT $n) RETURNING length(payload)";
            cmd.Parameters.AddWithValue("$c", (int)cls);
            cmd.Parameters.AddWithValue("$acked", _deletedThrough);
            cmd.Parameters.AddWithValue("$n", n - total);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                total++;
                _count--;
                _bytes -= r.GetInt64(0) + OutboxMessage.RowOverhead;
            }
        }

        _dropped.Add(total);
        return total;
    }

    private void DropExpired(long cutoffTicks)
    {
        // Ticks grow with ids, so the oldest non-alarm message tells whether anything expired at all (no table scan).
        using (var probe = _write.CreateCommand())
        {
            probe.CommandText = "SELECT ticks FROM messages WHERE class < 3 ORDER BY id LIMIT 1";
            if (probe.ExecuteScalar() is not long oldest || oldest >= cutoffTicks)
            {
                return;
            }
        }

        using var tx = _write.BeginTransaction();
        using var cmd = _write.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE class < 3 AND ticks < $cut ORDER BY id LIMIT 100000) RETURNING length(payload)";
        cmd.Parameters.AddWithValue("$cut", cutoffTicks);
        long dropped = 0;
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                dropped++;
                _count--;
                _bytes -= r.GetInt64(0) + OutboxMessage.RowOverhead;
            }
        }

        tx.Commit();
        if (dropped > 0)
        {
            _dropped.Add(dropped);
            LogExpired(_logger, dropped, _options.MaxAge.ToString());
        }
    }

    private void UpdateGauge() => _pendingGauge.Set(Pending);

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [LoggerMessage(EventId = 330, Level = LogLevel.Information, Message = "Outbox {Path}: {Count} unacknowledged messages from the previous run will be delivered first")]
    private static partial void LogRecovered(ILogger logger, long count, string path);

    [LoggerMessage(EventId = 331, Level = LogLevel.Error, Message = "Outbox {Path}: write failed; messages wait in memory and the write is retried")]
    private static partial void LogWriteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 332, Level = LogLevel.Error, Message = "Outbox {Path}: disk full with {Pending} messages pending; dropping the oldest data, alarms are kept")]
    private static partial void LogDiskFull(ILogger logger, string path, long pending);

    [LoggerMessage(EventId = 333, Level = LogLevel.Information, Message = "Outbox {Path}: writes succeed again")]
    private static partial void LogDiskOk(ILogger logger, string path);

    [LoggerMessage(EventId = 334, Level = LogLevel.Warning, Message = "Outbox bound reached: dropped the {Dropped} oldest non-alarm messages ({Count} messages, {Bytes} bytes kept)")]
    private static partial void LogBoundReached(ILogger logger, long dropped, long count, long bytes);

    [LoggerMessage(EventId = 335, Level = LogLevel.Warning, Message = "Outbox: dropped {Dropped} messages older than maxAge {MaxAge}")]
    private static partial void LogExpired(ILogger logger, long dropped, string maxAge);

    [LoggerMessage(EventId = 336, Level = LogLevel.Error, Message = "Outbox {Path}: {Count} messages could not be written before stopping and are lost")]
    private static partial void LogLostOnStop(ILogger logger, int count, string path);
}

/// <summary>The outbox cannot be used (file not writable, not a database, …): <see cref="Path"/> names the file.</summary>
public sealed class OutboxException : Exception
{
    public OutboxException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        Path = path;
    }

    public string Path { get; }
}
