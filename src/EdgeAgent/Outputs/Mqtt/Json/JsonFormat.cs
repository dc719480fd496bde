using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using EdgeAgent.Drivers;
using EdgeAgent.Outputs.Mqtt.Outbox;
using EdgeAgent.Pipeline;
using MQTTnet;

namespace EdgeAgent.Outputs.Mqtt.Json;

/// <summary>
/// The JSON topic contract (README.md "MQTT topics (JSON format)", and "JSON topics" in this folder's README.md): agent state, data per tag (or batched per source), equipment status,
/// SPC results, alarms, source state, and commands in on <c>{site}/edge/{id}/cmd/#</c> with replies on
/// <c>{site}/edge/{id}/reply/{path}</c> (answered by <see cref="CommandReplies"/>).
/// </summary>
internal sealed class JsonFormat : IMqttFormat
{
    private static readonly byte[] Online = "online"u8.ToArray();
    private static readonly byte[] Offline = "offline"u8.ToArray();

    private readonly MqttContext _context;
    private readonly MqttOptions _options;
    private readonly IMqttEmitter _emitter;
    private readonly CommandReplies _commands;
    private readonly string _site;
    private readonly string _stateTopic;
    private readonly string[] _dataTopics;
    private readonly string[] _tagNames;
    private readonly string[] _batchTopics;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _json;
    private readonly ConcurrentDictionary<string, MqttApplicationMessage> _retained = new(StringComparer.Ordinal);

    public JsonFormat(MqttContext context, MqttOptions options, IMqttEmitter emitter)
    {
        _context = context;
        _options = options;
        _emitter = emitter;
        _commands = new CommandReplies(context, emitter);
        _site = context.Site;
        _stateTopic = Topics.State(context.Site, context.AgentId);
        _dataTopics = context.Directory.Tags.Select(t => Topics.Data(context.Site, t.Source, t.Name)).ToArray();
        _tagNames = context.Directory.Tags.Select(t => t.Name).ToArray();
        _batchTopics = context.Directory.Sources.Select(s => Topics.DataBatch(context.Site, s)).ToArray();
        _json = new Utf8JsonWriter(_buffer, JsonWriting.Options);
        Subscriptions = [_commands.Subscription];
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
        while (SourceRuns.Next(samples, sourceOf, ref start, out var source, out var end))
        {
            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            _json.WriteStartArray();
            for (var i = start; i < end; i++)
            {
                JsonPayloads.WriteTaggedSample(_json, _tagNames[samples[i].TagId], samples[i]);
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
            case WriteEvent write:
                // The audit of a write is never dropped: it travels with the alarms through the outbox.
                _emitter.Emit(MessageClass.Alarm, _options.Qos.Alarms, Topics.Writes(_site, _context.AgentId), WritePayload.Encode(write), false);
                break;
            case SourceStateEvent source when (_options.Streams & MqttStreams.Status) != 0:
                EmitRetained(Topics.SourceState(_site, _context.AgentId, source.Source), JsonPayloads.SourceState(source));
                break;
        }
    }

    private void EmitRetained(string topic, byte[] payload)
    {
        // Remembered so that a rebirth can publish the current status of everything again.
        _retained[topic] = MqttMessages.Create(topic, payload, _options.Qos.Status, retain: true);
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

                births.Add(MqttMessages.Create(_dataTopics[id], JsonPayloads.Sample(latest), _options.Qos.Data, retain: false));
            }
        }

        return births;
    }

    public byte[] Prepare(OutboxMessage message, bool beforeBirth) => message.Payload;

    public Task OnMessageAsync(MqttApplicationMessage message, CancellationToken cancellationToken) =>
        _commands.TryHandleAsync(message, cancellationToken);

    private MqttApplicationMessage State(byte[] payload) => MqttMessages.Create(_stateTopic, payload, 1, retain: true);
}
