using EdgeAgent.Config;
using EdgeAgent.Drivers.OpcUa;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Services;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Drivers.OpcUa.Plugin;

/// <summary>
/// <c>driver: opcua</c> in the agent: its keys, the binder, the check over all tags of a source (the same node twice),
/// the source, and the <c>probe</c> and <c>browse</c> commands (OpcUaPlugin.Probe.cs, OpcUaPlugin.Browse.cs). Every
/// key is documented in ../README.md.
/// </summary>
public sealed partial class OpcUaPlugin : DriverPlugin<OpcUaSourceOptions, OpcUaTagOptions>, IWriteCapability
{
    private static readonly string[] Modes = ["subscribe", "poll"];
    private static readonly string[] SecurityModes = ["None", "Sign", "SignAndEncrypt"];
    private static readonly string[] DeadbandTypes = ["absolute", "percent"];

    private static readonly Section Source = new("driver: opcua: an OPC UA server, subscribed (default) or polled.") { Closed = false };

    private static readonly StringKey Endpoint = Source.String(
        "endpoint", "opc.tcp://HOST:PORT[/PATH] (port 4840 when omitted).", required: true, pattern: "^(opc\\.tcp://|\\$\\{)");

    private static readonly Section Security = new("The secure channel's security. Only policy None, mode None for now.");
    private static readonly StringKey SecurityPolicy = Security.String("policy", "None (Basic256Sha256, Aes128_Sha256_RsaOaep: OPC UA part 2).");
    private static readonly ChoiceKey SecurityMode = Security.Choice("mode", "None; Sign and SignAndEncrypt come with OPC UA part 2. Default None.", SecurityModes);
    private static readonly BoolKey AutoAccept = Security.Bool("autoAccept", "Trust the server certificate on first use.");
    private static readonly MapKey SecurityKey = Source.Map("security", "{ policy, mode }: the secure channel's security. Default None / None.", Security);

    private static readonly Section Auth = new("UserName login (omitted: anonymous).");
    private static readonly StringKey User = Auth.String("user", "User name.", required: true);
    private static readonly StringKey Password = Auth.String("password", "Password (${ENV} keeps it out of the file). With policy None it travels in clear text: loopback only unless allowClearTextPassword.");
    private static readonly BoolKey AllowClearTextPassword = Auth.Bool("allowClearTextPassword", "Opt in to a clear-text password to a remote server with policy None.");
    private static readonly MapKey AuthKey = Source.Map("auth", "{ user, password }: UserName login. Default anonymous.", Auth);

    private static readonly ChoiceKey Mode = Source.Choice("mode", "Default subscribe.", Modes);
    private static readonly DurationKey Sampling = Source.Duration(
        "sampling", "Requested sampling interval per item (0ms: every change). Default 100ms.", TimeSpan.Zero, TimeSpan.FromHours(1));
    private static readonly DurationKey PublishingInterval = Source.Duration(
        "publishingInterval", "Default 100ms.", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
    private static readonly IntKey QueueSize = Source.Int("queueSize", "Per-item server queue. Default 100.", 1, 100_000);

    private static readonly Section Deadband = new("subscribe: report a change only when the value moves this much.");
    private static readonly ChoiceKey DeadbandTypeKey = Deadband.Choice("type", "absolute (engineering units) or percent (of the EURange, 0 to 100).", DeadbandTypes, required: true);
    private static readonly NumberKey DeadbandValue = Deadband.Number("value", "The deadband, in engineering units or percent.", 0, required: true);
    private static readonly MapKey DeadbandKey = Source.Map("deadband", "{ type: absolute | percent, value }: subscribe only. Default none.", Deadband);

    /// <summary>How <c>value</c> is read: its upper bound depends on <c>type</c>, so these stand in for <see cref="DeadbandValue"/> (which the schema shows).</summary>
    private static readonly NumberKey PercentValue = new("value", null, 0, 100) { Required = true };

    private static readonly NumberKey AbsoluteValue = new("value", null, 0, double.MaxValue) { Required = true };

    private static readonly DurationKey Timeout = Source.Duration(
        "timeout", "Connect and per-request timeout. Default 10s.", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5));

    private static readonly Section Tag = new("An OPC UA tag: the node to read.") { DefName = "opcuaTag", Closed = false };

    private static readonly StringKey Node = Tag.String("node", "ns=N;s=…, ns=N;i=…, ns=N;g=GUID, ns=N;b=BASE64, i=…, nsu=URI;s=…", required: true);

    public override IReadOnlyList<string> Drivers { get; } = ["opcua"];

