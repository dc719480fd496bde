using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Security;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Drivers.OpcUa.Plugin;

/// <summary>
/// The security options <c>browse</c> and <c>probe</c> share (<c>--policy --mode --user --password-env --pki
/// --auto-accept</c>), checked as the YAML keys are, and the certificate stores of a config for <c>edgeagent pki</c>.
/// </summary>
public sealed partial class OpcUaPlugin
{
    private const string PolicyOption = "--policy";
    private const string ModeOption = "--mode";
    private const string PasswordEnvOption = "--password-env";
    private const string PkiOption = "--pki";
    private const string AutoAcceptOption = "--auto-accept";
    private const string AllowDeprecatedOption = "--allow-deprecated";

    private static readonly CommandOption[] SecurityOptions =
    [
        new(PolicyOption, "OPC UA security policy: None, Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss or auto (default None)."),
        new(ModeOption, "OPC UA security mode: Sign or SignAndEncrypt (default SignAndEncrypt with a policy, None without)."),
        new(UserOption, "User name (anonymous when omitted)."),
        new(PasswordEnvOption, "Environment variable holding the password for --user (keeps it out of the shell history)."),
        new(PkiOption, "Certificate store folder (own, trusted, rejected, issuers); default $EDGEAGENT_DATA/pki, else data/pki."),
        new(AutoAcceptOption, "Trust an unknown server certificate on first use.", IsFlag: true),
        new(AllowDeprecatedOption, "Allow the SHA-1 policies Basic128Rsa15 and Basic256.", IsFlag: true),
    ];

    /// <summary>The client options of a command line, or an error message (exit 2).</summary>
    internal static string? ClientOptions(string url, CommandArguments arguments, out UaClientOptions options)
    {
        options = new UaClientOptions { EndpointUrl = url };
        var policyName = arguments[PolicyOption] ?? "None";
        var modeName = arguments[ModeOption];
        var auto = string.Equals(policyName, UaSecurityOptions.Auto, StringComparison.OrdinalIgnoreCase);
        var none = string.Equals(policyName, "None", StringComparison.OrdinalIgnoreCase);
        var info = none || auto ? null : SecurityPolicyInfo.FindByName(policyName);
        if (!none && !auto && info is null)
        {
            return $"{PolicyOption}: unknown security policy '{policyName}'; expected one of None, auto, {string.Join(", ", SecurityPolicyInfo.All.Select(p => p.Name))}";
        }

        MessageSecurityMode mode;
        switch (modeName)
        {
            case null:
                mode = none ? MessageSecurityMode.None : auto ? MessageSecurityMode.Invalid : MessageSecurityMode.SignAndEncrypt;
                break;
            case "Sign" or "SignAndEncrypt" when !none:
                mode = modeName == "Sign" ? MessageSecurityMode.Sign : MessageSecurityMode.SignAndEncrypt;
                break;
            case "None" when none:
                mode = MessageSecurityMode.None;
                break;
            default:
                return none
                    ? $"{ModeOption}: mode {modeName} needs a security policy: give {PolicyOption} (e.g. Basic256Sha256 or auto)"
                    : $"{ModeOption}: expected Sign or SignAndEncrypt with policy {policyName}, found '{modeName}'";
        }

        var allowDeprecated = arguments.Flag(AllowDeprecatedOption);
        if (info is { Deprecated: true } && !allowDeprecated)
        {
            return $"{PolicyOption}: {info.Name} is deprecated (SHA-1): add {AllowDeprecatedOption} to use it";
        }

        var password = arguments[PasswordOption];
        if (arguments[PasswordEnvOption] is { } variable)
        {
            password = Environment.GetEnvironmentVariable(variable);
            if (password is null)
            {
                return $"{PasswordEnvOption}: environment variable {variable} is not set";
            }
        }

        if (password is not null && arguments[UserOption] is null)
        {
            return $"{PasswordEnvOption}: a password needs {UserOption}";
        }

        var pki = arguments[PkiOption] ?? DefaultPkiFolder();
        options = options with
        {
            UserName = arguments[UserOption],
            Password = password,
            AllowClearTextPassword = arguments.Flag(AllowClearTextOption),
            Security = new UaSecurityOptions
            {
                Policy = none ? "None" : auto ? UaSecurityOptions.Auto : info!.Name,
                Mode = mode,
                AutoAccept = arguments.Flag(AutoAcceptOption),
                AllowDeprecated = allowDeprecated,
                Pki = none ? null : new PkiStore(pki),
            },
        };
        return null;
    }

    private static string DefaultPkiFolder() =>
        Environment.GetEnvironmentVariable("EDGEAGENT_DATA") is { Length: > 0 } data ? Path.Combine(data, "pki") : Path.Combine("data", "pki");

    /// <summary>The certificate stores the OPC UA sources of a config use (security.pki, else {agent.data}/pki), distinct.</summary>
    public static IReadOnlyList<PkiStore> CertificateStores(IEnumerable<SourceConfig> sources)
    {
        var folders = new List<string>();
        foreach (var source in sources)
        {
            if (source.Options is OpcUaSourceOptions options)
            {
                var folder = Path.GetFullPath(options.PkiFolder ?? Path.Combine(source.DataFolder, "pki"));
                if (!folders.Contains(folder))
                {
                    folders.Add(folder);
                }
            }
        }

        return folders.Select(f => new PkiStore(f)).ToList();
    }
}
