using EdgeAgent.Drivers;
using YamlDotNet.Core;

namespace EdgeAgent.Config;

/// <summary>The whole validated configuration of one agent (one YAML file).</summary>
public sealed record AgentConfig
{
    public required string FilePath { get; init; }
    public required AgentOptions Agent { get; init; }
    public required IReadOnlyList<SourceConfig> Sources { get; init; }
    public required IReadOnlyList<CharacteristicConfig> Characteristics { get; init; }
    public required IReadOnlyList<EquipmentConfig> Equipment { get; init; }
    public required OutputsConfig Outputs { get; init; }

    /// <summary>Every tag of every source, indexed by <see cref="TagConfig.Id"/>.</summary>
    public required IReadOnlyList<TagConfig> Tags { get; init; }

    public TagConfig? FindTag(string fullName)
    {
        foreach (var tag in Tags)
        {
            if (tag.FullName == fullName)
            {
                return tag;
            }
        }

        return null;
    }
}

/// <summary><c>agent:</c> — who this gateway is and where it keeps its files.</summary>
public sealed record AgentOptions
{
    /// <summary>Edge node id: MQTT client id, Sparkplug edge node id. Default: the host name.</summary>
    public string Id { get; init; } = "edgeagent";

    /// <summary>ISA-95 path used as the MQTT topic prefix, e.g. <c>acme/plant-a/area-2/line-1</c>.</summary>
    public string Site { get; init; } = "site";

    /// <summary>Folder for everything the agent writes (pki/, outbox). Default: <c>data/</c> beside the config file.</summary>
    public string Data { get; init; } = "data";

    /// <summary>Capacity, in batches, of the bounded queue from sources to the pipeline. Full: the newest batch is dropped and counted.</summary>
    public int QueueCapacity { get; init; } = 1024;
}

/// <summary>One <c>sources:</c> entry. <see cref="Options"/> is the driver's own options record.</summary>
public sealed record SourceConfig
{
    public required string Name { get; init; }
    public required string Driver { get; init; }
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(1);
    public object? Options { get; init; }
    public required IReadOnlyList<TagConfig> Tags { get; init; }
    public Mark At { get; init; }

    public IReadOnlyList<TagBinding> Bindings() => Tags.Select(t => new TagBinding(t.Id, t.Name, t.Options)).ToArray();
}

/// <summary>One tag of a source. <see cref="FullName"/> (<c>source.tag</c>) is how the rest of the file refers to it.</summary>
public sealed record TagConfig
{
    public required int Id { get; init; }
    public required string Source { get; init; }
    public required string Name { get; init; }
    public string FullName => $"{Source}.{Name}";
    public string? Unit { get; init; }
    public object? Options { get; init; }
    public Mark At { get; init; }
}

/// <summary><c>characteristics:</c> — a measured characteristic under SPC.</summary>
public sealed record CharacteristicConfig
{
    public required string Name { get; init; }

    /// <summary>The tag measured (<c>source.tag</c>); defaults to <see cref="Name"/>.</summary>
    public required string Tag { get; init; }

    public int TagId { get; init; }
    public string Chart { get; init; } = "imr";
    public int Subgroup { get; init; } = 1;
    public double? Lsl { get; init; }
    public double? Usl { get; init; }
    public double? Target { get; init; }
    public int? Baseline { get; init; }
    public double? Ucl { get; init; }
    public double? Cl { get; init; }
    public double? Lcl { get; init; }
    public double Lambda { get; init; } = 0.2;
    public double L { get; init; } = 3.0;
    public double K { get; init; } = 0.5;
    public double H { get; init; } = 5.0;
    public IReadOnlyList<string> Rules { get; init; } = ["we1", "we2", "we3", "we4"];

    /// <summary><c>trigger:</c> a part-complete tag: on each rising edge (0 → non-zero) the measured tag's latest value is
    /// taken as one measurement; without it every sample of the tag is a measurement (-1: none).</summary>
    public int TriggerTagId { get; init; } = -1;

    public string? Trigger { get; init; }

    /// <summary><c>capability: { window: N }</c>: Cp/Cpk/Pp/Ppk over the last N measurements (default 125).</summary>
    public int CapabilityWindow { get; init; } = 125;

    /// <summary>Priority of SPC rule alarms (<c>priority:</c>, default medium) and of spec-limit alarms (<c>spec_priority:</c>, default high).</summary>
    public string Priority { get; init; } = "medium";

    public string SpecPriority { get; init; } = "high";

    /// <summary>Spec-limit alarms clear only once the value is back inside the limit by this much (<c>deadband:</c>).</summary>
    public double Deadband { get; init; }

    /// <summary><c>context:</c> tags read when an alarm of this characteristic activates (part serial, batch, operator…).</summary>
    public IReadOnlyList<Alarms.ContextTag> Context { get; init; } = [];

