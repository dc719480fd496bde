namespace EdgeAgent.Config;

/// <summary>Binds <c>outputs:</c>. Each sink's keys are bound in its own method so sinks grow independently.</summary>
public static class OutputsBinder
{
    public static OutputsConfig Bind(ConfigMap? map)
    {
        if (map is null)
        {
            return new OutputsConfig();
        }

        var mqttDisabled = map.Raw("mqtt") is YamlDotNet.RepresentationModel.YamlScalarNode { Value: "false" or "off" or "none" };
        var result = new OutputsConfig
        {
            Mqtt = mqttDisabled ? null : BindMqtt(map.Map("mqtt")),
            MqttDisabled = mqttDisabled,
            Influxdb = BindInflux(map.Map("influxdb")),
            Prometheus = BindPrometheus(map.Map("prometheus")),
        };
        map.ReportUnknownKeys();
        return result;
    }

    public static readonly string[] MqttFormats = ["json", "sparkplug"];
    public static readonly string[] MqttProtocols = ["3.1.1", "5"];
    public static readonly string[] MqttStreamNames = ["data", "status", "spc", "alarms"];
    public static readonly string[] MqttDataModes = ["per-tag", "batched"];
    public static readonly string[] OutboxSyncModes = ["full", "normal"];

    private static MqttOptions? BindMqtt(ConfigMap? map)
    {
        if (map is null)
        {
            return null;
        }

        var broker = ParseUri(map, "broker", ["mqtt", "mqtts", "tcp", "ssl"], required: true);
        var defaults = new MqttOptions { Broker = new Uri("mqtt://localhost:1883") };
        var result = defaults with
        {
            Broker = broker ?? defaults.Broker,
            Format = map.Choice("format", MqttFormats) ?? defaults.Format,
            ClientId = map.String("clientId"),
            Username = map.String("username"),
            Password = map.String("password"),
            KeepAlive = map.Duration("keepAlive", TimeSpan.FromSeconds(1), TimeSpan.FromHours(18)) ?? defaults.KeepAlive,
            Protocol = map.Choice("protocol", MqttProtocols) ?? defaults.Protocol,
            Group = map.String("group"),
            PrimaryHost = map.String("primaryHost"),
            Embedded = map.Bool("embedded") ?? false,
            Qos = BindQos(map) ?? defaults.Qos,
            Streams = BindStreams(map) ?? defaults.Streams,
            BatchData = map.Choice("data", MqttDataModes) is "batched",
            Outbox = BindOutbox(map) ?? defaults.Outbox,
            MaxInflight = map.Int("inflight", 1, 65_535) ?? defaults.MaxInflight,
            ReconnectMax = map.Duration("reconnectMax", TimeSpan.FromMilliseconds(250), TimeSpan.FromHours(1)) ?? defaults.ReconnectMax,
            SessionExpiry = map.Duration("sessionExpiry", TimeSpan.Zero, TimeSpan.FromSeconds(uint.MaxValue - 1)) ?? defaults.SessionExpiry,
        };
        if (result.Embedded && result.Broker.Scheme is not ("mqtt" or "tcp"))
        {
            map.Error("embedded", "the embedded broker listens without TLS: use an mqtt:// broker URL with embedded: true");
        }

        if (result.Password is not null && result.Username is null)
        {
            map.Error("password", "a password needs a username");
        }

        if (result.Group is not null && !ValidSparkplugId(result.Group))
        {
            map.Error("group", $"'{result.Group}' is not a valid Sparkplug group id: no '/', '+' or '#'");
        }

        if (result.PrimaryHost is not null && !ValidSparkplugId(result.PrimaryHost))
        {
            map.Error("primaryHost", $"'{result.PrimaryHost}' is not a valid Sparkplug host id: no '/', '+' or '#'");
        }

        if (result.PrimaryHost is not null && result.Format != "sparkplug")
        {
            map.Error("primaryHost", "primaryHost is a Sparkplug setting: add format: sparkplug");
        }

        result = result with { Tls = BindTls(map, result.UseTls) };
        map.ReportUnknownKeys();
        return result;
    }

    private static bool ValidSparkplugId(string id) => id.Length > 0 && id.IndexOfAny(['/', '+', '#']) < 0;

    /// <summary><c>qos: 1</c> for every stream, or <c>qos: { data: 0, alarms: 1, … }</c>.</summary>
    private static MqttQos? BindQos(ConfigMap map)
    {
        var raw = map.Raw("qos");
        if (raw is null)
        {
            return null;
        }

        if (raw is YamlDotNet.RepresentationModel.YamlScalarNode)
        {
            var all = map.Int("qos", 0, 1);
            return all is { } q ? new MqttQos { Data = q, Status = q, Spc = q, Alarms = q } : null;
        }

        var qos = map.Map("qos");
        if (qos is null)
        {
            return null;
        }

        var defaults = new MqttQos();
        var result = new MqttQos
        {
            Data = qos.Int("data", 0, 1) ?? defaults.Data,
            Status = qos.Int("status", 0, 1) ?? defaults.Status,
            Spc = qos.Int("spc", 0, 1) ?? defaults.Spc,
            Alarms = qos.Int("alarms", 0, 1) ?? defaults.Alarms,
        };
        qos.ReportUnknownKeys();
        return result;
    }

    /// <summary><c>streams: [data, status, spc, alarms]</c>: the streams published (default all).</summary>
    private static MqttStreams? BindStreams(ConfigMap map)
    {
        if (map.Raw("streams") is null)
        {
            return null;
        }

        var streams = MqttStreams.None;
        foreach (var (name, at) in map.StringList("streams"))
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
                var hint = Suggest.Closest(name, MqttStreamNames);
                map.Errors.Add(at, $"{map.Child("streams")}: unknown stream '{name}'{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; expected some of: {string.Join(", ", MqttStreamNames)}");
            }

