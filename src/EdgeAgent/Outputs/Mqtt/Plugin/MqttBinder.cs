using EdgeAgent.Config;
using EdgeAgent.Outputs.Mqtt.Outbox;
using YamlDotNet.RepresentationModel;

namespace EdgeAgent.Outputs.Mqtt.Plugin;

/// <summary>
/// Binds <c>outputs.mqtt</c> through the keys <see cref="MqttKeys"/> declares. Keys are read in a fixed order, the
/// order the did-you-mean of an unknown key picks among equally close names.
/// </summary>
internal static class MqttBinder
{
    /// <summary>
    /// <c>mqtt: false|off|none</c>: null (no MQTT). Omitted (or <paramref name="outputs"/> absent, or <c>mqtt: ~</c>):
    /// <see cref="MqttOptions.EmbeddedDefault"/>. Otherwise the bound mapping, with every problem reported in place.
    /// </summary>
    public static MqttOptions? Bind(ConfigMap? outputs)
    {
        if (outputs is null)
        {
            return MqttOptions.EmbeddedDefault;
        }

        if (MqttKeys.Mqtt.Read(outputs) is YamlScalarNode { Value: { } word } && MqttKeys.Off.Contains(word))
        {
            return null;
        }

        var map = outputs.Map(MqttKeys.Mqtt.Name);
        return map is null ? MqttOptions.EmbeddedDefault : BindMap(map);
    }

    private static MqttOptions BindMap(ConfigMap map)
    {
        var broker = MqttKeys.Broker.Read(map);
        var defaults = new MqttOptions { Broker = new Uri("mqtt://localhost:1883") };
        var result = defaults with
        {
            Broker = broker ?? defaults.Broker,
            Format = MqttKeys.Format.Read(map) ?? defaults.Format,
            ClientId = MqttKeys.ClientId.Read(map),
            Username = MqttKeys.Username.Read(map),
            Password = MqttKeys.Password.Read(map),
            KeepAlive = MqttKeys.KeepAlive.Read(map) ?? defaults.KeepAlive,
            Protocol = MqttKeys.Protocol.Read(map) ?? defaults.Protocol,
            Group = MqttKeys.Group.Read(map),
            PrimaryHost = MqttKeys.PrimaryHost.Read(map),
            Embedded = MqttKeys.Embedded.Read(map) ?? false,
            Qos = BindQos(map) ?? defaults.Qos,
            Streams = BindStreams(map) ?? defaults.Streams,
            BatchData = MqttKeys.Data.Read(map) is "batched",
            Outbox = BindOutbox(map) ?? defaults.Outbox,
            MaxInflight = MqttKeys.Inflight.Read(map) ?? defaults.MaxInflight,
            ReconnectMax = MqttKeys.ReconnectMax.Read(map) ?? defaults.ReconnectMax,
            SessionExpiry = MqttKeys.SessionExpiry.Read(map) ?? defaults.SessionExpiry,
            RemoteWrites = BindCommands(map),
        };
        if (result.Embedded && result.Broker.Scheme is not ("mqtt" or "tcp"))
        {
            map.Error(MqttKeys.Embedded.Name, "the embedded broker listens without TLS: use an mqtt:// broker URL with embedded: true");
        }

        if (result.Password is not null && result.Username is null)
        {
            map.Error(MqttKeys.Password.Name, "a password needs a username");
        }

        if (result.Group is not null && !ValidSparkplugId(result.Group))
        {
            map.Error(MqttKeys.Group.Name, $"'{result.Group}' is not a valid Sparkplug group id: no '/', '+' or '#'");
        }

        if (result.PrimaryHost is not null && !ValidSparkplugId(result.PrimaryHost))
        {
            map.Error(MqttKeys.PrimaryHost.Name, $"'{result.PrimaryHost}' is not a valid Sparkplug host id: no '/', '+' or '#'");
        }

        if (result.PrimaryHost is not null && result.Format != "sparkplug")
        {
            map.Error(MqttKeys.PrimaryHost.Name, "primaryHost is a Sparkplug setting: add format: sparkplug");
        }

        result = result with { Tls = BindTls(map, result.UseTls) };
        map.ReportUnknownKeys();
        return result;
    }

    /// <summary><c>commands: { write: true }</c>: remote writes are opt-in.</summary>
    private static bool BindCommands(ConfigMap map)
    {
        if (MqttKeys.Commands.Read(map) is not { } commands)
        {
            return false;
        }

        var write = MqttKeys.RemoteWrites.Read(commands) ?? false;
        commands.ReportUnknownKeys();
        return write;
    }

    private static bool ValidSparkplugId(string id) => id.Length > 0 && id.IndexOfAny(['/', '+', '#']) < 0;

