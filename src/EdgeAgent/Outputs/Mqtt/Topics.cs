namespace EdgeAgent.Outputs.Mqtt;

/// <summary>The MQTT topic contract of ARCHITECTURE.md (JSON format). {site} is agent.site, an ISA-95 path.</summary>
public static class Topics
{
    /// <summary><c>{site}/edge/{id}/state</c>: retained <c>online</c>/<c>offline</c> (the last will).</summary>
    public static string State(string site, string agentId) => $"{site}/edge/{agentId}/state";

    /// <summary><c>{site}/data/{source}/{tag}</c>: one sample.</summary>
    public static string Data(string site, string source, string tag) => $"{site}/data/{source}/{tag}";

    /// <summary><c>{site}/{equipment}/status</c>: retained equipment state.</summary>
    public static string Status(string site, string equipment) => $"{site}/{equipment}/status";

    /// <summary><c>{site}/spc/{characteristic}</c>: one subgroup result.</summary>
    public static string Spc(string site, string characteristic) => $"{site}/spc/{characteristic}";

    /// <summary><c>{site}/alarms</c>: alarm lifecycle events.</summary>
    public static string Alarms(string site) => $"{site}/alarms";

    /// <summary><c>{site}/edge/{id}/cmd/#</c>: commands in.</summary>
    public static string Commands(string site, string agentId) => $"{site}/edge/{agentId}/cmd/";
}
