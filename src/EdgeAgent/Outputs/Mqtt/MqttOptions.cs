using EdgeAgent.Outputs.Mqtt.Outbox;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary><c>outputs.mqtt</c>: the northbound MQTT connection (see src/EdgeAgent/Outputs/Mqtt/README.md for every key).</summary>
public sealed record MqttOptions
{
    /// <summary><c>mqtt://host:port</c> (default port 1883) or <c>mqtts://host:port</c> (TLS, default port 8883).</summary>
    public required Uri Broker { get; init; }

    /// <summary><c>json</c> (the topic table of README.md "MQTT topics (JSON format)") or <c>sparkplug</c> (Sparkplug B 3.0).</summary>
    public string Format { get; init; } = "json";

    /// <summary>MQTT client id; default agent.id.</summary>
    public string? ClientId { get; init; }

    /// <summary>User name and password (write <c>${ENV}</c> to keep the secret out of the file).</summary>
    public string? Username { get; init; }
    public string? Password { get; init; }

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>3.1.1</c> (default) or <c>5</c>.</summary>
    public string Protocol { get; init; } = "3.1.1";

    /// <summary>TLS settings; present only with an <c>mqtts://</c> broker.</summary>
    public MqttTlsOptions? Tls { get; init; }

    /// <summary>QoS (0 or 1) per stream. QoS 1 goes through the durable outbox; QoS 0 is sent when connected, else dropped and counted.</summary>
    public MqttQos Qos { get; init; } = new();

    /// <summary>Which streams are published (agent state and commands always are).</summary>
    public MqttStreams Streams { get; init; } = MqttStreams.All;

    /// <summary><c>data: batched</c>: one message per source and poll on <c>{site}/data/{source}</c> instead of one per tag.</summary>
    public bool BatchData { get; init; }

    /// <summary>The durable store-and-forward queue in <c>{agent.data}/outbox.db</c>.</summary>
    public OutboxOptions Outbox { get; init; } = new();

    /// <summary>Most QoS 1 messages sent and not yet acknowledged (the pipelining window).</summary>
    public int MaxInflight { get; init; } = 256;

    /// <summary>Longest wait between reconnect attempts (the backoff doubles from 250 ms up to this).</summary>
    public TimeSpan ReconnectMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>MQTT 5 session expiry: how long the broker keeps the session (and its queue) while the agent is away.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromDays(1);

    /// <summary><c>commands.write</c>: cmd/write is accepted (default false: refused with the reason).</summary>
    public bool RemoteWrites { get; init; }

    /// <summary>Start an embedded broker (MQTTnet.Server) at the broker's host and port; the default when outputs.mqtt is omitted.</summary>
    public bool Embedded { get; init; }

    /// <summary>The default when <c>outputs.mqtt</c> is omitted: an embedded broker on 127.0.0.1:1883.</summary>
    public static MqttOptions EmbeddedDefault => new() { Broker = new Uri("mqtt://127.0.0.1:1883"), Embedded = true };

    /// <summary>Sparkplug group id; default: the last segment of agent.site.</summary>
    public string? Group { get; init; }

    /// <summary>Sparkplug primary host application id to wait for (STATE), if any.</summary>
    public string? PrimaryHost { get; init; }

    public bool UseTls => Broker.Scheme is "mqtts" or "ssl";

    public int Port => Broker.IsDefaultPort || Broker.Port <= 0 ? (UseTls ? 8883 : 1883) : Broker.Port;
}
