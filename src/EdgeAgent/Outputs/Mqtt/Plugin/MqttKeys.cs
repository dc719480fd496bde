using System.Text.Json.Nodes;
using EdgeAgent.Config;

namespace EdgeAgent.Outputs.Mqtt.Plugin;

/// <summary>
/// The declaration of <c>outputs.mqtt</c>: every key with its type, bounds, default and meaning. <see cref="MqttBinder"/>
/// reads the YAML through these keys and <c>edgeagent schema</c> is generated from them, so they are the keys' documentation.
/// </summary>
internal static class MqttKeys
{
    public static readonly string[] Formats = ["json", "sparkplug"];
    public static readonly string[] Protocols = ["3.1.1", "5"];
    public static readonly string[] StreamNames = ["data", "status", "spc", "alarms"];
    public static readonly string[] DataModes = ["per-tag", "batched"];
    public static readonly string[] SyncModes = ["full", "normal"];

    /// <summary>The words that turn MQTT off (<c>mqtt: false</c>).</summary>
    public static readonly string[] Off = ["false", "off", "none"];

    // ---- outputs.mqtt.tls ----------------------------------------------------------------------------------

    public static readonly Section TlsSection = new();
    public static readonly FileKey Ca = TlsSection.File("ca", "PEM file of the CA(s) the broker certificate must chain to (relative to the config file). Default: the system trust store.");
    public static readonly FileKey Cert = TlsSection.File("cert", "PEM client certificate (mutual TLS); needs key. Default none.");
    public static readonly FileKey KeyFile = TlsSection.File("key", "PEM key of the client certificate. Default none.");
    public static readonly StringKey ServerName = TlsSection.String("serverName", "Name the broker certificate must carry (default: broker host).");
    public static readonly BoolKey Insecure = TlsSection.Bool("insecure", "Accept any broker certificate. Only when written; not with ca. Default false.");

    // ---- outputs.mqtt.qos (the mapping form) ---------------------------------------------------------------

    private static readonly JsonObject QosValue = new() { ["type"] = "integer", ["enum"] = new JsonArray(0, 1) };

    public static readonly Section QosSection = new();
    public static readonly IntKey QosData = QosSection.Add(new IntKey("data", "QoS of data samples, 0 or 1. Default 1.", 0, 1) { SchemaOverride = QosValue });
    public static readonly IntKey QosStatus = QosSection.Add(new IntKey("status", "QoS of equipment status and source state, 0 or 1. Default 1.", 0, 1) { SchemaOverride = QosValue });
    public static readonly IntKey QosSpc = QosSection.Add(new IntKey("spc", "QoS of SPC results, 0 or 1. Default 1.", 0, 1) { SchemaOverride = QosValue });
    public static readonly IntKey QosAlarms = QosSection.Add(new IntKey("alarms", "QoS of alarm events, 0 or 1. Default 1.", 0, 1) { SchemaOverride = QosValue });

    // ---- outputs.mqtt.outbox (the mapping form) ------------------------------------------------------------

    public static readonly Section OutboxSection = new();
    public static readonly BoolKey OutboxEnabled = OutboxSection.Bool("enabled", "false: QoS 1 messages wait in memory only, as with outbox: off. Default true.");
    public static readonly IntKey MaxMessages = OutboxSection.Int("maxMessages", "Most messages kept (at least 1000). Default 5000000.", 1000, int.MaxValue);
    public static readonly SizeKey MaxBytes = OutboxSection.Size("maxBytes", "e.g. 512MB, 1GB (default 1GB).", 1L << 20);
    public static readonly DurationKey MaxAge = OutboxSection.Duration("maxAge", "Data/SPC/status older than this are dropped; alarms never (default 7d).", TimeSpan.FromSeconds(10));
    public static readonly ChoiceKey Sync = OutboxSection.Choice("sync", "full: fsync per commit (default); normal: WAL without fsync.", SyncModes);
    public static readonly IntKey Memory = OutboxSection.Int("memory", "Messages waiting in memory for the next commit (a stalled disk); when full, new data is refused and counted. Default 200000.", 1000, 10_000_000);

    // ---- outputs.mqtt.commands -----------------------------------------------------------------------------

    public static readonly Section CommandsSection = new();
    public static readonly BoolKey RemoteWrites = CommandsSection.Bool("write", "Accept cmd/write (write a writable tag from the broker). Default false: anyone who can publish to the broker could otherwise move a PLC value.");

    // ---- outputs.mqtt --------------------------------------------------------------------------------------

