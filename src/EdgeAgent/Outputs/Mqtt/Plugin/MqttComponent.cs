using EdgeAgent.Outputs.Mqtt.Json;
using EdgeAgent.Outputs.Mqtt.Sparkplug;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Outputs.Mqtt.Plugin;

/// <summary>
/// The running MQTT output. At <see cref="Register"/> (after the characteristics and equipment have declared their
/// names) it picks the payload format, builds the sink with only what the sink reads of the agent, and adds it. At
/// <see cref="StartAsync"/> — the host starts components before sinks — it starts the embedded broker when asked to, so
/// the sink's first connect finds it listening. The broker is stopped on dispose, after the sink.
/// </summary>
internal sealed class MqttComponent(MqttOptions options) : IAgentComponent
{
    private EmbeddedBroker? _broker;
    private MqttSink? _sink;
    private ILogger? _brokerLogger;

    public MqttOptions Options => options;

    /// <summary>The embedded broker, when <see cref="MqttOptions.Embedded"/> and its port was free.</summary>
    public EmbeddedBroker? Broker => _broker;

    public MqttSink? Sink => _sink;

    public void Register(AgentContext context)
    {
        _brokerLogger = context.Loggers.CreateLogger("EdgeAgent.Broker");
        var mqtt = ContextOf(context) with { RemoteWrites = options.RemoteWrites };
        _sink = new MqttSink(options, mqtt, FormatFor(options, mqtt));
        context.AddSink(_sink);
    }

    /// <summary>Starts the embedded broker (when <see cref="MqttOptions.Embedded"/>); the host then starts the sink.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Embedded && _broker is null)
        {
            _broker = await EmbeddedBroker.StartAsync(options.Broker, _brokerLogger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What the sink and its formats read of the agent (the producers' names as declared so far).</summary>
    internal static MqttContext ContextOf(AgentContext context) => new()
    {
        AgentId = context.Agent.Id,
        Site = context.Agent.Site,
        Data = context.Agent.Data,
        Directory = context.Directory,
        Commands = context.Commands,
        Metrics = context.Metrics,
        Logger = context.Loggers.CreateLogger("EdgeAgent.Mqtt"),
        Time = context.Time,
        Characteristics = context.Producers(ProducerKind.Characteristic).ToArray(),
        Equipment = context.Producers(ProducerKind.Equipment).ToArray(),
    };

    /// <summary><c>format: sparkplug</c> → Sparkplug B, anything else → the JSON topic contract.</summary>
    internal static Func<IMqttEmitter, IMqttFormat> FormatFor(MqttOptions options, MqttContext context) =>
        options.Format == "sparkplug"
            ? emitter => new SparkplugFormat(context, options, emitter)
            : emitter => new JsonFormat(context, options, emitter);

    public async ValueTask DisposeAsync()
    {
        // The sink first (idempotent: the host may dispose it too), so it never sees its own broker go away under it.
        if (_sink is not null)
        {
            await _sink.DisposeAsync().ConfigureAwait(false);
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync().ConfigureAwait(false);
            _broker = null;
        }
    }
}
