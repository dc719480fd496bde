using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Hosting;
using EdgeAgent.Outputs.Outbox;
using EdgeAgent.Pipeline;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// The JSON topic contract of ARCHITECTURE.md: agent state, data per tag (or batched per source), equipment status,
/// SPC results, alarms, source state, and commands in on <c>{site}/edge/{id}/cmd/#</c> with replies on
/// <c>{site}/edge/{id}/reply/{path}</c>.
/// </summary>
internal sealed class JsonFormat : IMqttFormat
{
    private static readonly byte[] Online = "online"u8.ToArray();
    private static readonly byte[] Offline = "offline"u8.ToArray();

    private readonly AgentContext _context;
    private readonly MqttOptions _options;
    private readonly IMqttEmitter _emitter;
    private readonly string _site;
    private readonly string _stateTopic;
    private readonly string _commandPrefix;
    private readonly string[] _dataTopics;
    private readonly string[] _tagNames;
    private readonly string[] _batchTopics;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _json;
    private readonly ConcurrentDictionary<string, MqttApplicationMessage> _retained = new(StringComparer.Ordinal);

    public JsonFormat(AgentContext context, MqttOptions options, IMqttEmitter emitter)
    {
        _context = context;
        _options = options;
        _emitter = emitter;
        var agent = context.Config.Agent;
        _site = agent.Site;
        _stateTopic = Topics.State(agent.Site, agent.Id);
        _commandPrefix = Topics.Commands(agent.Site, agent.Id);
        _dataTopics = context.Directory.Tags.Select(t => Topics.Data(agent.Site, t.Source, t.Name)).ToArray();
        _tagNames = context.Directory.Tags.Select(t => t.Name).ToArray();
        _batchTopics = context.Directory.Sources.Select(s => Topics.DataBatch(agent.Site, s)).ToArray();
        _json = new Utf8JsonWriter(_buffer);
        Subscriptions = [_commandPrefix + "#"];
    }

    public IReadOnlyList<string> Subscriptions { get; }

    public bool ReadyToSend => true;

    public MqttApplicationMessage Will() => State(Offline);

    public MqttApplicationMessage Goodbye() => State(Offline);

    public void OnSamples(ReadOnlySpan<Sample> samples)
    {
        if ((_options.Streams & MqttStreams.Data) == 0 || samples.IsEmpty)
        {
            return;
        }

        if (_options.BatchData)
        {
            EmitBatches(samples);
            return;
        }

        foreach (ref readonly var sample in samples)
        {
            if ((uint)sample.TagId >= (uint)_dataTopics.Length)
            {
                continue;
            }

            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            JsonPayloads.WriteSample(_json, sample);
            _json.Flush();
            _emitter.Emit(MessageClass.Data, _options.Qos.Data, _dataTopics[sample.TagId], _buffer.WrittenSpan.ToArray(), false);
        }
    }

    /// <summary>One array per source present in the batch, in sample order: <c>[{"tag","value","quality","ts"},…]</c>.</summary>
    private void EmitBatches(ReadOnlySpan<Sample> samples)
    {
        var sourceOf = _context.Directory.SourceOf;
        var start = 0;
        while (start < samples.Length)
        {
            if ((uint)samples[start].TagId >= (uint)sourceOf.Length)
            {
                start++;
                continue;
            }

            var source = sourceOf[samples[start].TagId];
            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            _json.WriteStartArray();
            var end = start;
            while (end < samples.Length && (uint)samples[end].TagId < (uint)sourceOf.Length && sourceOf[samples[end].TagId] == source)
            {
                JsonPayloads.WriteTaggedSample(_json, _tagNames[samples[end].TagId], samples[end]);
                end++;
            }

            _json.WriteEndArray();
            _json.Flush();
            _emitter.Emit(MessageClass.Data, _options.Qos.Data, _batchTopics[source], _buffer.WrittenSpan.ToArray(), false);
            start = end;
        }
    }

    public void OnEvent(AgentEvent agentEvent)
    {
        switch (agentEvent)
        {
            case AlarmEvent alarm when (_options.Streams & MqttStreams.Alarms) != 0:
                _emitter.Emit(MessageClass.Alarm, _options.Qos.Alarms, Topics.Alarms(_site), JsonPayloads.Alarm(alarm), false);
                break;
            case EquipmentStatusEvent status when (_options.Streams & MqttStreams.Status) != 0:
                EmitRetained(Topics.Status(_site, status.Equipment), JsonPayloads.Status(status));
                break;
            case SpcPointEvent spc when (_options.Streams & MqttStreams.Spc) != 0:
                _emitter.Emit(MessageClass.Spc, _options.Qos.Spc, Topics.Spc(_site, spc.Characteristic), JsonPayloads.Spc(spc), false);
                break;
            case SourceStateEvent source when (_options.Streams & MqttStreams.Status) != 0:
                EmitRetained(Topics.SourceState(_site, _context.Config.Agent.Id, source.Source), JsonPayloads.SourceState(source));
                break;
        }
    }

    private void EmitRetained(string topic, byte[] payload)
    {
        // Remembered so that a rebirth can publish the current status of everything again.
        _retained[topic] = Message(topic, payload, _options.Qos.Status, retain: true);
        _emitter.Emit(MessageClass.Status, _options.Qos.Status, topic, payload, true);
    }

    public IReadOnlyList<MqttApplicationMessage> Births(bool rebirth)
    {
        var births = new List<MqttApplicationMessage> { State(Online) };
        if (!rebirth)
        {
            return births;
        }

        births.AddRange(_retained.Values);
        if ((_options.Streams & MqttStreams.Data) != 0)
        {
            var directory = _context.Directory;
            for (var id = 0; id < directory.Count; id++)
            {
                ref readonly var latest = ref directory.Latest(id);
                if (latest.SourceTicks == 0)
                {
                    continue; // never read yet
                }

                births.Add(Message(_dataTopics[id], JsonPayloads.Sample(latest), _options.Qos.Data, retain: false));
            }
        }

        return births;
    }

    public byte[] Prepare(OutboxMessage message, bool beforeBirth) => message.Payload;

    public async Task OnMessageAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (!message.Topic.StartsWith(_commandPrefix, StringComparison.Ordinal))
        {
            return;
        }

        var path = message.Topic[_commandPrefix.Length..];
        var payload = message.Payload.IsSingleSegment ? message.Payload.First : message.Payload.ToArray();
        var result = await _context.Commands.DispatchAsync(path, payload, cancellationToken).ConfigureAwait(false);
        var reply = JsonPayloads.Reply(result.Ok, result.Error, DateTime.UtcNow);
        var topic = string.IsNullOrEmpty(message.ResponseTopic) ? Topics.Reply(_site, _context.Config.Agent.Id, path) : message.ResponseTopic;
        var answer = Message(topic, reply, 1, retain: false);
        if (message.CorrelationData is { Length: > 0 } correlation)
        {
            answer.CorrelationData = correlation;
        }

        _emitter.SendDirect(answer);
    }

    private MqttApplicationMessage State(byte[] payload) => Message(_stateTopic, payload, 1, retain: true);

    internal static MqttApplicationMessage Message(string topic, byte[] payload, int qos, bool retain) => new()
    {
        Topic = topic,
        Payload = new ReadOnlySequence<byte>(payload),
        QualityOfServiceLevel = qos == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce,
        Retain = retain,
    };

    internal static string Text(MqttApplicationMessage message) => Encoding.UTF8.GetString(message.Payload);
}