    /// <summary>
    /// The mapping form of <c>mqtt:</c>. Open, with <c>unevaluatedProperties: false</c> added by <see cref="Mqtt"/>:
    /// the shape the hand-written schema gave it.
    /// </summary>
    public static readonly Section MqttSection = new() { Closed = false };
    public static readonly UrlKey Broker = MqttSection.Url("broker", "mqtt://host:port or mqtts://host:port. Required; default port 1883 (mqtt://, tcp://) or 8883 (mqtts://, ssl://).", ["mqtt", "mqtts", "tcp", "ssl"], required: true);
    public static readonly ChoiceKey Format = MqttSection.Choice("format", "Default json.", Formats);
    public static readonly StringKey ClientId = MqttSection.String("clientId", "Default agent.id.");
    public static readonly StringKey Username = MqttSection.String("username", "User name; write ${ENV} to keep it out of the file. Default none.");
    public static readonly StringKey Password = MqttSection.String("password", "Password (needs username); write ${ENV} to keep the secret out of the file. Default none.");
    public static readonly DurationKey KeepAlive = MqttSection.Duration("keepAlive", "MQTT keep-alive, 1s to 18h. Default 30s.", TimeSpan.FromSeconds(1), TimeSpan.FromHours(18));
    public static readonly BoolKey Embedded = MqttSection.Bool("embedded", "Start an embedded broker at the broker URL's address and port. Default false.");
    public static readonly StringKey Group = MqttSection.String("group", "Sparkplug group id (default: last segment of agent.site).");
    public static readonly StringKey PrimaryHost = MqttSection.String("primaryHost", "Sparkplug primary host application id to wait for. Default none.");

    public static readonly ChoiceKey Protocol = MqttSection.Add(new ChoiceKey("protocol", "MQTT 3.1.1 (default) or 5.", Protocols)
    {
        // YAML reads a plain 5 as a number: accept it as the loader does.
        SchemaOverride = new JsonObject
        {
            ["oneOf"] = new JsonArray(
                new JsonObject { ["enum"] = SchemaDefinitions.Array(Protocols) },
                new JsonObject { ["const"] = 5 }),
        },
    });

    public static readonly MapKey Tls = MqttSection.Map("tls", "TLS settings (mqtts:// only). Default: the system trust store, the broker host as server name.", TlsSection);

    public static readonly NodeKey Qos = MqttSection.Add(new NodeKey("qos", "0 or 1 for all streams, or per stream. QoS 1 goes through the durable outbox. Default 1.", defs => new JsonObject
    {
        ["oneOf"] = new JsonArray((JsonObject)QosValue.DeepClone(), QosSection.ToSchema(defs)),
    }) { Sections = [QosSection] });

    public static readonly ListKey Streams = MqttSection.List("streams", "Which streams are published (default all).", ListKey.OneOf(StreamNames), allowSingle: false);
    public static readonly ChoiceKey Data = MqttSection.Choice("data", "One message per sample (default) or one JSON array per source and poll.", DataModes);
    public static readonly IntKey Inflight = MqttSection.Int("inflight", "QoS 1 publishes awaiting PUBACK (default 256).", 1, 65_535);
    public static readonly DurationKey ReconnectMax = MqttSection.Duration("reconnectMax", "Reconnect backoff ceiling (default 30s).", TimeSpan.FromMilliseconds(250), TimeSpan.FromHours(1));
    public static readonly DurationKey SessionExpiry = MqttSection.Duration("sessionExpiry", "MQTT 5 session expiry (default 1d).", TimeSpan.Zero, TimeSpan.FromSeconds(uint.MaxValue - 1));

    public static readonly MapKey Commands = MqttSection.Map("commands", "Which commands that act on the machine are accepted on cmd/#. Default: none (write: false).", CommandsSection);

    public static readonly NodeKey Outbox = MqttSection.Add(new NodeKey("outbox", "Durable store-and-forward in {agent.data}/outbox.db; off: memory only. Default on.", defs => new JsonObject
    {
        ["oneOf"] = new JsonArray(
            new JsonObject { ["const"] = false },
            new JsonObject { ["enum"] = SchemaDefinitions.Array(["off"]) },
            OutboxSection.ToSchema(defs)),
    }) { Sections = [OutboxSection] });

    /// <summary><c>outputs.mqtt</c> itself: <c>false</c> (also <c>off</c>, <c>none</c>) or the mapping.</summary>
    public static readonly NodeKey Mqtt = new("mqtt", "MQTT northbound. Omitted: an embedded broker on 127.0.0.1:1883. false: no MQTT.", defs => new JsonObject
    {
        ["oneOf"] = new JsonArray(new JsonObject { ["const"] = false }, Closed(MqttSection.ToSchema(defs))),
    }) { Sections = [MqttSection] };

    private static JsonObject Closed(JsonObject schema)
    {
        schema["unevaluatedProperties"] = false;
        return schema;
    }
}
