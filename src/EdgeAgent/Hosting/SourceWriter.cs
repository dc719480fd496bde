using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// The <see cref="ISampleWriter"/> one source writes to. Tracks the source's state and logs one line per change.
/// </summary>
public sealed partial class SourceWriter : ISampleWriter, ITagValues
{
    private readonly SamplePipeline _pipeline;
    private readonly int _sourceIndex;
    private readonly string _source;
    private readonly AgentMetrics.Counter _up;
    private readonly AgentMetrics.Counter _errors;
    private readonly AgentMetrics.Histogram _poll;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action<SourceStateEvent>? _onStateChange;
    private readonly object _gate = new();
    private SourceState _state = SourceState.Starting;
    private string? _reason;

    internal SourceWriter(SamplePipeline pipeline, int sourceIndex, string source, AgentMetrics metrics, ILogger logger, TimeProvider time, Action<SourceStateEvent>? onStateChange)
    {
        _time = time;
        _pipeline = pipeline;
        _sourceIndex = sourceIndex;
        _source = source;
        _up = metrics.SourceUp(source);
        _errors = metrics.ReadErrorsTotal(source);
        _poll = metrics.PollDuration(source);
        _logger = logger;
        _onStateChange = onStateChange;
    }

    public SourceState State => _state;

    public string? Reason => _reason;

    public bool TryWrite(ReadOnlySpan<Sample> samples) => _pipeline.TryEnqueue(samples, _sourceIndex);

    /// <summary>Another tag's id, for a source that reads it (a serial gauge's part stamp).</summary>
    public int IdOf(string fullName) => _pipeline.Directory.IdOf(fullName);

    /// <summary>Another tag's latest sample as the router last saw it (best effort).</summary>
    public Sample Latest(int tagId) => _pipeline.Directory.Latest(tagId);

    public void ObservePoll(TimeSpan elapsed) => _poll.Observe(elapsed);

    public void SetState(SourceState state, string? reason = null)
    {
        if (state == SourceState.Down)
        {
            _errors.Inc();
        }

        lock (_gate)
        {
            if (state == _state && (state != SourceState.Down || reason == _reason))
            {
                return;
            }

            var was = _state;
            _state = state;
            _reason = reason;
            _up.Set(state == SourceState.Up ? 1 : 0);
            if (state == SourceState.Down)
            {
                LogDown(_logger, _source, reason ?? "unknown reason");
            }
            else if (state == SourceState.Up)
            {
                LogUp(_logger, _source, was.ToString().ToLowerInvariant());
            }
        }

        _onStateChange?.Invoke(new SourceStateEvent(_time.GetUtcNow().UtcDateTime, _source, state, reason));
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Source {Source} is up (was {Previous})")]
    private static partial void LogUp(ILogger logger, string source, string previous);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Source {Source} is down: {Reason}")]
    private static partial void LogDown(ILogger logger, string source, string reason);
}
