using System.Diagnostics;
using EdgeAgent.Outputs.Mqtt;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>
/// mqtts:// against mosquitto with certificates made by openssl in the test: a CA, a server certificate for
/// 127.0.0.1/localhost, a client certificate, and a second CA that signed nothing the broker uses.
/// </summary>
public sealed class TlsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tls-").FullName;

    private string F(string name) => Path.Combine(_dir, name);

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(F("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        await File.WriteAllTextAsync(F("client.ext"), "extendedKeyUsage=clientAuth\n");
        await OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", F("ca.key"), "-out", F("ca.pem"), "-days", "2", "-subj", "/CN=EdgeAgent Test CA");
        await OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", F("other-ca.key"), "-out", F("other-ca.pem"), "-days", "2", "-subj", "/CN=Some Other CA");
        foreach (var who in (string[])["server", "client"])
        {
            await OpenSsl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", F($"{who}.key"), "-out", F($"{who}.csr"), "-subj", $"/CN={(who == "server" ? "localhost" : "edge-gw")}");
            await OpenSsl("x509", "-req", "-in", F($"{who}.csr"), "-CA", F("ca.pem"), "-CAkey", F("ca.key"), "-CAcreateserial", "-out", F($"{who}.pem"), "-days", "2", "-extfile", F($"{who}.ext"));
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private string BrokerConf(bool requireClientCert) =>
        $"cafile {F("ca.pem")}\ncertfile {F("server.pem")}\nkeyfile {F("server.key")}\nrequire_certificate {(requireClientCert ? "true" : "false")}\n";

    private static string Config(int port, string tls, string host = "127.0.0.1") => $$"""
        agent: { id: tls-gw, site: test/tls }
        sources:
          - name: sim
            driver: simulator
            poll: 100ms
            tags:
              - { name: count, signal: counter }
        outputs:
          mqtt:
            broker: mqtts://{{host}}:{{port}}
            outbox: off
            tls: {{tls}}
        """;

    [Fact]
    public async Task Connects_when_the_broker_certificate_chains_to_the_configured_CA()
    {
        await using var broker = await Mosquitto.StartAsync(BrokerConf(requireClientCert: false));
        await using var agent = await AgentHarness.StartAsync(Config(broker.Port, $"{{ ca: {F("ca.pem")} }}"), output);
        await WaitConnectedAsync(agent, expected: true);
    }

    [Fact]
    public async Task Checks_the_server_name_given_in_tls_serverName()
    {
        await using var broker = await Mosquitto.StartAsync(BrokerConf(requireClientCert: false));
        await using var agent = await AgentHarness.StartAsync(Config(broker.Port, $"{{ ca: {F("ca.pem")}, serverName: plc.example }}"), output);
        var sink = await WaitConnectedAsync(agent, expected: false);
        Assert.Contains("not valid for the name 'plc.example'", sink.LastError);
    }

    [Fact]
    public async Task A_wrong_CA_fails_with_an_error_naming_the_CA_file()
    {
        await using var broker = await Mosquitto.StartAsync(BrokerConf(requireClientCert: false));
        await using var agent = await AgentHarness.StartAsync(Config(broker.Port, $"{{ ca: {F("other-ca.pem")} }}"), output);
        var sink = await WaitConnectedAsync(agent, expected: false);
        Assert.Contains("does not chain to the CA in", sink.LastError);
        Assert.Contains("other-ca.pem", sink.LastError);
    }

    [Fact]
    public async Task Insecure_true_accepts_a_certificate_no_configured_CA_signed()
    {
        await using var broker = await Mosquitto.StartAsync(BrokerConf(requireClientCert: false));
        await using var agent = await AgentHarness.StartAsync(Config(broker.Port, "{ insecure: true }"), output);
        await WaitConnectedAsync(agent, expected: true);
    }

    [Fact]
    public async Task Mutual_TLS_works_with_a_client_certificate_and_key()
    {
        await using var broker = await Mosquitto.StartAsync(BrokerConf(requireClientCert: true));
        await using var agent = await AgentHarness.StartAsync(Config(broker.Port, $"{{ ca: {F("ca.pem")}, cert: {F("client.pem")}, key: {F("client.key")} }}", host: "localhost"), output);
        await WaitConnectedAsync(agent, expected: true);
    }

    [Fact]
    public async Task Without_a_client_certificate_a_broker_that_requires_one_refuses_and_the_error_names_the_missing_client_certificate()
    {
        await using var broker = await Mosquitto.StartAsync(BrokerConf(requireClientCert: true));
        await using var agent = await AgentHarness.StartAsync(Config(broker.Port, $"{{ ca: {F("ca.pem")} }}"), output);
        var sink = await WaitConnectedAsync(agent, expected: false);
        Assert.Contains("requires a client certificate", sink.LastError);
        Assert.Contains("set tls.cert and tls.key", sink.LastError);
    }

    /// <summary>Waits until the sink connected, or (expected false) until it reported a connection error.</summary>
    private async Task<MqttSink> WaitConnectedAsync(AgentHarness agent, bool expected)
    {
        var sink = agent.Agent.Sinks.OfType<MqttSink>().Single();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (expected ? !sink.IsConnected : sink.LastError is null)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"expected connected={expected}; last error: {sink.LastError}");
            }

            await Task.Delay(50); // polling the sink's observable state, bounded by the deadline
        }

        output.WriteLine($"connected={sink.IsConnected} error={sink.LastError}");
        return sink;
    }

    private static async Task OpenSsl(params string[] args)
    {
        var psi = new ProcessStartInfo("openssl", args) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("openssl is not installed: run tests/peers/install.sh");
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {err}");
        }
    }
}
