using System.Buffers;
using System.Globalization;

namespace EdgeAgent.Outputs.Influx;

/// <summary>One encoded write request: its body in memory (pooled) or spilled to a file, and how many points it holds.</summary>
internal sealed class Batch
{
    public required long Seq { get; init; }
    public required int Points { get; init; }
    public required bool Gzip { get; init; }
    public required int Length { get; init; }

    /// <summary>The body while in memory (rented; returned when written, dropped or spilled).</summary>
    public byte[]? Payload { get; set; }

    /// <summary>The file the body was spilled to.</summary>
    public string? Path { get; set; }
}

/// <summary>
/// The batches waiting to be written, oldest first, sent in that order. At most <c>queueMemory</c> bytes of bodies wait
/// in memory; a batch beyond that is written to a file in the spill folder (<c>{agent.data}/influx/</c>,
/// <c>{seq}-{points}.lp[.gz]</c>) and read back when its turn comes, so order holds across memory and disk. At most
/// <c>queueDisk</c> bytes wait on disk: beyond that the oldest batch on disk is dropped and its points counted. At stop
/// what is still in memory is spilled too, and the next start replays the folder first: an agent restart during an outage
/// loses nothing within the bounds.
/// <para>One producer (the encoder) adds, one consumer (the sender) takes the head; the head being sent is never dropped.</para>
/// </summary>
internal sealed class WriteQueue
{
    private readonly LinkedList<Batch> _batches = new();
    private readonly object _gate = new();
    private readonly long _maxMemory;
    private readonly long _maxDisk;
    private readonly string _folder;
    private readonly SemaphoreSlim _available = new(0);
    private readonly Action<int> _dropped;
    private readonly Action<string, Exception> _diskFailed;
    private long _memoryBytes;
    private long _diskBytes;
    private long _points;
    private long _nextSeq;
    private Batch? _sending;

    public WriteQueue(string folder, long maxMemory, long maxDisk, Action<int> dropped, Action<string, Exception> diskFailed)
    {
        _folder = folder;
        _maxMemory = maxMemory;
        _maxDisk = maxDisk;
        _dropped = dropped;
        _diskFailed = diskFailed;
        _nextSeq = DateTime.UtcNow.Ticks; // later runs sort after earlier ones' spilled files
    }

    public string Folder => _folder;

    /// <summary>Points waiting (memory and disk).</summary>
    public long PendingPoints => Interlocked.Read(ref _points);

    public long MemoryBytes => Interlocked.Read(ref _memoryBytes);