    /// <summary><c>qos: 1</c> for every stream, or <c>qos: { data: 0, alarms: 1, … }</c>.</summary>
    private static MqttQos? BindQos(ConfigMap map)
    {
        var raw = MqttKeys.Qos.Read(map);
        if (raw is null)
        {
            return null;
        }

        if (raw is YamlScalarNode)
        {
            var all = map.Int(MqttKeys.Qos.Name, 0, 1);
            return all is { } q ? new MqttQos { Data = q, Status = q, Spc = q, Alarms = q } : null;
        }

        var qos = map.Map(MqttKeys.Qos.Name);
        if (qos is null)
        {
            return null;
        }

        var defaults = new MqttQos();
        var result = new MqttQos
        {
            Data = MqttKeys.QosData.Read(qos) ?? defaults.Data,
            Status = MqttKeys.QosStatus.Read(qos) ?? defaults.Status,
            Spc = MqttKeys.QosSpc.Read(qos) ?? defaults.Spc,
            Alarms = MqttKeys.QosAlarms.Read(qos) ?? defaults.Alarms,
        };
        qos.ReportUnknownKeys();
        return result;
    }

    /// <summary><c>streams: [data, status, spc, alarms]</c>: the streams published (default all).</summary>
    private static MqttStreams? BindStreams(ConfigMap map)
    {
        if (map.Raw(MqttKeys.Streams.Name) is null)
        {
            return null;
        }

        var streams = MqttStreams.None;
        foreach (var (name, at) in MqttKeys.Streams.Read(map))
        {
            var flag = name switch
            {
                "data" => MqttStreams.Data,
                "status" => MqttStreams.Status,
                "spc" => MqttStreams.Spc,
                "alarms" => MqttStreams.Alarms,
                _ => MqttStreams.None,
            };
            if (flag == MqttStreams.None)
            {
                var hint = Suggest.Closest(name, MqttKeys.StreamNames);
                map.Errors.Add(at, $"{map.Child(MqttKeys.Streams.Name)}: unknown stream '{name}'{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; expected some of: {string.Join(", ", MqttKeys.StreamNames)}");
            }

            streams |= flag;
        }

        return streams;
    }

    /// <summary><c>outbox: off</c>, or <c>outbox: { maxMessages, maxBytes, maxAge, sync, memory }</c>.</summary>
    private static OutboxOptions? BindOutbox(ConfigMap map)
    {
        var raw = MqttKeys.Outbox.Read(map);
        if (raw is null)
        {
            return null;
        }

        var defaults = new OutboxOptions();
        if (raw is YamlScalarNode)
        {
            return map.Bool(MqttKeys.Outbox.Name) is false ? defaults with { Enabled = false } : defaults;
        }

        var outbox = map.Map(MqttKeys.Outbox.Name);
        if (outbox is null)
        {
            return null;
        }

        var result = defaults with
        {
            Enabled = MqttKeys.OutboxEnabled.Read(outbox) ?? true,
            MaxMessages = MqttKeys.MaxMessages.Read(outbox) ?? defaults.MaxMessages,
            MaxBytes = MqttKeys.MaxBytes.Read(outbox) ?? defaults.MaxBytes,
            MaxAge = MqttKeys.MaxAge.Read(outbox) ?? defaults.MaxAge,
            FullSync = (MqttKeys.Sync.Read(outbox) ?? "full") == "full",
            MemoryCapacity = MqttKeys.Memory.Read(outbox) ?? defaults.MemoryCapacity,
        };
        outbox.ReportUnknownKeys();
        return result;
    }

    /// <summary><c>tls: { ca, cert, key, serverName, insecure }</c>; files must exist and be readable at load.</summary>
    private static MqttTlsOptions? BindTls(ConfigMap map, bool useTls)
    {
        var tls = MqttKeys.Tls.Read(map);
        if (tls is null)
        {
            return useTls ? new MqttTlsOptions() : null;
        }

        if (!useTls)
        {
            map.Error(MqttKeys.Tls.Name, "TLS settings need an mqtts:// broker URL (mqtt:// is plain TCP)");
        }

        var result = new MqttTlsOptions
        {
            Ca = MqttKeys.Ca.Read(tls),
            Cert = MqttKeys.Cert.Read(tls),
            Key = MqttKeys.KeyFile.Read(tls),
            ServerName = MqttKeys.ServerName.Read(tls),
            Insecure = MqttKeys.Insecure.Read(tls) ?? false,
        };
        if (tls.Has(MqttKeys.Cert.Name) != tls.Has(MqttKeys.KeyFile.Name))
        {
            tls.Error(tls.Has(MqttKeys.Cert.Name) ? MqttKeys.Cert.Name : MqttKeys.KeyFile.Name, "a client certificate needs both cert and key (PEM files)");
        }

        if (result.Insecure && result.Ca is not null)
        {
            tls.Error(MqttKeys.Insecure.Name, "insecure: true accepts any certificate, so ca would be ignored: remove one of them");
        }

        tls.ReportUnknownKeys();
        return result;
    }
}
