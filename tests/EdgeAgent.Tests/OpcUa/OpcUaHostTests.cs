using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using EdgeAgent.Cli;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Drivers.OpcUa;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Tests.Support;
using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.OpcUa;

public sealed class OpcUaConfigTests
{
    private static (AgentConfig? Config, ConfigErrors Errors) Load(string yaml) => ConfigLoader.TryParse(yaml, "test.yaml");

    [Fact]
    public void The_example_validates()
    {
        var (config, errors) = ConfigLoader.TryLoad(Repo.PathOf("src", "Drivers", "OpcUa", "example.yaml"));
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        var source = Assert.Single(config!.Sources);
        var options = Assert.IsType<OpcUaSourceOptions>(source.Options);
        Assert.Equal(OpcUaMode.Subscribe, options.Mode);
        Assert.Equal(TimeSpan.Zero, options.Sampling);
        Assert.Equal("nsu=urn:edgeagent:second;s=Second.Value", Assert.IsType<OpcUaTagOptions>(source.Tags[3].Options).Node);
    }

    [Fact]
    public void Every_bad_key_is_reported_at_its_position()
    {
        const string yaml = """
            sources:
              - name: cell
                driver: opcua
                endpoint: "http://10.0.0.5:4840"
                security: { policy: Basic256Sha512, mode: SignAndEncrypt }
                mode: stream
                deadband: { type: percent, value: 150 }
                tags:
                  - { name: a, node: "ns=x;s=A" }
                  - { name: b }
                  - { name: c, node: "ns=2;s=C", adress: 1 }
            """;
        var (_, errors) = Load(yaml);
        var lines = errors.Sorted().Select(e => e.ToString()).ToList();
        Assert.Contains(lines, l => l.StartsWith("test.yaml:4:15: sources[0].endpoint: expected opc.tcp://HOST:PORT[/PATH]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(":5:", StringComparison.Ordinal) && l.Contains("sources[0].security.policy: unknown security policy 'Basic256Sha512'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(":6:", StringComparison.Ordinal) && l.Contains("sources[0].mode", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(":7:", StringComparison.Ordinal) && l.Contains("deadband.value", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(":9:", StringComparison.Ordinal) && l.Contains("ns=<0-65535>", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(":10:", StringComparison.Ordinal) && l.Contains("node", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(":11:", StringComparison.Ordinal) && l.Contains("unknown key 'adress'", StringComparison.Ordinal));
    }

    [Fact]
    public void Poll_mode_and_auth_bind()
    {
        const string yaml = """
            sources:
              - name: cell
                driver: opcua
                endpoint: opc.tcp://127.0.0.1:4840
                mode: poll
                poll: 250ms
                auth: { user: edge, password: secret }
                tags:
                  - { name: a, node: "i=2258" }
            """;
        var (config, errors) = Load(yaml);
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        var options = Assert.IsType<OpcUaSourceOptions>(config!.Sources[0].Options);
        Assert.Equal((OpcUaMode.Poll, "edge", "secret"), (options.Mode, options.Client.UserName, options.Client.Password));
    }
}

public sealed class OpcUaSecurityConfigTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgeagent-uasec-config").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Yaml(string key) => $$"""
        sources:
          - name: cell
            driver: opcua
            endpoint: opc.tcp://127.0.0.1:4840
            security: { policy: Basic256Sha256, mode: Sign, pki: pki }
            auth: { cert: operator.pem, key: {{key}} }
            tags: [{ name: a, node: "i=2258" }]
        """;

    [Fact]
    public void A_user_certificate_binds_with_its_key_and_a_key_of_another_certificate_is_an_error_at_load()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        using var other = System.Security.Cryptography.RSA.Create(2048);
        using var certificate = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=operator", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(Path.Combine(_folder, "operator.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_folder, "operator.key.pem"), rsa.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(_folder, "other.key.pem"), other.ExportPkcs8PrivateKeyPem());

        var (config, errors) = ConfigLoader.TryParse(Yaml("operator.key.pem"), Path.Combine(_folder, "agent.yaml"));
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        var options = Assert.IsType<OpcUaSourceOptions>(config!.Sources[0].Options);
        Assert.Equal((Path.Combine(_folder, "operator.pem"), Path.Combine(_folder, "pki")), (options.UserCertificateFile, options.PkiFolder));
        Assert.Equal(("Basic256Sha256", EdgeAgent.Drivers.OpcUa.SecureChannel.MessageSecurityMode.Sign), (options.Client.Security.Policy, options.Client.Security.Mode));

        (_, errors) = ConfigLoader.TryParse(Yaml("other.key.pem"), Path.Combine(_folder, "agent.yaml"));
        var error = Assert.Single(errors.Sorted()).ToString();
        Assert.Contains("agent.yaml:6:", error);
        Assert.Contains("sources[0].auth.key: cannot use", error);
    }
}

/// <summary>The CLI and the driver factory against the node-opcua test server.</summary>
public sealed class OpcUaServerHostTests : IAsyncLifetime
{
    private ChildProcess _server = null!;
    private string _endpoint = "";

    public async Task InitializeAsync()
    {
        var peers = Repo.PathOf("tests", "peers");
        if (!Directory.Exists(Path.Combine(peers, "node_modules", "node-opcua-server")))
        {
            throw new InvalidOperationException("the OPC UA test peer is not installed: run tests/peers/install.sh");
        }

        var port = ChildProcess.FreeTcpPort();
        _server = new ChildProcess("node", ["opcua/server.js", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--big", "10"], peers);
        await _server.WaitForLineAsync("ready", TimeSpan.FromSeconds(120));
        _endpoint = $"opc.tcp://127.0.0.1:{port}/UA/EdgeAgentTest";
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Browse_prints_the_tree_with_node_ids_classes_types_and_values()
    {
        await using var client = await UaClient.ConnectAsync(new UaClientOptions { EndpointUrl = _endpoint });
        var output = new StringWriter();
        await EdgeAgent.Drivers.OpcUa.Plugin.OpcUaTree.PrintAsync(client, NodeId.Parse("ns=2;s=Demo"), 1, output, CancellationToken.None);
        var lines = output.ToString().Split('\n');
        Assert.StartsWith("2:Demo  ns=2;s=Demo  Object", lines[0]);
        Assert.Contains(lines, l => l.Contains("2:Double  ns=2;s=Demo.Double  Variable  Double = 10.01", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("2:FloatDecimal  ns=2;s=Demo.FloatDecimal  Variable  Float = 10.3", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("2:Numeric  ns=2;i=1001  Variable  Int32 = 1001", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("3:SecondValue  ns=3;s=Second.Value  Variable  Double = 42.5", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_browse_command_exits_1_with_a_clear_message_when_the_server_is_unreachable()
    {
        var port = ChildProcess.FreeTcpPort();
        var errors = new StringWriter();
        var code = await Commands.Build().Parse(["browse", $"opc.tcp://127.0.0.1:{port}"]).InvokeAsync(new InvocationConfiguration { Output = new StringWriter(), Error = errors });
        Assert.Equal(1, code);
        Assert.Contains($"cannot connect to 127.0.0.1:{port}", errors.ToString());
    }

    [Fact]
    public async Task The_example_reads_every_tag_good_through_the_factory()
    {
        var yaml = File.ReadAllText(Repo.PathOf("src", "Drivers", "OpcUa", "example.yaml"))
            .Replace("${OPCUA_ENDPOINT:-opc.tcp://127.0.0.1:4841/UA/EdgeAgentTest}", _endpoint, StringComparison.Ordinal);
        var (config, errors) = ConfigLoader.TryParse(yaml, "opcua.yaml");
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        var sourceConfig = config!.Sources[0];
        await using var source = Plugins.FindDriver("opcua")!.Create(sourceConfig, NullLoggerFactory.Instance);
        var samples = await source.ReadOnceAsync(CancellationToken.None);
        Assert.All(samples, s => Assert.Equal(Quality.Good, s.Quality));
        Assert.Equal(10.01, samples[0].Value);
        Assert.Equal(42.5, samples[3].Value);
    }
}

/// <summary>example-secure.yaml against the node-opcua server offering every policy (server.js --secure).</summary>
public sealed class OpcUaSecureExampleTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "edgeagent-uasec-host-" + Guid.NewGuid().ToString("N"));
    private ChildProcess _server = null!;
    private string _endpoint = "";
    private byte[] _serverCertificate = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=EdgeAgent example test server", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        san.AddUri(new Uri("urn:edgeagent:test:example-server"));
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        _serverCertificate = certificate.RawData;
        File.WriteAllText(Path.Combine(_folder, "server.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_folder, "server.key.pem"), rsa.ExportRSAPrivateKeyPem());

        var port = ChildProcess.FreeTcpPort();
        _server = new ChildProcess("node", ["opcua/server.js", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--big", "10", "--secure",
            "--cert", Path.Combine(_folder, "server.pem"), "--key", Path.Combine(_folder, "server.key.pem"),
            "--application-uri", "urn:edgeagent:test:example-server", "--pki", Path.Combine(_folder, "server-pki")], Repo.PathOf("tests", "peers"));
        await _server.WaitForLineAsync("ready", TimeSpan.FromSeconds(120));
        _endpoint = $"opc.tcp://127.0.0.1:{port}/UA/EdgeAgentTest";
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private AgentConfig Load()
    {
        var yaml = File.ReadAllText(Repo.PathOf("src", "Drivers", "OpcUa", "example-secure.yaml"))
            .Replace("${OPCUA_ENDPOINT:-opc.tcp://127.0.0.1:4841/UA/EdgeAgentTest}", _endpoint, StringComparison.Ordinal);
        var (config, errors) = ConfigLoader.TryParse(yaml, Path.Combine(_folder, "example-secure.yaml"));
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        return config!;
    }

    [Fact]
    public async Task Each_source_of_the_secure_example_reads_every_tag_good_once_the_server_is_trusted()
    {
        var config = Load();
        Assert.Equal(Path.Combine(_folder, "data"), config.Agent.Data);
        var trusted = Path.Combine(_folder, "data", "pki", "trusted");
        Directory.CreateDirectory(trusted);
        File.WriteAllBytes(Path.Combine(trusted, "example-server.der"), _serverCertificate);
        foreach (var sourceConfig in config.Sources)
        {
            await using var source = Plugins.FindDriver("opcua")!.Create(sourceConfig, NullLoggerFactory.Instance);
            var samples = await source.ReadOnceAsync(CancellationToken.None);
            Assert.All(samples, s => Assert.Equal(Quality.Good, s.Quality));
            Assert.Equal(10.01, samples[0].Value);
        }

        Assert.True(File.Exists(Path.Combine(_folder, "data", "pki", "own", "certs", "edgeagent.der")));
    }

    [Fact]
    public async Task An_untrusted_server_leaves_its_certificate_in_rejected_and_the_read_fails_saying_so()
    {
        var sourceConfig = Load().Sources[1] with { DataFolder = Path.Combine(_folder, "untrusted") };
        await using var source = Plugins.FindDriver("opcua")!.Create(sourceConfig, NullLoggerFactory.Instance);
        var e = await Assert.ThrowsAnyAsync<SourceException>(async () => await source.ReadOnceAsync(CancellationToken.None));
        Assert.Contains("not trusted", e.Message);
        Assert.Single(Directory.GetFiles(Path.Combine(_folder, "untrusted", "pki", "rejected")));
    }
}

/// <summary><c>edgeagent pki</c> on a config's store, through the published agent.</summary>
public sealed class OpcUaPkiCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgeagent-pki-cli").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Pki_lists_a_rejected_certificate_trusts_it_by_thumbprint_and_exits_1_for_an_unknown_one()
    {
        File.WriteAllText(Path.Combine(_folder, "agent.yaml"), """
            agent: { data: state }
            sources:
              - name: cell
                driver: opcua
                endpoint: opc.tcp://10.0.0.5:4840
                security: { policy: Basic256Sha256, mode: SignAndEncrypt }
                tags: [{ name: a, node: "ns=2;s=A" }]
            """);
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        using var certificate = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=plc7", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var rejected = Path.Combine(_folder, "state", "pki", "rejected");
        Directory.CreateDirectory(rejected);
        File.WriteAllBytes(Path.Combine(rejected, "plc7.der"), certificate.RawData);
        var config = Path.Combine(_folder, "agent.yaml");

        await using (var list = ChildProcess.EdgeAgent("pki", "list", "--config", config))
        {
            Assert.Equal(0, await list.WaitForExitAsync());
            var line = Assert.Single(list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("\"folder\":\"rejected\"", line);
            Assert.Contains($"\"thumbprint\":\"{certificate.Thumbprint}\"", line);
        }

        await using (var trust = ChildProcess.EdgeAgent("pki", "trust", "--config", config, certificate.Thumbprint.ToLowerInvariant()))
        {
            Assert.Equal(0, await trust.WaitForExitAsync());
        }

        Assert.True(File.Exists(Path.Combine(_folder, "state", "pki", "trusted", "plc7.der")));
        Assert.False(File.Exists(Path.Combine(rejected, "plc7.der")));
        await using var unknown = ChildProcess.EdgeAgent("pki", "trust", "--config", config, "0000");
        Assert.Equal(1, await unknown.WaitForExitAsync());
        Assert.Contains("no certificate '0000'", unknown.Stderr);
    }
}

/// <summary><c>edgeagent browse</c> with the security options, in process, against the secured server.</summary>
public sealed class OpcUaSecureBrowseTests(OpcUaSecureServer server) : IClassFixture<OpcUaSecureServer>
{
    [Fact]
    public async Task Browse_connects_with_policy_and_mode_and_trusts_on_first_use_when_asked()
    {
        var pki = Path.Combine(server.Folder, "browse-pki-" + Guid.NewGuid().ToString("N"));
        var output = new StringWriter();
        var errors = new StringWriter();
        var refused = await Commands.Build().Parse(["browse", server.Endpoint, "--policy", "Basic256Sha256", "--mode", "Sign", "--pki", pki, "--depth", "0"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = errors });
        Assert.Equal(1, refused);
        Assert.Contains("is not trusted", errors.ToString());

        var code = await Commands.Build().Parse(["browse", server.Endpoint, "--policy", "Basic256Sha256", "--mode", "Sign", "--pki", pki, "--depth", "0", "--auto-accept",
                "--node", "ns=2;s=Demo"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = errors });
        Assert.Equal(0, code);
        Assert.StartsWith("2:Demo  ns=2;s=Demo  Object", output.ToString());
    }

    [Theory]
    [InlineData("--policy", "Basic512", "unknown security policy 'Basic512'")]
    [InlineData("--mode", "Sign", "needs a security policy")]
    [InlineData("--policy", "Basic128Rsa15", "deprecated")]
    public async Task Browse_refuses_bad_security_options_with_exit_2(string option, string value, string message)
    {
        var errors = new StringWriter();
        var code = await Commands.Build().Parse(["browse", server.Endpoint, option, value]).InvokeAsync(new InvocationConfiguration { Output = new StringWriter(), Error = errors });
        Assert.Equal(2, code);
        Assert.Contains(message, errors.ToString());
    }
}

/// <summary>server.js --secure with a certificate for 127.0.0.1, for the CLI tests.</summary>
public sealed class OpcUaSecureServer : IAsyncLifetime
{
    private ChildProcess _server = null!;

    public string Folder { get; } = Directory.CreateTempSubdirectory("edgeagent-uasec-cli").FullName;
    public string Endpoint { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=EdgeAgent CLI test server", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        san.AddUri(new Uri("urn:edgeagent:test:cli-server"));
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(Path.Combine(Folder, "server.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Folder, "server.key.pem"), rsa.ExportRSAPrivateKeyPem());
        var port = ChildProcess.FreeTcpPort();
        _server = new ChildProcess("node", ["opcua/server.js", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--big", "10", "--secure",
            "--cert", Path.Combine(Folder, "server.pem"), "--key", Path.Combine(Folder, "server.key.pem"),
            "--application-uri", "urn:edgeagent:test:cli-server", "--pki", Path.Combine(Folder, "server-pki")], Repo.PathOf("tests", "peers"));
        await _server.WaitForLineAsync("ready", TimeSpan.FromSeconds(120));
        Endpoint = $"opc.tcp://127.0.0.1:{port}/UA/EdgeAgentTest";
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