    public long DiskBytes => Interlocked.Read(ref _diskBytes);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _batches.Count;
            }
        }
    }

    /// <summary>Queues the batches a previous run spilled, oldest first; returns how many points they hold.</summary>
    public long LoadSpilled()
    {
        if (!Directory.Exists(_folder))
        {
            return 0;
        }

        long points = 0;
        foreach (var file in Directory.GetFiles(_folder, "*.lp*").Order(StringComparer.Ordinal))
        {
            var name = System.IO.Path.GetFileName(file);
            var gzip = name.EndsWith(".lp.gz", StringComparison.Ordinal);
            var stem = name[..name.IndexOf(".lp", StringComparison.Ordinal)];
            var dash = stem.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0
                || !long.TryParse(stem.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
                || !int.TryParse(stem.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                continue; // not ours
            }

            var length = new FileInfo(file).Length;
            var batch = new Batch { Seq = seq, Points = count, Gzip = gzip, Length = (int)length, Path = file };
            lock (_gate)
            {
                _batches.AddLast(batch);
                _diskBytes += length;
                _points += count;
                _nextSeq = Math.Max(_nextSeq, seq + 1);
            }

            points += count;
            _available.Release();
        }

        return points;
    }

    /// <summary>A new sequence number (file names sort in queue order).</summary>
    public long NextSeq() => Interlocked.Increment(ref _nextSeq);

    /// <summary>Queues a batch; spills it to disk first when memory is at its bound.</summary>
    public void Add(Batch batch)
    {
        if (batch.Payload is { } payload && Interlocked.Read(ref _memoryBytes) + batch.Length > _maxMemory)
        {
            Spill(batch);
            ArrayPool<byte>.Shared.Return(payload);
            if (batch.Payload is not null)
            {
                // The disk refused it (unwritable, or full with nothing older to drop): it is lost, and counted.
                batch.Payload = null;
                _dropped(batch.Points);
                return;
            }
        }

        lock (_gate)
        {
            _batches.AddLast(batch);
            if (batch.Payload is not null)
            {
                _memoryBytes += batch.Length;
            }

            _points += batch.Points;
        }

        _available.Release();
    }

    /// <summary>Waits for the oldest batch and marks it as being sent; null when cancelled.</summary>
    public async Task<Batch?> TakeHeadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        lock (_gate)
        {
            _sending = _batches.First!.Value;
            return _sending;
        }
    }

    /// <summary>The head was not sent (to be retried): it stays first, and the wait count is given back.</summary>
    public void Return(Batch batch)
    {
        lock (_gate)
        {
            _sending = null;
        }

        _available.Release();
    }

    /// <summary>The head was written or refused for good: forget it (delete its file, return its buffer).</summary>
    public void Remove(Batch batch)
    {
        lock (_gate)
        {
            _sending = null;
            if (!_batches.Remove(batch))
            {
                return;
            }

            Forget(batch);
        }
    }

    /// <summary>Reads a batch's body (from memory, or its spilled file into a rented buffer the caller returns).</summary>
    public static (byte[] Buffer, bool Rented) Body(Batch batch)
    {
        if (batch.Payload is { } payload)
        {
            return (payload, false);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(batch.Length);
        using var file = new FileStream(batch.Path!, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        file.ReadExactly(buffer, 0, batch.Length);
        return (buffer, true);
    }

    /// <summary>At stop: every batch still in memory goes to disk (within its bound), for the next start to replay.</summary>
    public void SpillAll()
    {
        List<Batch> inMemory;
        lock (_gate)
        {
            inMemory = _batches.Where(b => b.Payload is not null).ToList();
        }

        foreach (var batch in inMemory)
        {
            var payload = batch.Payload!;
            Spill(batch);
            lock (_gate)
            {
                if (batch.Payload is null)
                {
                    _memoryBytes -= batch.Length;
                    ArrayPool<byte>.Shared.Return(payload);
                }
            }
        }

        lock (_gate)
        {
            foreach (var batch in _batches.Where(b => b.Payload is not null).ToList())
            {
                _batches.Remove(batch);
                Forget(batch);
                _dropped(batch.Points);
            }
        }
    }

    /// <summary>Writes the body to its file (making room by dropping the oldest spilled batches); sets <see cref="Batch.Path"/> and clears the payload on success.</summary>
    private void Spill(Batch batch)
    {
        lock (_gate)
        {
            // Make room: the oldest batches on disk (never the one being sent) go first.
            for (var node = _batches.First; node is not null && _diskBytes + batch.Length > _maxDisk;)
            {
                var next = node.Next;
                if (node.Value.Path is not null && !ReferenceEquals(node.Value, _sending) && !ReferenceEquals(node.Value, batch))
                {
                    _batches.Remove(node);
                    Forget(node.Value);
                    _dropped(node.Value.Points);
                    _available.Wait(0); // one batch less to wait for
                }

                node = next;
            }

            if (_diskBytes + batch.Length > _maxDisk)
            {
                return;
            }
        }

        var path = System.IO.Path.Combine(_folder, $"{batch.Seq:D20}-{batch.Points}{(batch.Gzip ? ".lp.gz" : ".lp")}");
        try
        {
            Directory.CreateDirectory(_folder);
            var temp = path + ".tmp";
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                file.Write(batch.Payload!, 0, batch.Length);
            }

            File.Move(temp, path, overwrite: true); // a crash mid-write leaves a .tmp, never a torn batch
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _diskFailed(path, ex);
            return;
        }

        lock (_gate)
        {
            batch.Path = path;
            batch.Payload = null;
            _diskBytes += batch.Length;
        }
    }

    /// <summary>Under the gate: the batch leaves the queue.</summary>
    private void Forget(Batch batch)
    {
        _points -= batch.Points;
        if (batch.Payload is { } payload)
        {
            _memoryBytes -= batch.Length;
            ArrayPool<byte>.Shared.Return(payload);
            batch.Payload = null;
        }

        if (batch.Path is { } path)
        {
            _diskBytes -= batch.Length;
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
