using EdgeAgent.Config;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// What a pipeline component (SPC characteristics, equipment state, alarms) gets when the agent is built: the
/// configuration, the tag directory, and a way to subscribe consumers to tags and to publish events to the sinks.
/// </summary>
public sealed class AgentContext
{
    private readonly List<(int TagId, ISampleConsumer Consumer)> _consumers = new();
    private readonly List<ISink> _sinks = new();
    private SamplePipeline? _pipeline;

    public AgentContext(AgentConfig config, TagDirectory directory, ILoggerFactory loggers, AgentMetrics metrics)
    {
        Config = config;
        Directory = directory;
        Loggers = loggers;
        Metrics = metrics;
    }

    public AgentConfig Config { get; }
    public TagDirectory Directory { get; }
    public ILoggerFactory Loggers { get; }
    public AgentMetrics Metrics { get; }
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where commands (MQTT cmd/#, CLI) are dispatched; components register their handlers here.</summary>
    public CommandHub Commands { get; } = new();

    /// <summary>Routes every sample of <paramref name="tagId"/> to <paramref name="consumer"/> (on the router thread).</summary>
    public void Subscribe(int tagId, ISampleConsumer consumer) => _consumers.Add((tagId, consumer));

    public void AddSink(ISink sink) => _sinks.Add(sink);

    /// <summary>Hands an event to every sink. Valid once the agent is built.</summary>
    public void Publish(AgentEvent agentEvent) => _pipeline?.Publish(agentEvent);

    internal IReadOnlyList<(int TagId, ISampleConsumer Consumer)> Consumers => _consumers;
    internal IReadOnlyList<ISink> Sinks => _sinks;

    internal void Attach(SamplePipeline pipeline) => _pipeline = pipeline;
}

/// <summary>A part of the agent that plugs consumers and sinks into the pipeline (SPC, equipment, alarms, outputs).</summary>
public interface IAgentComponent : IAsyncDisposable
{
    /// <summary>Called once while the agent is built: subscribe consumers, add sinks.</summary>
    void Register(AgentContext context);

    /// <summary>Called after the pipeline runs (e.g. restore state, start timers).</summary>
    Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    ValueTask IAsyncDisposable.DisposeAsync() => ValueTask.CompletedTask;
}