    public override Section SourceKeys(string driver) => Known(driver, Source);

    public override Section TagKeys(string driver) => Known(driver, Tag);

    protected override OpcUaSourceOptions? BindSource(string driver, ConfigMap source)
    {
        var endpoint = Endpoint.ReadRequired(source);
        if (endpoint.Length > 0 && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != "opc.tcp" || uri.Host.Length == 0))
        {
            source.Error(Endpoint.Name, $"expected opc.tcp://HOST:PORT[/PATH], found '{endpoint}'");
        }

        if (SecurityKey.Read(source) is { } security)
        {
            var policy = SecurityPolicy.Read(security) ?? "None";
            var mode = SecurityMode.Read(security) ?? "None";
            if (!SecurityPolicies.Known.ContainsKey(policy))
            {
                security.Error(SecurityPolicy.Name, $"unknown security policy '{policy}'; expected one of {string.Join(", ", SecurityPolicies.Known.Keys)}");
            }
            else if (!policy.Equals("None", StringComparison.OrdinalIgnoreCase) || mode != "None")
            {
                security.Error(security.Has(SecurityPolicy.Name) && !policy.Equals("None", StringComparison.OrdinalIgnoreCase) ? SecurityPolicy.Name : SecurityMode.Name,
                    $"security policy {policy} / mode {mode} is not yet supported (this version speaks policy None, mode None; encryption comes with OPC UA part 2)");
            }

            AutoAccept.Read(security);
            security.ReportUnknownKeys();
        }

        string? user = null, password = null;
        var allowClear = false;
        if (AuthKey.Read(source) is { } auth)
        {
            user = User.ReadRequired(auth);
            password = Password.Read(auth) ?? "";
            allowClear = AllowClearTextPassword.Read(auth) ?? false;
            auth.ReportUnknownKeys();
        }

        var defaults = new OpcUaSourceOptions { Client = new UaClientOptions { EndpointUrl = endpoint } };
        var timeout = Timeout.Read(source);
        DataChangeFilter? filter = null;
        if (DeadbandKey.Read(source) is { } deadband)
        {
            var type = DeadbandTypeKey.Read(deadband);
            var value = (type == "percent" ? PercentValue : AbsoluteValue).Read(deadband) ?? 0;
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
            Mode = Mode.Read(source) == "poll" ? OpcUaMode.Poll : OpcUaMode.Subscribe,
            Sampling = Sampling.Read(source) ?? defaults.Sampling,
            PublishingInterval = PublishingInterval.Read(source) ?? defaults.PublishingInterval,
            QueueSize = (uint)(QueueSize.Read(source) ?? (int)defaults.QueueSize),
            Filter = filter,
        };
    }

    protected override OpcUaTagOptions? BindTag(string driver, ConfigMap tag, OpcUaSourceOptions? source)
    {
        var node = Node.ReadRequired(tag);
        if (node.Length > 0 && !ExpandedNodeId.TryParse(node, out _, out var error))
        {
            tag.Error(Node.Name, error);
        }

        return new OpcUaTagOptions(node);
    }

    /// <summary>Runs for any source whose options bound (the tags always bind): two tags on one node is an error.</summary>
    protected override void Check(SourceConfig source, OpcUaSourceOptions options, IReadOnlyList<OpcUaTagOptions> tags, ConfigMap map)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < tags.Count; i++)
        {
            var name = source.Tags[i].Name;
            if (!seen.TryAdd(tags[i].Node, name))
            {
                map.ErrorHere($"tags {seen[tags[i].Node]} and {name} read the same node {tags[i].Node}");
            }
        }
    }

    /// <summary>Any variable may be writable: the server's access level decides at the write (BadNotWritable is reported).</summary>
    public string? WriteProblem(string driver, object? tagOptions) => null;

    /// <summary>The node's data type is the server's, known only at the write: here only a finite number is required.</summary>
    public string? ValueProblem(string driver, object? tagOptions, double value) =>
        double.IsFinite(value) ? null : $"the value must be a finite number, found {value}";

    protected override ISource Create(SourceConfig source, OpcUaSourceOptions options, ILoggerFactory loggers) =>
        new OpcUaSource(source.Name, options with { Poll = source.Poll }, source.Bindings(), loggers.CreateLogger("EdgeAgent.Sources.OpcUa"));

    private Section Known(string driver, Section section) => Drivers.Contains(driver)
        ? section
        : throw new ArgumentException($"not the OPC UA driver: '{driver}'", nameof(driver));
}
