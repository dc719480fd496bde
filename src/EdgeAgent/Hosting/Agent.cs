using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;
using EdgeAgent.Writes;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// One running agent: sources → <see cref="SamplePipeline"/> → consumers and sinks. A fault in one source or sink never
/// stops the others: each source runs in its own task with its own error boundary.
/// </summary>
public sealed partial class Agent : IAsyncDisposable
{
    private readonly AgentConfig _config;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly AgentMetrics _metrics;
    private readonly List<IAgentComponent> _components = new();
    private readonly List<IAgentComponent> _extra = new();
    private readonly List<ISource> _sources = new();
    private Task? _router;

    public Agent(AgentConfig config, ILoggerFactory loggers, AgentMetrics? metrics = null, TimeProvider? time = null)
    {
        _config = config;
        _loggers = loggers;
        _logger = loggers.CreateLogger("EdgeAgent");
        _metrics = metrics ?? AgentMetrics.Default;
        Directory = TagDirectory.Of(config);
        Context = new AgentContext(config.Agent, Directory, loggers, _metrics, time);
    }

    public TagDirectory Directory { get; }
    public AgentContext Context { get; }
    public SamplePipeline? Pipeline { get; private set; }
    public IReadOnlyList<ISink> Sinks => Context.Sinks;

    /// <summary>Writers per source (state and reason), valid once running.</summary>
    public IReadOnlyList<SourceWriter> Writers { get; private set; } = [];

    /// <summary>Extra components (tests, embedders) added before <see cref="RunAsync"/>.</summary>
    public void Add(IAgentComponent component) => _extra.Add(component);

    /// <summary>The components running in this agent (built from the plug-ins, then the extra ones), valid once running.</summary>
    public IReadOnlyList<IAgentComponent> Components => _components;

