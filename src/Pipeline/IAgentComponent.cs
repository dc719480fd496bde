namespace EdgeAgent.Pipeline;

/// <summary>A part of the running agent that plugs consumers and sinks into the pipeline (SPC, equipment, alarms, outputs).</summary>
public interface IAgentComponent : IAsyncDisposable
{
    /// <summary>Called once while the agent is built: subscribe consumers, add sinks, register commands.</summary>
    void Register(AgentContext context);

    /// <summary>
    /// Called once every component has registered and the router is built, before the sinks start: start timers and
    /// background loops, and whatever a sink needs before its first connect (the embedded MQTT broker).
    /// </summary>
    Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    ValueTask IAsyncDisposable.DisposeAsync() => ValueTask.CompletedTask;
}
