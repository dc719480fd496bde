using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline;

/// <summary>
/// What a component gets when the agent is built: who the agent is, the tag directory, the one clock, loggers, metrics,
/// the command hub, the alarm service, and ways to subscribe consumers to tags, add sinks and publish events. Components
/// receive their own options from their plug-in, never the whole configuration.
/// </summary>
public sealed class AgentContext
{
    private readonly List<(int TagId, ISampleConsumer Consumer)> _consumers = new();
    private readonly List<ISink> _sinks = new();
    private readonly Dictionary<ProducerKind, List<string>> _producers = new();
    private Action<AgentEvent>? _publish;
    private IAlarmService? _alarms;
    private ITagWriter? _writes;

    public AgentContext(AgentIdentity agent, TagDirectory directory, ILoggerFactory loggers, AgentMetrics metrics, TimeProvider? time = null)
    {
        Agent = agent;
        Directory = directory;
        Loggers = loggers;
        Metrics = metrics;
        Time = time ?? TimeProvider.System;
    }

    public AgentIdentity Agent { get; }
    public TagDirectory Directory { get; }
    public ILoggerFactory Loggers { get; }
    public AgentMetrics Metrics { get; }

    /// <summary>The agent's one clock: every component takes time from here, so tests can move it.</summary>
    public TimeProvider Time { get; }

    /// <summary>Where commands (MQTT cmd/#, CLI) are dispatched; components register their handlers here.</summary>
    public CommandHub Commands { get; } = new();

    /// <summary>The alarm service, provided by the alarms component (registered first).</summary>
    public IAlarmService Alarms => _alarms ?? throw new InvalidOperationException("no alarm service: the alarms component must be registered before components that raise alarms");

    /// <summary>Called once by the component that owns the alarm list.</summary>
    public void ProvideAlarms(IAlarmService alarms)
    {
        if (_alarms is not null)
        {
            throw new InvalidOperationException("an alarm service is already registered");
        }

        _alarms = alarms;
    }

    /// <summary>Writes to the machine (alarm actions, cmd/write), provided by the host; refuses everything when none was provided.</summary>
    public ITagWriter Writes => _writes ??= new NoTagWriter(Time);

    /// <summary>Called once by the host, before the components are built.</summary>
    public void ProvideWrites(ITagWriter writes) => _writes = writes;

    /// <summary>Routes every sample of <paramref name="tagId"/> to <paramref name="consumer"/> (on the router thread).</summary>
    public void Subscribe(int tagId, ISampleConsumer consumer) => _consumers.Add((tagId, consumer));

    public void AddSink(ISink sink) => _sinks.Add(sink);

    /// <summary>Declares that a component publishes events for <paramref name="name"/> (Sparkplug announces these in its births).</summary>
    public void DeclareProducer(ProducerKind kind, string name)
    {
        if (!_producers.TryGetValue(kind, out var names))
        {
            _producers[kind] = names = new List<string>();
        }

        names.Add(name);
    }

    /// <summary>The names declared for <paramref name="kind"/>, in declaration order.</summary>
    public IReadOnlyList<string> Producers(ProducerKind kind) => _producers.TryGetValue(kind, out var names) ? names : [];

    /// <summary>Hands an event to every sink. Valid once the agent is built (before that, events are not delivered).</summary>
    public void Publish(AgentEvent agentEvent) => _publish?.Invoke(agentEvent);

    /// <summary>The consumers subscribed so far (the host builds the router from them).</summary>
    public IReadOnlyList<(int TagId, ISampleConsumer Consumer)> Consumers => _consumers;

    public IReadOnlyList<ISink> Sinks => _sinks;

    /// <summary>Connects <see cref="Publish"/> to the router (the host, once).</summary>
    public void Attach(Action<AgentEvent> publish) => _publish = publish;
}
