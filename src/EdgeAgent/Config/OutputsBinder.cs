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
            Group = map.String("group"),
            PrimaryHost = map.String("primaryHost"),
            Embedded = map.Bool("embedded") ?? false,
        };
        if (result.Embedded && result.Broker.Scheme is not ("mqtt" or "tcp"))
        {
            map.Error("embedded", "the embedded broker listens without TLS: use an mqtt:// broker URL with embedded: true");
        }

        map.ReportUnknownKeys();
        return result;
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
