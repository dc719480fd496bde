namespace EdgeAgent.Drivers.Simulator;

/// <summary>
/// A source that needs no device: seeded, deterministic signals for demos and tests.
/// Poll n (from 0 at each start) yields every tag's value at simulated time n × poll.
/// </summary>
public sealed class SimulatorSource : ISource
{
    private readonly SimulatorOptions _options;
    private readonly TagBinding[] _tags;
    private readonly SignalOptions[] _signals;
    private readonly Sample[] _batch;
    private readonly TimeProvider _time;
    private long _n;

    public SimulatorSource(string name, SimulatorOptions options, IReadOnlyList<TagBinding> tags, TimeProvider? time = null)
    {
        Name = name;
        _options = options;
        _tags = tags.ToArray();
        _signals = _tags.Select(t => t.Options as SignalOptions ?? new SignalOptions()).ToArray();
        _batch = new Sample[_tags.Length];
        _time = time ?? TimeProvider.System;
    }

    public string Name { get; }

    /// <summary>Polls made since start.</summary>
    public long PollCount => _n;

    public async Task RunAsync(ISampleWriter writer, CancellationToken cancellationToken)
    {
        writer.SetState(SourceState.Up);
        using var timer = new PeriodicTimer(_options.Poll, _time);
        try
        {
            do
            {
                var began = _time.GetTimestamp();
                var batch = Next();
                writer.ObservePoll(_time.GetElapsedTime(began));
                writer.TryWrite(batch);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Computes the next poll's samples (the batch buffer is reused: copy before the next call).</summary>
    public ReadOnlySpan<Sample> Next()
    {
        var ticks = _time.GetUtcNow().UtcTicks;
        var n = _n++;
        for (var i = 0; i < _tags.Length; i++)
        {
            var value = Signal.Value(_signals[i], _options.Seed, i, n, _options.Poll);
            _batch[i] = new Sample(_tags[i].Id, value, Quality.Good, ticks, ticks);
        }

        return _batch;
    }

    public ValueTask<Sample[]> ReadOnceAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Next().ToArray());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