    /// <summary>Runs until <paramref name="stoppingToken"/> fires, then stops sources, drains the pipeline and flushes sinks.</summary>
    public async Task RunAsync(CancellationToken stoppingToken, TaskCompletionSource? started = null)
    {
        if (DataFolder.Problem(_config.Agent.Data) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        // Sources are created (not started) first: the writer sends alarm actions and cmd/write through their connections.
        for (var i = 0; i < _config.Sources.Count; i++)
        {
            _sources.Add(Plugins.FindDriver(_config.Sources[i].Driver)!.Create(_config.Sources[i], _loggers));
        }

        var tagWriter = new TagWriter(
            _config.Tags,
            _config.Sources.Select((s, i) => (s.Name, _sources[i])).ToDictionary(p => p.Name, p => p.Item2, StringComparer.Ordinal),
            (tag, value) => ConfigLoader.CheckValue(_config.Sources, tag, value),
            Context.Publish,
            Context.Time,
            _metrics,
            _loggers.CreateLogger("EdgeAgent.Writes"));
        Context.ProvideWrites(tagWriter);

        // Each plug-in builds its component from the options it bound from its own section (registration order:
        // the alarm list first, so the others can raise alarms through Context.Alarms).
        foreach (var plugin in Plugins.Components)
        {
            var options = plugin.Section is { } section ? _config.Sections.GetValueOrDefault(section) : null;
            if (plugin.Create(options, Context) is { } component)
            {
                _components.Add(component);
            }
        }

        _components.AddRange(_extra);
        foreach (var component in _components)
        {
            component.Register(Context);
        }

        var pipeline = new SamplePipeline(Directory, Context.Consumers, Context.Sinks, _config.Agent.QueueCapacity, _metrics, _logger, Context.Time);
        Pipeline = pipeline;
        Context.Attach(pipeline.Publish);

        // Components first: they start what sinks need before their first connect (the embedded MQTT broker).
        foreach (var component in _components)
        {
            await component.StartAsync(stoppingToken).ConfigureAwait(false);
        }

        foreach (var sink in Context.Sinks)
        {
            await sink.StartAsync(stoppingToken).ConfigureAwait(false);
        }

        using var sourcesStop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var router = Task.Run(() => pipeline.RunAsync(CancellationToken.None), CancellationToken.None);
        _router = router;
        var writers = new List<SourceWriter>();
        var sourceTasks = new List<Task>();
        for (var i = 0; i < _config.Sources.Count; i++)
        {
            var writer = pipeline.CreateWriter(i, _metrics, pipeline.Publish);
            writers.Add(writer);
            var source = _sources[i];
            sourceTasks.Add(Task.Run(() => RunSourceAsync(source, writer, sourcesStop.Token), CancellationToken.None));
        }

        Writers = writers;
        var heartbeat = Task.Run(() => HeartbeatAsync(Path.Combine(_config.Agent.Data, HeartbeatFile), sourcesStop.Token), CancellationToken.None);
        LogStarted(_logger, _config.Agent.Id, _config.Sources.Count, _config.Tags.Count, Context.Sinks.Count);
        started?.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // Writes still retrying end as expired (never sent later), before the sources close their connections.
        await tagWriter.DisposeAsync().ConfigureAwait(false);

        // Graceful stop: sources first, then drain the queue through the router, then flush the sinks.
        await sourcesStop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(sourceTasks).ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);
        pipeline.Complete();
        await router.ConfigureAwait(false);
        using var flush = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        foreach (var sink in Context.Sinks)
        {
            try
            {
                await sink.StopAsync(flush.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogSinkStopFailed(_logger, ex, sink.Name);
            }
        }

        LogStopped(_logger, pipeline.Routed);
    }

    /// <summary>File in agent.data the agent rewrites every <see cref="HeartbeatInterval"/> while its pipeline is alive (`edgeagent health`).</summary>
    public const string HeartbeatFile = "heartbeat";

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the router may spend on one batch before the pipeline counts as stalled. Routing a batch takes
    /// microseconds; this much means a consumer or sink is blocking the router, and every sample behind it waits.
    /// </summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Null while the pipeline is alive, else why it is not: not started, the router ended, or the router has been inside
    /// one batch for longer than <see cref="StallAfter"/>. The one liveness test behind the heartbeat file
    /// (`edgeagent health`) and systemd's watchdog pings: when it fails both stop.
    /// </summary>
    public string? StallReason()
    {
        if (Pipeline is not { } pipeline || _router is not { } router)
        {
            return "the pipeline has not started";
        }

        if (router.IsCompleted)
        {
            return router.IsFaulted ? $"the router failed: {router.Exception!.InnerException?.Message}" : "the router has ended";
        }

        var busy = pipeline.BusyFor;
        return busy > StallAfter ? $"the router has been routing one batch for {busy.TotalSeconds:0}s (a consumer or sink blocks it)" : null;
    }

    private async Task HeartbeatAsync(string path, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval, Context.Time);
        var failing = false;
        string? stalled = null;
        try
        {
            do
            {
                // A stalled pipeline writes no heartbeat: `edgeagent health` then reports the agent stale. Logged once per change.
                var reason = StallReason();
                if (reason != stalled)
                {
                    if (reason is not null)
                    {
                        LogStalled(_logger, reason);
                    }
                    else
                    {
                        LogUnstalled(_logger);
                    }

                    stalled = reason;
                }

                if (reason is not null)
                {
                    continue;
                }

                try
                {
                    await File.WriteAllTextAsync(path, Context.Time.GetUtcNow().UtcDateTime.ToString("O"), ct).ConfigureAwait(false);
                    failing = false;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // A full or read-only disk shows in `health`; the agent keeps running. Logged once per change.
                    if (!failing)
                    {
                        LogHeartbeatFailed(_logger, ex, path);
                    }

                    failing = true;
                }
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunSourceAsync(ISource source, SourceWriter writer, CancellationToken ct)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await source.RunAsync(writer, ct).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A driver should never throw out of RunAsync; if one does, isolate it and restart it.
                LogDriverFailed(_logger, ex, source.Name, backoff);
                writer.SetState(SourceState.Down, $"driver failed: {ex.Message}");
                try
                {
                    await Task.Delay(backoff, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromSeconds(Math.Min(backoff.TotalSeconds * 2, 30));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources)
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var sink in Context.Sinks)
        {
            await sink.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var component in _components)
        {
            await component.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Agent {AgentId} running: {Sources} sources, {Tags} tags, {Sinks} sinks")]
    private static partial void LogStarted(ILogger logger, string agentId, int sources, int tags, int sinks);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Agent stopped after routing {Samples} samples")]
    private static partial void LogStopped(ILogger logger, long samples);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Sink {Sink} did not stop cleanly")]
    private static partial void LogSinkStopFailed(ILogger logger, Exception ex, string sink);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Source {Source}: the driver threw out of its loop; restarting it in {Backoff}")]
    private static partial void LogDriverFailed(ILogger logger, Exception ex, string source, TimeSpan backoff);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Cannot write the heartbeat {Path}: `edgeagent health` will report the agent as stale")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception ex, string path);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Pipeline stalled: {Reason}; the heartbeat and the systemd watchdog pings stop until it moves again")]
    private static partial void LogStalled(ILogger logger, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Pipeline moving again: heartbeat and watchdog pings resumed")]
    private static partial void LogUnstalled(ILogger logger);
}
