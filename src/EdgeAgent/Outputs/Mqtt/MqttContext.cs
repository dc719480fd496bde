using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// What the MQTT sink and its formats read of the agent, and nothing more: who the agent is (topics, client id,
/// Sparkplug node), where its files go (<c>outbox.db</c>, <c>sparkplug-bdseq</c>), the tag directory (topic names,
/// latest values for rebirths), the command hub (<c>cmd/#</c>, <c>rebirth</c>), the metrics, one logger, and the names
/// of the characteristics and equipment that publish events (Sparkplug announces them in its births). The plug-in
/// builds it from the agent context when the component registers.
/// </summary>
internal sealed record MqttContext
{
    /// <summary>agent.id: default client id, <c>{site}/edge/{id}/…</c> topics, Sparkplug edge node id.</summary>
    public required string AgentId { get; init; }

    /// <summary>agent.site: the topic prefix (ISA-95 path); its last segment is the default Sparkplug group.</summary>
    public required string Site { get; init; }

    /// <summary>agent.data: the folder of <c>outbox.db</c> and <c>sparkplug-bdseq</c>.</summary>
    public required string Data { get; init; }

    public required TagDirectory Directory { get; init; }

    public required CommandHub Commands { get; init; }

    public required AgentMetrics Metrics { get; init; }

    /// <summary>The sink's logger (category <c>EdgeAgent.Mqtt</c>), shared by its formats.</summary>
    public required ILogger Logger { get; init; }

    /// <summary><c>commands.write</c>: remote writes (cmd/write) are accepted; otherwise refused before they reach the writer.</summary>
    public bool RemoteWrites { get; init; }

    /// <summary>
    /// The agent's clock (<see cref="AgentContext.Time"/>): the enqueue time the outbox expires messages by, Sparkplug
    /// payload timestamps and command reply timestamps all read it, so they never disagree with each other.
    /// </summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Characteristics that publish SPC points, in declaration order (Sparkplug <c>SPC/{name}/…</c> metrics).</summary>
    public IReadOnlyList<string> Characteristics { get; init; } = [];

    /// <summary>Equipment that publishes status, in declaration order (Sparkplug devices).</summary>
    public IReadOnlyList<string> Equipment { get; init; } = [];
}
