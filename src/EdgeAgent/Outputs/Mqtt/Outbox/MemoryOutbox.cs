using System.Threading.Channels;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Mqtt.Outbox;

/// <summary>
/// The QoS 1 queue when <c>outbox: off</c>: same delivery semantics as <see cref="SqliteOutbox"/> (in order, resent from
/// the last acknowledgement after a reconnect) but in memory, so a crash loses what was queued. Bounded by
/// <see cref="OutboxOptions.MaxMessages"/>: when full, a new data, SPC or status message is refused and counted in
/// <c>edgeagent_dropped_total{queue="outbox"}</c> (ids must stay contiguous, so the oldest cannot be cut out);
/// alarms are always taken.
/// </summary>
public sealed class MemoryOutbox : IMessageStore
{
    private readonly object _gate = new();
    private readonly long _capacity;
    private readonly AgentMetrics.Counter _pendingGauge;
    private readonly AgentMetrics.Counter _dropped;
    private readonly Channel<byte> _signal = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private OutboxMessage[] _ring = new OutboxMessage[1024];
    private int _head;
    private int _count;
    private long _headId = 1;
    private long _ackedThrough;

    public MemoryOutbox(long capacity, AgentMetrics metrics)
    {
        _capacity = capacity;
        _pendingGauge = metrics.Gauge("edgeagent_outbox_pending");
        _dropped = metrics.DroppedTotal("outbox");
    }

    public long AcknowledgedThrough => Volatile.Read(ref _ackedThrough);

    public long CommittedThrough
    {
        get
        {
            lock (_gate)
            {
                return _headId + _count - 1;
            }
        }
    }

    public long Pending
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public bool TryEnqueue(OutboxMessage message)
    {
        lock (_gate)
        {
            if (_count >= _capacity && message.Class != MessageClass.Alarm)
            {
                _dropped.Inc();
                return false;
            }

            if (_count == _ring.Length)
            {
                var bigger = new OutboxMessage[_ring.Length * 2];
                for (var i = 0; i < _count; i++)
                {
                    bigger[i] = _ring[(_head + i) % _ring.Length];
                }

                _ring = bigger;
                _head = 0;
            }

            message.Id = _headId + _count;
            _ring[(_head + _count) % _ring.Length] = message;
            _count++;
            _pendingGauge.Set(_count);
        }

        _signal.Writer.TryWrite(0);
        return true;
    }

    public int Read(long afterId, List<OutboxMessage> into, int max)
    {
        lock (_gate)
        {
            var start = Math.Max(0, afterId + 1 - _headId);
            var n = 0;
            for (var i = start; i < _count && n < max; i++, n++)
            {
                into.Add(_ring[(_head + (int)i) % _ring.Length]);
            }

            return n;
        }
    }

    public async ValueTask WaitAsync(long afterId, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_headId + _count - 1 > afterId)
                {
                    return;
                }
            }

            await _signal.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            _signal.Reader.TryRead(out _);
        }
    }

    public void Acknowledge(long throughId)
    {
        lock (_gate)
        {
            while (_count > 0 && _headId <= throughId)
            {
                _ring[_head] = null!;
                _head = (_head + 1) % _ring.Length;
                _headId++;
                _count--;
            }

            if (throughId > _ackedThrough)
            {
                _ackedThrough = throughId;
            }

            _pendingGauge.Set(_count);
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