    public Mark At { get; init; }
}

/// <summary><c>equipment:</c> — one machine's state machine over tag expressions.</summary>
public sealed record EquipmentConfig
{
    public required string Name { get; init; }
    public string? Running { get; init; }
    public string? Fault { get; init; }
    public string? Idle { get; init; }
    public string? Setup { get; init; }

    /// <summary>The four conditions compiled at load (null when not given). Priority: fault &gt; setup &gt; running &gt; idle.</summary>
    public Expressions.Expression? RunningWhen { get; init; }
    public Expressions.Expression? FaultWhen { get; init; }
    public Expressions.Expression? IdleWhen { get; init; }
    public Expressions.Expression? SetupWhen { get; init; }

    /// <summary>Sources whose loss makes the equipment offline: the sources of the tags its conditions read.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary><c>parts: { total: tag, good: tag }</c>: part counters (tags counting up) for OEE; -1 when not given.</summary>
    public int PartsTotalTagId { get; init; } = -1;
    public int PartsGoodTagId { get; init; } = -1;

    /// <summary><c>report:</c> republish the (retained) status with its counters this often (default 60s; 0 = only on change).</summary>
    public TimeSpan Report { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>alarms:</c> expression alarms on this equipment's tags.</summary>
    public IReadOnlyList<Alarms.AlarmConfig> Alarms { get; init; } = [];

    /// <summary><c>context:</c> tags read when an alarm of this equipment activates (default for its alarms).</summary>
    public IReadOnlyList<Alarms.ContextTag> Context { get; init; } = [];

    public Mark At { get; init; }
}

/// <summary><c>outputs:</c> — the sinks.</summary>
public sealed record OutputsConfig
{
    /// <summary>Null when <c>outputs.mqtt</c> is omitted: the agent starts an embedded broker on 127.0.0.1:1883.</summary>
    public MqttOptions? Mqtt { get; init; }
    public bool MqttDisabled { get; init; }
    public InfluxOptions? Influxdb { get; init; }
    public PrometheusOptions? Prometheus { get; init; }
}

/// <summary><c>outputs.mqtt</c>: the northbound MQTT connection (see src/EdgeAgent/Outputs/Mqtt/README.md for every key).</summary>
public sealed record MqttOptions
{
    /// <summary><c>mqtt://host:port</c> (default port 1883) or <c>mqtts://host:port</c> (TLS, default port 8883).</summary>
    public required Uri Broker { get; init; }

    /// <summary><c>json</c> (topic table in ARCHITECTURE.md) or <c>sparkplug</c> (Sparkplug B 3.0).</summary>
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
    public Outputs.Outbox.OutboxOptions Outbox { get; init; } = new();

    /// <summary>Most QoS 1 messages sent and not yet acknowledged (the pipelining window).</summary>
    public int MaxInflight { get; init; } = 256;

    /// <summary>Longest wait between reconnect attempts (the backoff doubles from 250 ms up to this).</summary>
    public TimeSpan ReconnectMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>MQTT 5 session expiry: how long the broker keeps the session (and its queue) while the agent is away.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromDays(1);

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

/// <summary><c>outputs.mqtt.tls</c>. The broker's certificate is always checked (chain and name) unless <see cref="Insecure"/> is written.</summary>
public sealed record MqttTlsOptions
{
    /// <summary>PEM file of the CA(s) that signed the broker's certificate; default: the system trust store.</summary>
    public string? Ca { get; init; }

    /// <summary>PEM client certificate and its PEM private key, for mutual TLS (both or neither).</summary>
    public string? Cert { get; init; }
    public string? Key { get; init; }

    /// <summary>Name the broker's certificate must carry; default: the host of the broker URL.</summary>
    public string? ServerName { get; init; }

    /// <summary>Accept any broker certificate. Only when written as <c>insecure: true</c>; logged as a warning at every connect.</summary>
    public bool Insecure { get; init; }
}

/// <summary>QoS per stream (0 or 1).</summary>
public sealed record MqttQos
{
    public int Data { get; init; } = 1;
    public int Status { get; init; } = 1;
    public int Spc { get; init; } = 1;
    public int Alarms { get; init; } = 1;
}

[Flags]
public enum MqttStreams
{
    None = 0,
    Data = 1,
    Status = 2,
    Spc = 4,
    Alarms = 8,
    All = Data | Status | Spc | Alarms,
}

/// <summary><c>outputs.influxdb</c>.</summary>
public sealed record InfluxOptions
{
    public required Uri Url { get; init; }
    public string? Org { get; init; }
    public required string Bucket { get; init; }
    public string? Token { get; init; }
}

/// <summary><c>outputs.prometheus</c>.</summary>
public sealed record PrometheusOptions
{
    public string Listen { get; init; } = "127.0.0.1:9464";
}
