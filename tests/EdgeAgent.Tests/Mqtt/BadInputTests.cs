using System.Diagnostics;
using EdgeAgent.Hosting;
using EdgeAgent.Config;
using EdgeAgent.Outputs.Mqtt;
using EdgeAgent.Outputs.Mqtt.Plugin;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>Unreachable brokers, refused credentials and bad outputs.mqtt keys: clear errors, the agent keeps running.</summary>
public sealed class BadInputTests(ITestOutputHelper output)
{
    private static string Config(string mqtt) => $$"""
        agent: { id: bad-gw, site: test/bad }
        sources:
          - name: sim
            driver: simulator
            poll: 100ms
            tags:
              - { name: count, signal: counter }
        outputs:
          mqtt: {{mqtt}}
        """;

    [Fact]
    public async Task An_unreachable_broker_is_reported_and_data_waits_in_the_outbox()
    {
        var port = Mosquitto.FreePort();
        await using var agent = await AgentHarness.StartAsync(Config($"{{ broker: mqtt://127.0.0.1:{port} }}"), output);
        var sink = agent.Agent.Sinks.OfType<MqttSink>().Single();
        await WaitAsync(() => sink.LastError is not null && sink.Store.Pending >= 5, "an error and queued data");
        Assert.Contains("refused", sink.LastError, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_broker_that_refuses_the_credentials_is_reported_as_such()
    {
        var dir = Directory.CreateTempSubdirectory("passwd-").FullName;
        var passwd = Path.Combine(dir, "passwd");
        var psi = new ProcessStartInfo("mosquitto_passwd", ["-b", "-c", passwd, "edge", "right-secret"]) { RedirectStandardError = true };
        using (var p = Process.Start(psi) ?? throw new InvalidOperationException("mosquitto_passwd missing: run tests/peers/install.sh"))
        {
            await p.WaitForExitAsync();
            Assert.Equal(0, p.ExitCode);
        }

        await using var broker = await Mosquitto.StartAsync($"password_file {passwd}", allowAnonymous: false);
        await using var agent = await AgentHarness.StartAsync(Config($"{{ broker: \"{broker.Url}\", username: edge, password: wrong-secret }}"), output);
        var sink = agent.Agent.Sinks.OfType<MqttSink>().Single();
        await WaitAsync(() => sink.LastError is not null, "a connection error");
        output.WriteLine(sink.LastError);
        Assert.Matches("NotAuthorized|BadUserNameOrPassword|not authori[sz]ed", sink.LastError!);
        Directory.Delete(dir, recursive: true);
    }

    [Theory]
    [InlineData("{ broker: mqtt://h:1883, protocol: 4 }", "outputs.mqtt.protocol: unknown value '4'")]
    [InlineData("{ broker: mqtt://h:1883, qos: { data: 2 } }", "outputs.mqtt.qos.data: must be between 0 and 1")]
    [InlineData("{ broker: mqtt://h:1883, streams: [data, alarm] }", "unknown stream 'alarm' (did you mean 'alarms'?)")]
    [InlineData("{ broker: mqtt://h:1883, tls: { insecure: true } }", "TLS settings need an mqtts:// broker URL")]
    [InlineData("{ broker: mqtts://h:8883, tls: { ca: /no/such/ca.pem } }", "outputs.mqtt.tls.ca: file not found: /no/such/ca.pem")]
    [InlineData("{ broker: mqtts://h:8883, tls: { cert: /etc/hostname } }", "needs both cert and key")]
    [InlineData("{ broker: mqtt://h:1883, outbox: { maxBytes: lots } }", "outputs.mqtt.outbox.maxBytes: expected a size such as 512MB")]
    [InlineData("{ broker: mqtt://h:1883, outbox: { sync: always } }", "outputs.mqtt.outbox.sync: unknown value 'always'")]
    [InlineData("{ broker: mqtt://h:1883, data: per-sample }", "outputs.mqtt.data: unknown value 'per-sample'")]
    [InlineData("{ broker: mqtt://h:1883, primaryHost: scada }", "primaryHost is a Sparkplug setting")]
    [InlineData("{ broker: mqtt://h:1883, format: sparkplug, group: a/b }", "not a valid Sparkplug group id")]
    [InlineData("{ broker: mqtt://h:1883, tsl: {} }", "unknown key 'tsl' (did you mean 'tls'?)")]
    public void Bad_mqtt_keys_are_positioned_errors(string mqtt, string expected)
    {
        var (_, errors) = ConfigLoader.TryParse(Config(mqtt), "agent.yaml");
        var all = string.Join("\n", errors.Sorted());
        Assert.Contains(expected, all);
        Assert.Matches(@"agent\.yaml:9:\d+: ", all);
    }

    [Fact]
    public void Every_documented_key_binds()
    {
        var (config, errors) = ConfigLoader.TryParse(Config("""
            { broker: mqtt://h:1883, format: sparkplug, protocol: "5", qos: { data: 0, alarms: 1 }, streams: [data, alarms],
              data: batched, outbox: { maxMessages: 10000, maxBytes: 64MB, maxAge: 2h, sync: normal, memory: 5000 },
              inflight: 100, reconnectMax: 5s, sessionExpiry: 1h, group: line-1, primaryHost: scada-1, keepAlive: 10s,
              clientId: gw1, username: u, password: p }
            """.ReplaceLineEndings(" ")), "agent.yaml");
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        var mqtt = config!.Mqtt()!;
        Assert.Equal("5", mqtt.Protocol);
        Assert.Equal(0, mqtt.Qos.Data);
        Assert.Equal(MqttStreams.Data | MqttStreams.Alarms, mqtt.Streams);
        Assert.True(mqtt.BatchData);
        Assert.Equal(64L << 20, mqtt.Outbox.MaxBytes);
        Assert.False(mqtt.Outbox.FullSync);
        Assert.Equal(TimeSpan.FromHours(2), mqtt.Outbox.MaxAge);
        Assert.Equal(100, mqtt.MaxInflight);
        Assert.Equal("scada-1", mqtt.PrimaryHost);
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(50); // polling observable state, bounded by the deadline
        }
    }
}
