using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Drivers.OpcUa;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Services;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Sources;

/// <summary>YAML binding of <c>driver: opcua</c> (every key is documented in src/Drivers/OpcUa/README.md).</summary>
public sealed class OpcUaDriverFactory : IDriverFactory
{
    private static readonly string[] Modes = ["subscribe", "poll"];
    private static readonly string[] SecurityModes = ["None", "Sign", "SignAndEncrypt"];
    private static readonly string[] DeadbandTypes = ["absolute", "percent"];

    public IReadOnlyList<string> Drivers { get; } = ["opcua"];

    public object? BindSource(string driver, ConfigMap source)
    {
        var endpoint = source.RequiredString("endpoint");
        if (endpoint.Length > 0 && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != "opc.tcp" || uri.Host.Length == 0))
        {
            source.Error("endpoint", $"expected opc.tcp://HOST:PORT[/PATH], found '{endpoint}'");
        }

        if (source.Map("security") is { } security)
        {
            var policy = security.String("policy") ?? "None";
            var mode = security.Choice("mode", SecurityModes) ?? "None";
            if (!SecurityPolicies.Known.ContainsKey(policy))
            {
                security.Error("policy", $"unknown security policy '{policy}'; expected one of {string.Join(", ", SecurityPolicies.Known.Keys)}");
            }
            else if (!policy.Equals("None", StringComparison.OrdinalIgnoreCase) || mode != "None")
            {
                security.Error(security.Has("policy") && !policy.Equals("None", StringComparison.OrdinalIgnoreCase) ? "policy" : "mode",
                    $"security policy {policy} / mode {mode} is not yet supported (this version speaks policy None, mode None; encryption comes with OPC UA part 2)");
            }

            security.Bool("autoAccept");
            security.ReportUnknownKeys();
        }

        string? user = null, password = null;
        var allowClear = false;
        if (source.Map("auth") is { } auth)
        {
            user = auth.RequiredString("user");
            password = auth.String("password") ?? "";
            allowClear = auth.Bool("allowClearTextPassword") ?? false;
            auth.ReportUnknownKeys();
        }

        var defaults = new OpcUaSourceOptions { Client = new UaClientOptions { EndpointUrl = endpoint } };
        var timeout = source.Duration("timeout", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5));
        DataChangeFilter? filter = null;
        if (source.Map("deadband") is { } deadband)
        {
            var type = deadband.Choice("type", DeadbandTypes, required: true);
            var value = deadband.Double("value", 0, type == "percent" ? 100 : double.MaxValue, required: true) ?? 0;
            filter = new DataChangeFilter(DataChangeTrigger.StatusValue, type == "percent" ? DeadbandType.Percent : DeadbandType.Absolute, value);
            deadband.ReportUnknownKeys();
        }

        return defaults with
        {
            Client = defaults.Client with
            {
                UserName = user,
                Password = password,
                AllowClearTextPassword = allowClear,
                Transport = timeout is { } t ? defaults.Client.Transport with { RequestTimeout = t, ConnectTimeout = t } : defaults.Client.Transport,
            },
            Mode = source.Choice("mode", Modes) == "poll" ? OpcUaMode.Poll : OpcUaMode.Subscribe,
            Sampling = source.Duration("sampling", TimeSpan.Zero, TimeSpan.FromHours(1)) ?? defaults.Sampling,
            PublishingInterval = source.Duration("publishingInterval", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1)) ?? defaults.PublishingInterval,
            QueueSize = (uint)(source.Int("queueSize", 1, 100_000) ?? (int)defaults.QueueSize),
            Filter = filter,
        };
    }

    public object? BindTag(string driver, ConfigMap tag, object? sourceOptions)
    {
        var node = tag.RequiredString("node");
        if (node.Length > 0 && !ExpandedNodeId.TryParse(node, out _, out var error))
        {
            tag.Error("node", error);
        }

        return new OpcUaTagOptions(node);
    }

    public void Check(SourceConfig source, ConfigMap map)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in source.Tags)
        {
            if (tag.Options is OpcUaTagOptions o && !seen.TryAdd(o.Node, tag.Name))
            {
                map.ErrorHere($"tags {seen[o.Node]} and {tag.Name} read the same node {o.Node}");
            }
        }
    }

    public ISource Create(SourceConfig source, ILoggerFactory loggers)
    {
        var options = (OpcUaSourceOptions)source.Options! with { Poll = source.Poll };
        return new OpcUaSource(source.Name, options, source.Bindings(), loggers.CreateLogger("EdgeAgent.Sources.OpcUa"));
    }
}