            streams |= flag;
        }

        return streams;
    }

    /// <summary><c>outbox: off</c>, or <c>outbox: { maxMessages, maxBytes, maxAge, sync, memory }</c>.</summary>
    private static Outputs.Outbox.OutboxOptions? BindOutbox(ConfigMap map)
    {
        var raw = map.Raw("outbox");
        if (raw is null)
        {
            return null;
        }

        var defaults = new Outputs.Outbox.OutboxOptions();
        if (raw is YamlDotNet.RepresentationModel.YamlScalarNode)
        {
            return map.Bool("outbox") is false ? defaults with { Enabled = false } : defaults;
        }

        var outbox = map.Map("outbox");
        if (outbox is null)
        {
            return null;
        }

        var result = defaults with
        {
            Enabled = outbox.Bool("enabled") ?? true,
            MaxMessages = outbox.Int("maxMessages", 1000, int.MaxValue) ?? defaults.MaxMessages,
            MaxBytes = Size(outbox, "maxBytes", 1L << 20) ?? defaults.MaxBytes,
            MaxAge = outbox.Duration("maxAge", TimeSpan.FromSeconds(10)) ?? defaults.MaxAge,
            FullSync = (outbox.Choice("sync", OutboxSyncModes) ?? "full") == "full",
            MemoryCapacity = outbox.Int("memory", 1000, 10_000_000) ?? defaults.MemoryCapacity,
        };
        outbox.ReportUnknownKeys();
        return result;
    }

    /// <summary>A byte size: <c>1048576</c>, <c>512KB</c>, <c>100MB</c>, <c>2GB</c> (powers of 1024).</summary>
    internal static long? Size(ConfigMap map, string key, long min)
    {
        var text = map.String(key);
        if (text is null)
        {
            return null;
        }

        var t = text.Trim();
        long unit = 1;
        foreach (var (suffix, factor) in (ReadOnlySpan<(string, long)>)[("KB", 1L << 10), ("MB", 1L << 20), ("GB", 1L << 30), ("TB", 1L << 40), ("B", 1)])
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                unit = factor;
                t = t[..^suffix.Length].TrimEnd();
                break;
            }
        }

        if (!double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number) || number < 0)
        {
            map.Error(key, $"expected a size such as 512MB or 2GB, found '{text}'");
            return null;
        }

        var bytes = (long)Math.Min(number * unit, long.MaxValue);
        if (bytes < min)
        {
            map.Error(key, $"must be at least {min} bytes, found {text}");
            return null;
        }

        return bytes;
    }

    /// <summary><c>tls: { ca, cert, key, serverName, insecure }</c>; files must exist and be readable at load.</summary>
    private static MqttTlsOptions? BindTls(ConfigMap map, bool useTls)
    {
        var tls = map.Map("tls");
        if (tls is null)
        {
            return useTls ? new MqttTlsOptions() : null;
        }

        if (!useTls)
        {
            map.Error("tls", "TLS settings need an mqtts:// broker URL (mqtt:// is plain TCP)");
        }

        var result = new MqttTlsOptions
        {
            Ca = ExistingFile(tls, "ca"),
            Cert = ExistingFile(tls, "cert"),
            Key = ExistingFile(tls, "key"),
            ServerName = tls.String("serverName"),
            Insecure = tls.Bool("insecure") ?? false,
        };
        if (tls.Has("cert") != tls.Has("key"))
        {
            tls.Error(tls.Has("cert") ? "cert" : "key", "a client certificate needs both cert and key (PEM files)");
        }

        if (result.Insecure && result.Ca is not null)
        {
            tls.Error("insecure", "insecure: true accepts any certificate, so ca would be ignored: remove one of them");
        }

        tls.ReportUnknownKeys();
        return result;
    }

    private static string? ExistingFile(ConfigMap map, string key)
    {
        var path = map.String(key);
        if (path is null)
        {
            return null;
        }

        var configDir = Path.GetDirectoryName(Path.GetFullPath(map.Errors.File)) ?? ".";
        var full = Path.GetFullPath(Path.Combine(configDir, path));
        if (!File.Exists(full))
        {
            map.Error(key, $"file not found: {full}");
            return null;
        }

        return full;
    }

    private static InfluxOptions? BindInflux(ConfigMap? map)
    {
        if (map is null)
        {
            return null;
        }

        var url = ParseUri(map, "url", ["http", "https"], required: true);
        var result = new InfluxOptions
        {
            Url = url ?? new Uri("http://localhost:8086"),
            Org = map.String("org"),
            Bucket = map.RequiredString("bucket"),
            Token = map.String("token"),
        };
        map.ReportUnknownKeys();
        return result;
    }

    private static PrometheusOptions? BindPrometheus(ConfigMap? map)
    {
        if (map is null)
        {
            return null;
        }

        var listen = map.String("listen") ?? new PrometheusOptions().Listen;
        if (!System.Net.IPEndPoint.TryParse(listen, out var ep) || ep.Port == 0)
        {
            map.Error("listen", $"expected HOST:PORT such as 127.0.0.1:9464, found '{listen}'");
        }

        map.ReportUnknownKeys();
        return new PrometheusOptions { Listen = listen };
    }

    internal static Uri? ParseUri(ConfigMap map, string key, string[] schemes, bool required)
    {
        var text = map.String(key, required);
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !schemes.Contains(uri.Scheme))
        {
            map.Error(key, $"expected a URL such as {schemes[0]}://host:port, found '{text}'");
            return null;
        }

        return uri;
    }
}
