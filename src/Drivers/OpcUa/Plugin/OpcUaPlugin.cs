using EdgeAgent.Config;
using EdgeAgent.Drivers.OpcUa;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Security;
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

    private static readonly Section Security = new("The secure channel's security: policy, mode, certificate trust.");
    private static readonly StringKey SecurityPolicy = Security.String(
        "policy", "None, Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss, auto (the strongest the server offers), or with allowDeprecated Basic128Rsa15, Basic256. Default None.");
    private static readonly ChoiceKey SecurityMode = Security.Choice(
        "mode", "None (policy None only), Sign or SignAndEncrypt. Default: None with policy None, SignAndEncrypt otherwise (auto: the strongest offered).", SecurityModes);
    private static readonly BoolKey AutoAccept = Security.Bool(
        "autoAccept", "Trust an unknown server certificate on first use (copied to pki/trusted). Default false: it is copied to pki/rejected and refused.");
    private static readonly BoolKey AllowDeprecated = Security.Bool("allowDeprecated", "Allow the SHA-1 policies Basic128Rsa15 and Basic256. Default false.");
    private static readonly StringKey Pki = Security.String("pki", "Certificate store folder (own, trusted, rejected, issuers), relative to the config file. Default {agent.data}/pki.");
    private static readonly MapKey SecurityKey = Source.Map("security", "{ policy, mode, autoAccept, allowDeprecated, pki }: the secure channel's security. Default None / None.", Security);

    private static readonly Section Auth = new("User identity (omitted: anonymous): { user, password } or { cert, key }.");
    private static readonly StringKey User = Auth.String("user", "User name.");
    private static readonly StringKey Password = Auth.String(
        "password", "Password (${ENV} keeps it out of the file); encrypted with the server's key as its policy says. With policy None it travels in clear text: loopback only unless allowClearTextPassword.");
    private static readonly BoolKey AllowClearTextPassword = Auth.Bool("allowClearTextPassword", "Opt in to a clear-text password to a remote server (policy None, or a Sign-only channel whose server wants it unencrypted).");
    private static readonly StringKey UserCertificate = Auth.String("cert", "X.509 user certificate file (PEM or DER), relative to the config file; needs a secure policy.");
    private static readonly StringKey UserKey = Auth.String("key", "The user certificate's RSA private key (PEM), relative to the config file.");
    private static readonly MapKey AuthKey = Source.Map("auth", "{ user, password } or { cert, key }: the user identity. Default anonymous.", Auth);

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

        var securityOptions = BindSecurity(source, out var pkiFolder);
        string? user = null, password = null, certFile = null, keyFile = null;
        var allowClear = false;
        if (AuthKey.Read(source) is { } auth)
        {
            user = User.Read(auth);
            password = Password.Read(auth);
            allowClear = AllowClearTextPassword.Read(auth) ?? false;
            var hasCert = auth.Has(UserCertificate.Name);
            if (user is null && !hasCert)
            {
                auth.ErrorHere("missing required key 'user' (or 'cert' and 'key' for an X.509 user certificate)");
            }
            else if (user is not null && hasCert)
            {
                auth.Error(UserCertificate.Name, "give either user/password or cert/key, not both");
            }
            else if (hasCert)
            {
                certFile = auth.ExistingFile(UserCertificate.Name);
                if (!auth.Has(UserKey.Name))
                {
                    auth.ErrorHere("missing required key 'key' (the private key of auth.cert)");
                }
                else
                {
                    keyFile = auth.ExistingFile(UserKey.Name);
                }

                if (certFile is not null && keyFile is not null)
                {
                    try
                    {
                        using var loaded = PkiStore.LoadWithKey(certFile, keyFile);
                    }
                    catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException or IOException)
                    {
                        auth.Error(UserKey.Name, $"cannot use {keyFile} as the private key of {certFile}: {e.Message}");
                    }
                }

                if (!securityOptions.IsSecure)
                {
                    auth.Error(UserCertificate.Name, "an X.509 user certificate needs a secure channel: set security.policy (e.g. Basic256Sha256)");
                }
            }
            else
            {
                password ??= "";
                if (auth.Has(UserKey.Name))
                {
                    auth.Error(UserKey.Name, "key goes with cert (an X.509 user certificate), not with user/password");
                }
            }

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
                Security = securityOptions,
                Transport = timeout is { } t ? defaults.Client.Transport with { RequestTimeout = t, ConnectTimeout = t } : defaults.Client.Transport,
            },
            Mode = Mode.Read(source) == "poll" ? OpcUaMode.Poll : OpcUaMode.Subscribe,
            Sampling = Sampling.Read(source) ?? defaults.Sampling,
            PublishingInterval = PublishingInterval.Read(source) ?? defaults.PublishingInterval,
            QueueSize = (uint)(QueueSize.Read(source) ?? (int)defaults.QueueSize),
            Filter = filter,
            PkiFolder = pkiFolder,
            UserCertificateFile = certFile,
            UserKeyFile = keyFile,
        };
    }

    /// <summary>
    /// security: policy and mode must agree (None with None; a secure policy with Sign or SignAndEncrypt), the SHA-1
    /// policies need allowDeprecated, and nothing is discovered wrong at connect time that can be seen here.
    /// </summary>
    private static UaSecurityOptions BindSecurity(ConfigMap source, out string? pkiFolder)
    {
        pkiFolder = null;
        if (SecurityKey.Read(source) is not { } security)
        {
            return UaSecurityOptions.None;
        }

        var policyName = SecurityPolicy.Read(security);
        var modeName = SecurityMode.Read(security);
        var autoAccept = AutoAccept.Read(security) ?? false;
        var allowDeprecated = AllowDeprecated.Read(security) ?? false;
        if (Pki.Read(security) is { Length: > 0 } pki)
        {
            pkiFolder = Path.GetFullPath(Path.Combine(security.ConfigFolder, pki));
        }

        security.ReportUnknownKeys();
        var auto = string.Equals(policyName, UaSecurityOptions.Auto, StringComparison.OrdinalIgnoreCase);
        var none = policyName is null || string.Equals(policyName, "None", StringComparison.OrdinalIgnoreCase);
        var info = none || auto ? null : SecurityPolicyInfo.FindByName(policyName!);
        var mode = modeName switch
        {
            "Sign" => MessageSecurityMode.Sign,
            "SignAndEncrypt" => MessageSecurityMode.SignAndEncrypt,
            "None" => MessageSecurityMode.None,
            _ => none ? MessageSecurityMode.None : auto ? MessageSecurityMode.Invalid : MessageSecurityMode.SignAndEncrypt,
        };
        if (!none && !auto && info is null)
        {
            security.Error(SecurityPolicy.Name, $"unknown security policy '{policyName}'; expected one of None, auto, {string.Join(", ", SecurityPolicyInfo.All.Select(p => p.Name))}");
            return UaSecurityOptions.None;
        }

        if (none && mode != MessageSecurityMode.None)
        {
            security.Error(SecurityMode.Name, $"mode {modeName} needs a security policy: set security.policy (e.g. Basic256Sha256 or auto)");
            return UaSecurityOptions.None;
        }

        if (!none && mode == MessageSecurityMode.None)
        {
            security.Error(SecurityMode.Name, $"policy {policyName} signs every message: mode must be Sign or SignAndEncrypt (or use policy None)");
            return UaSecurityOptions.None;
        }

        if (info is { Deprecated: true } && !allowDeprecated)
        {
            security.Error(SecurityPolicy.Name, $"{info.Name} is deprecated (SHA-1, broken for signatures): use Basic256Sha256 or Aes256_Sha256_RsaPss, or set allowDeprecated: true");
        }

        if (none && autoAccept)
        {
            security.Error(AutoAccept.Name, "autoAccept trusts server certificates, and policy None uses none: set a security policy or remove autoAccept");
        }

        return new UaSecurityOptions
        {
            Policy = none ? "None" : auto ? UaSecurityOptions.Auto : info!.Name,
            Mode = mode,
            AutoAccept = autoAccept,
            AllowDeprecated = allowDeprecated,
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
        new OpcUaSource(source.Name, WithCertificates(options, source.DataFolder) with { Poll = source.Poll }, source.Bindings(), loggers.CreateLogger("EdgeAgent.Sources.OpcUa"));

    /// <summary>The certificate store ({agent.data}/pki unless security.pki) and the X.509 user identity, loaded at start.</summary>
    internal static OpcUaSourceOptions WithCertificates(OpcUaSourceOptions options, string dataFolder)
    {
        var client = options.Client;
        if (client.Security.IsSecure || options.PkiFolder is not null)
        {
            client = client with { Security = client.Security with { Pki = new PkiStore(options.PkiFolder ?? Path.Combine(dataFolder, "pki")) } };
        }

        if (options.UserCertificateFile is { } cert && options.UserKeyFile is { } key)
        {
            client = client with { UserCertificate = PkiStore.LoadWithKey(cert, key) };
        }

        return options with { Client = client };
    }

    private Section Known(string driver, Section section) => Drivers.Contains(driver)
        ? section
        : throw new ArgumentException($"not the OPC UA driver: '{driver}'", nameof(driver));
}
