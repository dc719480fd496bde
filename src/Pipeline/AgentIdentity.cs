namespace EdgeAgent.Pipeline;

/// <summary><c>agent:</c> — who this gateway is and where it keeps its files.</summary>
public sealed record AgentIdentity
{
    /// <summary>Edge node id: MQTT client id, Sparkplug edge node id. Default: the host name.</summary>
    public string Id { get; init; } = "edgeagent";

    /// <summary>ISA-95 path used as the MQTT topic prefix, e.g. <c>acme/plant-a/area-2/line-1</c>.</summary>
    public string Site { get; init; } = "site";

    /// <summary>Folder for everything the agent writes (pki/, outbox, alarm list). Default: <c>data/</c> beside the config file.</summary>
    public string Data { get; init; } = "data";

    /// <summary>Capacity, in batches, of the bounded queue from sources to the pipeline. Full: the newest batch is dropped and counted.</summary>
    public int QueueCapacity { get; init; } = 1024;
}
