using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Drivers.Modbus;

/// <summary>
/// A Modbus source: polls its tags with the fewest requests (see <see cref="ModbusRequestPlanner"/>), decodes them
/// and writes one batch of samples per poll. A device that does not answer makes every tag Bad and the source Down
/// with the reason (one log line per change of state, retries with backoff in between); a block the device refuses
/// (illegal address …) is split into one request per tag, so only the tags at bad addresses stay Bad.
/// </summary>
public sealed partial class ModbusSource : ISource
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly ModbusSourceOptions _options;
    private readonly ModbusClient _client;
    private readonly bool _ownsClient;
    private readonly TagBinding[] _tags;
    private readonly ModbusTagOptions[] _tagOptions;
    private readonly Sample[] _batch;
    private readonly string?[] _errors;
    private readonly bool[] _refused;
    private readonly byte[] _data = new byte[ModbusLimits.MaxPduLength];
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private List<ReadBlock> _plan;
    private SourceState _state = SourceState.Starting;

    public ModbusSource(string name, ModbusSourceOptions options, IReadOnlyList<TagBinding> tags, ILogger? logger = null, TimeProvider? time = null)
        : this(name, options, new ModbusClient(options.CreateTransport(), new ModbusClientOptions { Retries = options.Retries }), tags, logger, time)
    {
        _ownsClient = true;
    }

    /// <summary>A source over an existing client (e.g. several sources sharing one RTU bus).</summary>
    public ModbusSource(string name, ModbusSourceOptions options, ModbusClient client, IReadOnlyList<TagBinding> tags, ILogger? logger = null, TimeProvider? time = null)
    {
        Name = name;
        _options = options;
        _client = client;
        _tags = tags.ToArray();
        _tagOptions = new ModbusTagOptions[_tags.Length];
        for (var i = 0; i < _tags.Length; i++)
        {
            _tagOptions[i] = _tags[i].Options as ModbusTagOptions
                ?? throw new ArgumentException($"tag {_tags[i].Name}: options must be {nameof(ModbusTagOptions)}", nameof(tags));
        }

        _batch = new Sample[_tags.Length];
        _errors = new string?[_tags.Length];
        _refused = new bool[_tags.Length];
        _plan = ModbusRequestPlanner.Plan(_tagOptions, options.Unit, options.Plan);
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    public string Name { get; }

    public ModbusClient Client => _client;

    /// <summary>The requests one poll makes (after any fallback splits).</summary>
    public IReadOnlyList<ReadBlock> Plan => _plan;

    public SourceState State => _state;

    /// <summary>Why each tag was Bad at the last poll (null when Good), in tag order.</summary>
    public IReadOnlyList<string?> TagErrors => _errors;

    /// <summary>Samples of the last poll, in tag order (reused: copy before the next poll).</summary>
    public ReadOnlySpan<Sample> LastSamples => _batch;

    public long PollCount { get; private set; }

    public async Task RunAsync(ISampleWriter writer, CancellationToken cancellationToken)
    {
        writer.SetState(SourceState.Starting);
        using var timer = new PeriodicTimer(_options.Poll, _time);
        var failures = 0;
        try
        {
            do
            {
                var began = _time.GetTimestamp();
                var down = await PollAsync(cancellationToken).ConfigureAwait(false);
                writer.ObservePoll(_time.GetElapsedTime(began));
                writer.TryWrite(_batch);
                writer.SetState(_state, down?.Message);
                if (down is null)
                {
                    failures = 0;
                    continue;
                }

                // Device down: back off (poll × 2^n, at most 30 s) so a dead device is not hammered every poll.
                failures++;
                var backoff = TimeSpan.FromTicks(Math.Min(_options.Poll.Ticks << Math.Min(failures - 1, 20), MaxBackoff.Ticks)) - _options.Poll;
                if (backoff > TimeSpan.Zero)
                {
                    await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public async ValueTask<Sample[]> ReadOnceAsync(CancellationToken cancellationToken)
    {
        var down = await PollAsync(cancellationToken).ConfigureAwait(false);
        if (down is not null)
        {
            throw down;
        }

        return _batch.ToArray();
    }

    /// <summary>
    /// Reads every block once into <see cref="LastSamples"/>. Returns the error that made the device unreachable
    /// (every request failed without an answer), or null when it answered (some tags may still be Bad).
    /// </summary>
    public async ValueTask<ModbusException?> PollAsync(CancellationToken cancellationToken)
    {
        PollCount++;
        var answered = false;
        ModbusException? unreachable = null;
        for (var b = 0; b < _plan.Count; b++)
        {
            var block = _plan[b];
            try
            {
                await ReadBlockAsync(block, cancellationToken).ConfigureAwait(false);
                answered = true;
            }
            catch (ModbusException e) when (e.Kind == ModbusErrorKind.DeviceException)
            {
                answered = true;
                if (block.Tags.Length > 1 && !e.IsTransient)
                {
                    // The device refuses the merged range (a hole in its map, a length limit): ask per tag from now on.
                    LogSplit(_logger, Name, block.ToString(), e.Detail, block.Tags.Length);
                    _plan.RemoveAt(b);
                    _plan.InsertRange(b, ModbusRequestPlanner.Split(block, _tagOptions, _options.Unit));
                    b--;
                    continue;
                }

                MarkBad(block, e);
            }
            catch (ModbusException e)
            {
                unreachable ??= e;
                MarkBad(block, e);
            }
        }

        var down = !answered && unreachable is not null;
        var state = down ? SourceState.Down : SourceState.Up;
        if (state != _state)
        {
            if (down)
            {
                LogDown(_logger, Name, _client.Endpoint, unreachable!.Detail);
            }
            else
            {
                LogUp(_logger, Name, _client.Endpoint, CountGood(), _tags.Length);
            }

            _state = state;
        }

        return down ? unreachable : null;
    }

    private async ValueTask ReadBlockAsync(ReadBlock block, CancellationToken cancellationToken)
    {
        await _client.ReadAsync(block.UnitId, block.Table, block.Start, block.Count, _data, cancellationToken).ConfigureAwait(false);
        var ticks = _time.GetUtcNow().UtcTicks;
        var bits = ModbusLimits.IsBitTable(block.Table);
        foreach (var i in block.Tags)
        {
            var tag = _tagOptions[i];
            var index = tag.Address.Offset - block.Start;
            Sample sample;
            if (bits)
            {
                sample = new Sample(_tags[i].Id, ModbusValueCodec.Bit(_data, index) ? 1 : 0, Quality.Good, ticks, ticks);
            }
            else if (tag.Type == ModbusDataType.String)
            {
                var text = ModbusValueCodec.DecodeString(_data.AsSpan(index * 2), tag.Length, tag.Order);
                sample = new Sample(_tags[i].Id, double.NaN, Quality.Good, ticks, ticks) { Text = text };
            }
            else
            {
                sample = new Sample(_tags[i].Id, ModbusValueCodec.Decode(_data.AsSpan(index * 2), tag), Quality.Good, ticks, ticks);
            }

            if (_refused[i])
            {
                LogTagGood(_logger, Name, _tags[i].Name, tag.Address.ToString());
                _refused[i] = false;
            }

            _errors[i] = null;

            _batch[i] = sample;
        }
    }

    private void MarkBad(ReadBlock block, ModbusException e)
    {
        var ticks = _time.GetUtcNow().UtcTicks;
        foreach (var i in block.Tags)
        {
            // Per-tag lines only for device refusals; an unreachable device is one Down line for the whole source.
            if (!_refused[i] && e.Kind == ModbusErrorKind.DeviceException)
            {
                LogTagBad(_logger, Name, _tags[i].Name, _tagOptions[i].Address.ToString(), e.Message);
                _refused[i] = true;
            }

            _errors[i] = e.Message;
            _batch[i] = Sample.Bad(_tags[i].Id, ticks);
        }
    }

    private int CountGood()
    {
        var n = 0;
        foreach (var s in _batch)
        {
            n += s.Quality == Quality.Good ? 1 : 0;
        }

        return n;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsClient)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Modbus source {Source} up ({Endpoint}): {Good} of {Tags} tags Good")]
    private static partial void LogUp(ILogger logger, string source, string endpoint, int good, int tags);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Modbus source {Source} down ({Endpoint}): {Reason}; retrying with backoff")]
    private static partial void LogDown(ILogger logger, string source, string endpoint, string reason);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Modbus source {Source}: device refused {Block} ({Reason}); reading its {Count} tags one by one")]
    private static partial void LogSplit(ILogger logger, string source, string block, string reason, int count);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "Modbus source {Source}: tag {Tag} at {Address} is Bad: {Reason}")]
    private static partial void LogTagBad(ILogger logger, string source, string tag, string address, string reason);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Information, Message = "Modbus source {Source}: tag {Tag} at {Address} is Good again")]
    private static partial void LogTagGood(ILogger logger, string source, string tag, string address);
}
