using System.Buffers;
using System.Text;
using System.Text.Json;
using EdgeAgent.Drivers;
using EdgeAgent.Outputs.Mqtt.Outbox;
using EdgeAgent.Outputs.Mqtt.Sparkplug.Proto;
using EdgeAgent.Pipeline;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace EdgeAgent.Outputs.Mqtt.Sparkplug;

/// <summary>
/// Sparkplug B 3.0 (<c>format: sparkplug</c>): agent.id is the edge node, each source and each equipment a device.
/// <code>
///   spBv1.0/{group}/NBIRTH/{node}            seq 0, bdSeq, Node Control/Rebirth, SPC and alarm metrics
///   spBv1.0/{group}/NDEATH/{node}            the last will: bdSeq of the session it ends
///   spBv1.0/{group}/DBIRTH/{node}/{device}   every metric of the device with name, alias, datatype, value
///   spBv1.0/{group}/DDATA/{node}/{device}    changed metrics by alias (one message per source and poll)
///   spBv1.0/{group}/DDEATH/{node}/{device}   the source went down (Bad)
///   spBv1.0/{group}/NCMD/{node}              in: Node Control/Rebirth = true
///   spBv1.0/STATE/{primaryHost}              in: {"online":true|false,"timestamp":…} (retained)
/// </code>
/// Aliases are fixed by the configuration: tag id + 1 for tags, then node metrics, then equipment metrics, so they
/// are the same in every session. <c>seq</c> counts 0–255 over every message of an MQTT session after NBIRTH; it is
/// appended by <see cref="Prepare"/> when a message is sent, because a message queued in the outbox during an outage
/// belongs to the session that sends it. Such messages (made before the current NBIRTH) are marked
/// <c>is_historical</c>. bdSeq increments with every connect and survives restarts (<c>{agent.data}/sparkplug-bdseq</c>).
/// Commands on <c>{site}/edge/{id}/cmd/#</c> are answered as in the JSON format (<see cref="CommandReplies"/>).
/// </summary>
internal sealed partial class SparkplugFormat : IMqttFormat
{
    public const string Namespace = "spBv1.0";
    public const string RebirthMetric = "Node Control/Rebirth";

    // Sparkplug B DataType codes (sparkplug_b.proto).
    internal const uint Int32 = 3;
    internal const uint Int64 = 4;
    internal const uint Double = 10;
    internal const uint Boolean = 11;
    internal const uint StringType = 12;
    internal const uint DateTime = 13;

    private readonly MqttContext _context;
    private readonly MqttOptions _options;
    private readonly IMqttEmitter _emitter;
    private readonly ILogger _logger;
    private readonly CommandReplies _commands;
    private readonly string _group;
    private readonly string _node;
    private readonly string _stateTopic;
    private readonly string _ncmdTopic;
    private readonly string _bdSeqFile;
    private readonly string[] _sources;
    private readonly string[] _equipment;
    private readonly string[] _characteristics;
    private readonly bool[] _sourceDown;
    private readonly ulong _rebirthAlias;
    private readonly ulong _bdSeqAlias;
    private readonly ulong _alarmAlias;
    private readonly ulong _spcBase;
    private readonly ulong _equipmentBase;
    private readonly Dictionary<string, EquipmentStatusEvent> _status = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private ulong _seq;
    private long _bdSeq = -1;
    private volatile bool _hostOnline;
    private bool _bdSeqFileFailing;

    public SparkplugFormat(MqttContext context, MqttOptions options, IMqttEmitter emitter)
    {
        _context = context;
        _options = options;
        _emitter = emitter;
        _logger = context.Logger;
        _commands = new CommandReplies(context, emitter);
        _group = options.Group ?? context.Site[(context.Site.LastIndexOf('/') + 1)..];
        _node = context.AgentId;
        _sources = context.Directory.Sources;
        _sourceDown = new bool[_sources.Length];
        _equipment = context.Equipment.ToArray();
        _characteristics = context.Characteristics.ToArray();
        var next = (ulong)context.Directory.Count + 1;
        _bdSeqAlias = next++;
        _rebirthAlias = next++;
        _alarmAlias = next++;
        _spcBase = next;
        next += (ulong)_characteristics.Length * 4;
        _equipmentBase = next;
        _stateTopic = options.PrimaryHost is { } host ? $"{Namespace}/STATE/{host}" : string.Empty;
        _ncmdTopic = Topic("NCMD");
        _bdSeqFile = Path.Combine(context.Data, "sparkplug-bdseq");
        _hostOnline = options.PrimaryHost is null;
        var subscriptions = new List<string> { _ncmdTopic, Topic("DCMD") + "/+" };
        subscriptions.Add(_commands.Subscription);
        if (_stateTopic.Length > 0)
        {
            subscriptions.Add(_stateTopic);
        }

        Subscriptions = subscriptions;
    }

