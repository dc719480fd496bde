using EdgeAgent.Drivers;

namespace EdgeAgent.Pipeline;

/// <summary>
/// An output (MQTT, InfluxDB, …). <see cref="OnSamples"/> and <see cref="OnEvent"/> are called on the router thread and
/// must only enqueue: each sink owns a bounded queue with a stated full-policy and a drop counter, and delivers on its own
/// task. A failing sink never stops the others or the router.
/// </summary>
public interface ISink : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Starts delivery (connect, open files). Must not throw for an unreachable peer: retry in the background.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    void OnSamples(ReadOnlySpan<Sample> samples);

    void OnEvent(AgentEvent agentEvent);

    /// <summary>Delivers what is queued (bounded by <paramref name="cancellationToken"/>) and stops.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}
