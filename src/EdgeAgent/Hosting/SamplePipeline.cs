using System.Buffers;
using System.Threading.Channels;
using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// The TagBus: sources write batches into one bounded channel; a single router task fans every sample out to the
/// consumers subscribed to its tag and every batch to the sinks.
/// Full-policy of the channel: the newest batch is refused (DropWrite), counted in
/// <c>edgeagent_dropped_total{queue="samples"}</c> and reported to the writing source — sources never block on a slow
/// pipeline, and a drop is never silent.
/// </summary>
public sealed class SamplePipeline
{
    private readonly Channel<SampleBatch> _channel;
    private readonly TagDirectory _directory;
    private readonly ISampleConsumer[][] _consumers;
    private readonly ISink[] _sinks;
    private readonly FaultGate[][] _consumerGates;
    private readonly FaultGate[] _sinkGates;
    private readonly object _publishGate = new();
    private readonly AgentMetrics.Counter _dropped;
    private readonly AgentMetrics.Counter[] _samplesBySource;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    // The router's liveness stamp: the agent clock's timestamp when the batch being routed was taken, 0 while it waits
    // for work. A consumer or sink that blocks the router shows as a stamp that ages (see BusyFor).
    private long _routing;

    public SamplePipeline(
        TagDirectory directory,
        IReadOnlyList<(int TagId, ISampleConsumer Consumer)> consumers,
        IReadOnlyList<ISink> sinks,
        int capacity,
        AgentMetrics metrics,
        ILogger logger,
        TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _directory = directory;
        _sinks = sinks.ToArray();
        _logger = logger;
        _dropped = metrics.DroppedTotal("samples");
        _samplesBySource = directory.Sources.Select(metrics.SamplesTotal).ToArray();
        var lists = new List<ISampleConsumer>[directory.Count];
        foreach (var (tagId, consumer) in consumers)
        {
            (lists[tagId] ??= new List<ISampleConsumer>()).Add(consumer);
        }

        _consumers = lists.Select(l => l?.ToArray() ?? []).ToArray();

        // One gate per consumer instance (a consumer subscribed to many tags fails and recovers as one).
        var gates = new Dictionary<ISampleConsumer, FaultGate>(ReferenceEqualityComparer.Instance);
        _consumerGates = _consumers
            .Select(row => row.Select(consumer => gates.TryGetValue(consumer, out var gate)
                ? gate
                : gates[consumer] = new FaultGate("consumer", consumer.GetType().Name, metrics, logger)).ToArray())
            .ToArray();
        _sinkGates = _sinks.Select(sink => new FaultGate("sink", sink.Name, metrics, logger)).ToArray();
        _channel = Channel.CreateBounded<SampleBatch>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of waiting: we drop the newest and count it.
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
    }

    public TagDirectory Directory => _directory;

    /// <summary>Samples routed since start (all sources).</summary>
    public long Routed { get; private set; }

    /// <summary>
    /// How long the router has been inside the batch it is routing; zero while it waits for work. This is what tells a
    /// router that is slow or wedged in a consumer or sink from one that is idle because no source is producing.
    /// </summary>
    public TimeSpan BusyFor => Volatile.Read(ref _routing) is var started and not 0 ? _time.GetElapsedTime(started) : TimeSpan.Zero;

    /// <summary>The agent's clock (source state events are stamped with it).</summary>
    public TimeProvider Time => _time;

    /// <summary>Creates the writer a source is given. <paramref name="sourceIndex"/> indexes <see cref="TagDirectory.Sources"/>.</summary>
    public SourceWriter CreateWriter(int sourceIndex, AgentMetrics metrics, Action<SourceStateEvent>? onStateChange = null) =>
        new(this, sourceIndex, _directory.Sources[sourceIndex], metrics, _logger, _time, onStateChange);

    internal bool TryEnqueue(ReadOnlySpan<Sample> samples, int sourceIndex)
    {
        if (samples.IsEmpty)
        {
            return true;
        }

        var items = ArrayPool<Sample>.Shared.Rent(samples.Length);
        samples.CopyTo(items);
        if (_channel.Writer.TryWrite(new SampleBatch(items, samples.Length, sourceIndex)))
        {
            return true;
        }

        ArrayPool<Sample>.Shared.Return(items);
        _dropped.Add(samples.Length);
        return false;
    }

    /// <summary>No more writes; the router drains what is queued and returns.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>Hands an event to every sink (called by SPC, alarms, equipment state, source state).</summary>
    public void Publish(AgentEvent agentEvent)
    {
        for (var s = 0; s < _sinks.Length; s++)
        {
            try
            {
                _sinks[s].OnEvent(agentEvent);
                Succeeded(_sinkGates[s]);
            }
            catch (Exception ex)
            {
                lock (_publishGate)
                {
                    _sinkGates[s].Failed(ex, $"to take a {agentEvent.GetType().Name}");
                }
            }
        }
    }

    /// <summary>Events come from several threads (components, source state); the gate's bookkeeping is serialised.</summary>
    private void Succeeded(FaultGate gate)
    {
        if (gate.Failing)
        {
            lock (_publishGate)
            {
                gate.Succeeded();
            }
        }
    }

    /// <summary>The router loop: runs until <see cref="Complete"/> and the queue is drained.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var batch))
            {
                Route(batch);
            }
        }
    }

    /// <summary>Routes whatever is queued, synchronously, on the caller's thread (benchmarks; the agent uses <see cref="RunAsync"/>).</summary>
    public int DrainForBenchmark()
    {
        var n = 0;
        while (_channel.Reader.TryRead(out var batch))
        {
            Route(batch);
            n++;
        }

        return n;
    }

    /// <summary>Routes one batch synchronously (the router loop's body; public for benchmarks and tests).</summary>
    public void Route(SampleBatch batch)
    {
        Volatile.Write(ref _routing, Math.Max(_time.GetTimestamp(), 1));
        try
        {
            var span = batch.Span;
            for (var i = 0; i < span.Length; i++)
            {
                ref readonly var sample = ref span[i];
                if ((uint)sample.TagId >= (uint)_consumers.Length)
                {
                    continue;
                }

                _directory.Update(sample);
                var consumers = _consumers[sample.TagId];
                var gates = _consumerGates[sample.TagId];
                for (var c = 0; c < consumers.Length; c++)
                {
                    try
                    {
                        consumers[c].OnSample(sample);
                        if (gates[c].Failing)
                        {
                            gates[c].Succeeded();
                        }
                    }
                    catch (Exception ex)
                    {
                        gates[c].Failed(ex, "on a sample");
                    }
                }
            }

            for (var s = 0; s < _sinks.Length; s++)
            {
                try
                {
                    _sinks[s].OnSamples(span);
                    Succeeded(_sinkGates[s]);
                }
                catch (Exception ex)
                {
                    lock (_publishGate)
                    {
                        _sinkGates[s].Failed(ex, "to take samples");
                    }
                }
            }

            Routed += span.Length;
            if ((uint)batch.SourceIndex < (uint)_samplesBySource.Length)
            {
                _samplesBySource[batch.SourceIndex].Add(span.Length);
            }
        }
        finally
        {
            Volatile.Write(ref _routing, 0);
            ArrayPool<Sample>.Shared.Return(batch.Items);
        }
    }
}