    public IReadOnlyList<string> Subscriptions { get; }

    /// <summary>False while a configured primary host application is not online (queued traffic waits).</summary>
    public bool ReadyToSend => _hostOnline;

    /// <summary>The bdSeq of the current (or last) session.</summary>
    public long BdSeq => Interlocked.Read(ref _bdSeq);

    public string Group => _group;

    private string Topic(string type) => $"{Namespace}/{_group}/{type}/{_node}";

    private string DeviceTopic(string type, string device) => $"{Namespace}/{_group}/{type}/{_node}/{device}";

    private ulong Now() => (ulong)_context.Time.GetUtcNow().ToUnixTimeMilliseconds();

    private static ulong Millis(long ticks) => (ulong)((ticks - System.DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond);

    // ---- session: will, births, goodbye --------------------------------------------------------------------

    /// <summary>NDEATH with the bdSeq of the connection about to be made (called before every connect).</summary>
    public MqttApplicationMessage Will()
    {
        var bdSeq = NextBdSeq();
        return Message(Topic("NDEATH"), Death(bdSeq), 1, retain: false);
    }

    public MqttApplicationMessage Goodbye() => Message(Topic("NDEATH"), Death(BdSeq), 1, retain: false);

    private byte[] Death(long bdSeq)
    {
        var payload = new Payload { Timestamp = Now() };
        payload.Metrics.Add(new Payload.Types.Metric { Name = "bdSeq", Datatype = Int64, LongValue = (ulong)bdSeq, Timestamp = Now() });
        return payload.ToByteArray();
    }

    /// <summary>
    /// 0–255, one step per connect, persisted so that a restart does not reuse the previous session's number. The data
    /// folder is checked at start, but the file can still become unusable while the agent runs (the file system remounted
    /// read-only after a disk error, the file replaced by a folder or owned by another user): then the count goes on in
    /// memory, with one warning naming the file and the cause (and one line when the file works again), so a counter file
    /// never stops the connection or turns it into a retry loop.
    /// </summary>
    private long NextBdSeq()
    {
        long value;
        try
        {
            value = File.Exists(_bdSeqFile) && long.TryParse(File.ReadAllText(_bdSeqFile).Trim(), out var stored)
                ? stored & 0xFF
                : Math.Max(0, (BdSeq + 1) & 0xFF);
            Directory.CreateDirectory(Path.GetDirectoryName(_bdSeqFile)!);
            File.WriteAllText(_bdSeqFile, ((value + 1) & 0xFF).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (_bdSeqFileFailing)
            {
                _bdSeqFileFailing = false;
                LogBdSeqFileUsable(_logger, _bdSeqFile);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            value = (BdSeq + 1) & 0xFF;
            if (!_bdSeqFileFailing)
            {
                _bdSeqFileFailing = true;
                LogBdSeqFile(_logger, _bdSeqFile, ex);
            }
        }

        Interlocked.Exchange(ref _bdSeq, value);
        return value;
    }

    /// <summary>NBIRTH (seq 0) then a DBIRTH per source that is not down and per equipment.</summary>
    public IReadOnlyList<MqttApplicationMessage> Births(bool rebirth)
    {
        var births = new List<MqttApplicationMessage>();
        lock (_gate)
        {
            _seq = 0;
            var nbirth = new Payload { Timestamp = Now(), Seq = NextSeq() };
            var now = Now();
            nbirth.Metrics.Add(new Payload.Types.Metric { Name = "bdSeq", Alias = _bdSeqAlias, Datatype = Int64, LongValue = (ulong)Math.Max(0, BdSeq), Timestamp = now });
            nbirth.Metrics.Add(new Payload.Types.Metric { Name = RebirthMetric, Alias = _rebirthAlias, Datatype = Boolean, BooleanValue = false, Timestamp = now });
            nbirth.Metrics.Add(new Payload.Types.Metric { Name = "Alarms/Event", Alias = _alarmAlias, Datatype = StringType, IsNull = true, Timestamp = now });
            for (var c = 0; c < _characteristics.Length; c++)
            {
                var names = (ReadOnlySpan<string>)["statistic", "center", "ucl", "lcl"];
                for (var k = 0; k < 4; k++)
                {
                    nbirth.Metrics.Add(new Payload.Types.Metric { Name = $"SPC/{_characteristics[c]}/{names[k]}", Alias = _spcBase + (ulong)(c * 4 + k), Datatype = Double, IsNull = true, Timestamp = now });
                }
            }

            births.Add(Message(Topic("NBIRTH"), nbirth.ToByteArray(), 0, retain: false));
            for (var s = 0; s < _sources.Length; s++)
            {
                if (!_sourceDown[s])
                {
                    births.Add(Message(DeviceTopic("DBIRTH", _sources[s]), WithSeq(SourceBirth(s), NextSeq()), 0, retain: false));
                }
            }

            for (var e = 0; e < _equipment.Length; e++)
            {
                births.Add(Message(DeviceTopic("DBIRTH", _equipment[e]), WithSeq(EquipmentBirth(e), NextSeq()), 0, retain: false));
            }
        }

        return births;
    }

    private Payload SourceBirth(int source)
    {
        var payload = new Payload { Timestamp = Now() };
        var directory = _context.Directory;
        for (var id = 0; id < directory.Count; id++)
        {
            if (directory.SourceOf[id] != source)
            {
                continue;
            }

            ref readonly var latest = ref directory.Latest(id);
            var metric = Metric(latest, id);
            metric.Name = directory.Tags[id].Name;
            if (latest.SourceTicks == 0)
            {
                metric.Timestamp = Now();
            }

            if (directory.Tags[id].Unit is { } unit)
            {
                metric.Properties = new Payload.Types.PropertySet();
                metric.Properties.Keys.Add("engUnit");
                metric.Properties.Values.Add(new Payload.Types.PropertyValue { Type = StringType, StringValue = unit });
            }

            payload.Metrics.Add(metric);
        }

        return payload;
    }

    private Payload EquipmentBirth(int equipment)
    {
        var payload = new Payload { Timestamp = Now() };
        _status.TryGetValue(_equipment[equipment], out var status);
        var alias = _equipmentBase + (ulong)(equipment * 2);
        var ts = status is null ? Now() : Millis(status.Ts.Ticks);
        payload.Metrics.Add(status is null
            ? new Payload.Types.Metric { Name = "State", Alias = alias, Datatype = StringType, IsNull = true, Timestamp = ts }
            : new Payload.Types.Metric { Name = "State", Alias = alias, Datatype = StringType, StringValue = status.State, Timestamp = ts });
        payload.Metrics.Add(status is null
            ? new Payload.Types.Metric { Name = "Code", Alias = alias + 1, Datatype = Int32, IsNull = true, Timestamp = ts }
            : new Payload.Types.Metric { Name = "Code", Alias = alias + 1, Datatype = Int32, IntValue = (uint)status.Code, Timestamp = ts });
        return payload;
    }

    /// <summary>A data metric by alias: Double (or String for text tags); Bad quality is an explicit null.</summary>
    private static Payload.Types.Metric Metric(in Sample sample, int tagId)
    {
        var metric = new Payload.Types.Metric { Alias = (ulong)tagId + 1, Timestamp = Millis(sample.SourceTicks) };
        if (sample.Text is not null)
        {
            metric.Datatype = StringType;
            if (sample.Quality == Quality.Bad)
            {
                metric.IsNull = true;
            }
            else
            {
                metric.StringValue = sample.Text;
            }
        }
        else
        {
            metric.Datatype = Double;
            if (sample.Quality == Quality.Bad || !double.IsFinite(sample.Value))
            {
                metric.IsNull = true;
            }
            else
            {
                metric.DoubleValue = sample.Value;
            }
        }

        return metric;
    }

    private ulong NextSeq()
    {
        var seq = _seq;
        _seq = (_seq + 1) & 0xFF;
        return seq;
    }

    // ---- traffic -------------------------------------------------------------------------------------------

    public void OnSamples(ReadOnlySpan<Sample> samples)
    {
        if ((_options.Streams & MqttStreams.Data) == 0 || samples.IsEmpty)
        {
            return;
        }

        var sourceOf = _context.Directory.SourceOf;
        var start = 0;
        while (SourceRuns.Next(samples, sourceOf, ref start, out var source, out var end))
        {
            var payload = new Payload { Timestamp = Now() };
            for (var i = start; i < end; i++)
            {
                payload.Metrics.Add(Metric(samples[i], samples[i].TagId));
            }

            _emitter.Emit(MessageClass.Data, _options.Qos.Data, DeviceTopic("DDATA", _sources[source]), payload.ToByteArray(), false, sparkplug: true);
            start = end;
        }
    }

    public void OnEvent(AgentEvent agentEvent)
    {
        switch (agentEvent)
        {
            case SourceStateEvent state:
                OnSourceState(state);
                break;
            case EquipmentStatusEvent status when (_options.Streams & MqttStreams.Status) != 0:
                var index = Array.IndexOf(_equipment, status.Equipment);
                lock (_gate)
                {
                    _status[status.Equipment] = status;
                }

                if (index < 0)
                {
                    break;
                }

                var alias = _equipmentBase + (ulong)(index * 2);
                var payload = new Payload { Timestamp = Now() };
                payload.Metrics.Add(new Payload.Types.Metric { Alias = alias, Datatype = StringType, StringValue = status.State, Timestamp = Millis(status.Ts.Ticks) });
                payload.Metrics.Add(new Payload.Types.Metric { Alias = alias + 1, Datatype = Int32, IntValue = (uint)status.Code, Timestamp = Millis(status.Ts.Ticks) });
                _emitter.Emit(MessageClass.Status, _options.Qos.Status, DeviceTopic("DDATA", status.Equipment), payload.ToByteArray(), false, sparkplug: true);
                break;
            case SpcPointEvent spc when (_options.Streams & MqttStreams.Spc) != 0:
                var c = Array.IndexOf(_characteristics, spc.Characteristic);
                if (c < 0)
                {
                    break;
                }

                var ndata = new Payload { Timestamp = Now() };
                var values = (ReadOnlySpan<double>)[spc.Value, spc.Center, spc.Ucl, spc.Lcl];
                for (var k = 0; k < 4; k++)
                {
                    var m = new Payload.Types.Metric { Alias = _spcBase + (ulong)(c * 4 + k), Datatype = Double, Timestamp = Millis(spc.Ts.Ticks) };
                    if (double.IsFinite(values[k]))
                    {
                        m.DoubleValue = values[k];
                    }
                    else
                    {
                        m.IsNull = true;
                    }

                    ndata.Metrics.Add(m);
                }

                _emitter.Emit(MessageClass.Spc, _options.Qos.Spc, Topic("NDATA"), ndata.ToByteArray(), false, sparkplug: true);
                break;
            case AlarmEvent alarm when (_options.Streams & MqttStreams.Alarms) != 0:
                // The alarm as its JSON document (the same fields as the JSON topic) in one String metric.
                var alarmData = new Payload { Timestamp = Now() };
                alarmData.Metrics.Add(new Payload.Types.Metric { Alias = _alarmAlias, Datatype = StringType, StringValue = Encoding.UTF8.GetString(AlarmDocument.Write(alarm)), Timestamp = Millis(alarm.Ts.Ticks) });
                _emitter.Emit(MessageClass.Alarm, _options.Qos.Alarms, Topic("NDATA"), alarmData.ToByteArray(), false, sparkplug: true);
                break;
        }
    }

    /// <summary>Down: DDEATH (the device's metrics are stale). Up again: a fresh DBIRTH.</summary>
    private void OnSourceState(SourceStateEvent state)
    {
        var index = Array.IndexOf(_sources, state.Source);
        if (index < 0)
        {
            return;
        }

        lock (_gate)
        {
            if (state.State == SourceState.Down && !_sourceDown[index])
            {
                _sourceDown[index] = true;
                var death = new Payload { Timestamp = Millis(state.Ts.Ticks) };
                _emitter.Emit(MessageClass.Status, _options.Qos.Status, DeviceTopic("DDEATH", _sources[index]), death.ToByteArray(), false, sparkplug: true);
            }
            else if (state.State == SourceState.Up && _sourceDown[index])
            {
                _sourceDown[index] = false;
                _emitter.Emit(MessageClass.Status, _options.Qos.Status, DeviceTopic("DBIRTH", _sources[index]), SourceBirth(index).ToByteArray(), false, sparkplug: true);
            }
        }
    }

    /// <summary>Appends this session's next seq; marks metrics historical when the message predates the current birth.</summary>
    public byte[] Prepare(OutboxMessage message, bool beforeBirth)
    {
        if (!message.Sparkplug)
        {
            return message.Payload;
        }

        var body = message.Payload;
        if (beforeBirth && (message.Topic.Contains("/DDATA/", StringComparison.Ordinal) || message.Topic.Contains("/NDATA/", StringComparison.Ordinal)))
        {
            var payload = Payload.Parser.ParseFrom(body);
            foreach (var metric in payload.Metrics)
            {
                metric.IsHistorical = true;
            }

            body = payload.ToByteArray();
        }

        ulong seq;
        lock (_gate)
        {
            seq = NextSeq();
        }

        return AppendSeq(body, seq);
    }

    private static byte[] WithSeq(Payload payload, ulong seq)
    {
        payload.Seq = seq;
        return payload.ToByteArray();
    }

    /// <summary>
    /// Protobuf lets a field appear after the others (the last occurrence wins), so <c>seq</c> (field 3, varint:
    /// key byte 0x18) is appended to the stored payload without re-encoding it.
    /// </summary>
    internal static byte[] AppendSeq(byte[] payload, ulong seq)
    {
        var result = new byte[payload.Length + (seq < 128 ? 2 : 3)];
        payload.CopyTo(result, 0);
        result[payload.Length] = 0x18;
        if (seq < 128)
        {
            result[payload.Length + 1] = (byte)seq;
        }
        else
        {
            result[payload.Length + 1] = (byte)(0x80 | (seq & 0x7F));
            result[payload.Length + 2] = (byte)(seq >> 7);
        }

        return result;
    }

    // ---- inbound -------------------------------------------------------------------------------------------

    public async Task OnMessageAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (message.Topic == _ncmdTopic)
        {
            OnNodeCommand(message.Payload.ToArray());
        }
        else if (_stateTopic.Length > 0 && message.Topic == _stateTopic)
        {
            OnHostState(message.Payload.ToArray());
        }
        else if (message.Topic.StartsWith(Namespace + "/", StringComparison.Ordinal))
        {
            LogIgnored(_logger, message.Topic);
        }
        else
        {
            await _commands.TryHandleAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    private void OnNodeCommand(byte[] bytes)
    {
        Payload payload;
        try
        {
            payload = Payload.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            LogBadCommand(_logger, _ncmdTopic, ex);
            return;
        }

        foreach (var metric in payload.Metrics)
        {
            var isRebirth = metric.Name == RebirthMetric || (metric.HasAlias && metric.Alias == _rebirthAlias && !metric.HasName);
            if (isRebirth && metric.ValueCase == Payload.Types.Metric.ValueOneofCase.BooleanValue && metric.BooleanValue)
            {
                LogRebirth(_logger);
                _emitter.RequestRebirth();
            }
        }
    }

    /// <summary>Sparkplug 3.0 STATE is JSON <c>{"online":…,"timestamp":…}</c>; 2.2 hosts sent ONLINE/OFFLINE text.</summary>
    private void OnHostState(byte[] bytes)
    {
        bool online;
        var text = Encoding.UTF8.GetString(bytes).Trim();
        if (text is "ONLINE" or "OFFLINE")
        {
            online = text == "ONLINE";
        }
        else
        {
            try
            {
                using var doc = JsonDocument.Parse(bytes);
                online = doc.RootElement.TryGetProperty("online", out var o) && o.ValueKind == JsonValueKind.True;
            }
            catch (JsonException ex)
            {
                LogBadCommand(_logger, _stateTopic, ex);
                return;
            }
        }

        var was = _hostOnline;
        _hostOnline = online;
        if (online != was)
        {
            LogHostState(_logger, _options.PrimaryHost!, online ? "online" : "offline");
            if (online)
            {
                _emitter.RequestRebirth(); // births and the queue resume only with the host online
            }

            _emitter.Wake();
        }
    }

    private static MqttApplicationMessage Message(string topic, byte[] payload, int qos, bool retain) =>
        MqttMessages.Create(topic, payload, qos, retain);

    [LoggerMessage(EventId = 340, Level = LogLevel.Information, Message = "Sparkplug rebirth requested (NCMD Node Control/Rebirth)")]
    private static partial void LogRebirth(ILogger logger);

    [LoggerMessage(EventId = 341, Level = LogLevel.Information, Message = "Sparkplug primary host {Host} is {State}")]
    private static partial void LogHostState(ILogger logger, string host, string state);

    [LoggerMessage(EventId = 342, Level = LogLevel.Warning, Message = "Sparkplug message on {Topic} ignored: not a valid payload")]
    private static partial void LogBadCommand(ILogger logger, string topic, Exception exception);

    [LoggerMessage(EventId = 343, Level = LogLevel.Debug, Message = "Sparkplug message on {Topic} ignored (not handled by an edge node)")]
    private static partial void LogIgnored(ILogger logger, string topic);

    [LoggerMessage(EventId = 344, Level = LogLevel.Warning, Message = "Sparkplug bdSeq file {Path} cannot be read or written; bdSeq is counted in memory until it can (a restart meanwhile starts again from 0)")]
    private static partial void LogBdSeqFile(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 345, Level = LogLevel.Information, Message = "Sparkplug bdSeq file {Path} is usable again")]
    private static partial void LogBdSeqFileUsable(ILogger logger, string path);
}
