namespace EdgeAgent.Outputs.Mqtt;

/// <summary>The MQTT topic contract of the JSON format (README.md "MQTT topics (JSON format)"). {site} is agent.site, an ISA-95 path.</summary>
public static class Topics
{
    /// <summary><c>{site}/edge/{id}/state</c>: retained <c>online</c>/<c>offline</c> (the last will).</summary>
    public static string State(string site, string agentId) => $"{site}/edge/{agentId}/state";

    /// <summary><c>{site}/data/{source}/{tag}</c>: one sample.</summary>
    public static string Data(string site, string source, string tag) => $"{site}/data/{source}/{tag}";

    /// <summary><c>{site}/data/{source}</c>: the samples of one poll of a source (<c>data: batched</c>).</summary>
    public static string DataBatch(string site, string source) => $"{site}/data/{source}";

    /// <summary><c>{site}/{equipment}/status</c>: retained equipment state.</summary>
    public static string Status(string site, string equipment) => $"{site}/{equipment}/status";

    /// <summary><c>{site}/spc/{characteristic}</c>: one subgroup result.</summary>
    public static string Spc(string site, string characteristic) => $"{site}/spc/{characteristic}";

    /// <summary><c>{site}/alarms</c>: alarm lifecycle events.</summary>
    public static string Alarms(string site) => $"{site}/alarms";

    /// <summary><c>{site}/edge/{id}/source/{source}</c>: retained source state (up/down with the reason).</summary>
    public static string SourceState(string site, string agentId, string source) => $"{site}/edge/{agentId}/source/{source}";

    /// <summary><c>{site}/edge/{id}/cmd/</c>: commands in (subscribe with <c>#</c> appended).</summary>
    public static string Commands(string site, string agentId) => $"{site}/edge/{agentId}/cmd/";

    /// <summary><c>{site}/edge/{id}/writes</c>: the audit of every write to the machine.</summary>
    public static string Writes(string site, string agentId) => $"{site}/edge/{agentId}/writes";

    /// <summary><c>{site}/edge/{id}/reply/{path}</c>: the result of a command.</summary>
    public static string Reply(string site, string agentId, string path) => $"{site}/edge/{agentId}/reply/{path}";
}
