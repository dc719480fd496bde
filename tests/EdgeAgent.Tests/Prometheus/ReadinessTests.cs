using System.Net;
using System.Net.Sockets;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Influx;
using EdgeAgent.Tests.Mqtt;
using EdgeAgent.Tests.Support;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Prometheus;

/// <summary>/healthz and /readyz of an agent whose sinks' peers (mosquitto, victoria-metrics) the test stops and starts again.</summary>
public sealed class ReadinessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Readyz_is_503_naming_the_sink_whose_peer_is_down_and_200_again_once_it_is_back()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var influx = await VictoriaMetrics.StartNewAsync();
        await using var agent = await EndpointAgent.StartAsync(output, InfluxAgent.Counter,
            $"  mqtt: {{ broker: \"{broker.Url}\", format: json }}\n  influxdb: {{ url: \"{influx.Url}\", org: acme, bucket: edge, flushInterval: 100ms }}");
        await WaitReadyAsync(agent, "both sinks delivering at start");

        await broker.StopAsync();
        var mqttDown = await WaitNotReadyAsync(agent, "mqtt: not connected to", "mosquitto stopped");
        Assert.Contains($"127.0.0.1:{broker.Port}", mqttDown);
        Assert.DoesNotContain("influxdb", mqttDown);
        Assert.Equal((200, "ok\n"), await agent.GetAsync("/healthz")); // alive while not ready
        await broker.StartAgainAsync();
        await WaitReadyAsync(agent, "mosquitto started again");

        await influx.StopAsync();
        var influxDown = await WaitNotReadyAsync(agent, "influxdb: cannot write to", "victoria-metrics stopped");
        Assert.Contains($"127.0.0.1:{influx.Port}", influxDown);
        Assert.Contains("points wait", influxDown);
        await influx.StartAsync();
        await WaitReadyAsync(agent, "victoria-metrics started again");
    }

    [Fact]
    public async Task Healthz_answers_ok_unknown_paths_404_and_other_methods_405()
    {
        await using var agent = await EndpointAgent.StartAsync(output, InfluxAgent.Counter, "  mqtt: false");
        Assert.Equal((200, "ok\n"), await agent.GetAsync("/healthz"));
        Assert.Equal((200, "ready\n"), await agent.GetAsync("/readyz")); // no sink that reports its health: nothing to wait for
        var (status, body) = await agent.GetAsync("/status");
        Assert.Equal(404, status);
        Assert.Contains("/metrics", body);
        using var post = await agent.Http.PostAsync(agent.Url + "/metrics", new StringContent("x"));
        Assert.Equal(405, (int)post.StatusCode);
        using var metrics = await agent.Http.GetAsync(agent.Url + "/metrics");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", metrics.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task A_taken_port_stops_the_in_process_agent_with_an_error_naming_the_listen_address()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var dir = Directory.CreateTempSubdirectory("prom-taken-").FullName;
        var path = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(path, $"{InfluxAgent.Counter}\noutputs:\n  mqtt: false\n  prometheus: {{ listen: \"127.0.0.1:{port}\" }}\n");
        await using var agent = new Agent(ConfigLoader.Load(path), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, new AgentMetrics());
        var ex = await Assert.ThrowsAsync<AgentStartException>(() => agent.RunAsync(CancellationToken.None).WaitAsync(Timeout));
        Assert.StartsWith($"outputs.prometheus: cannot listen on 127.0.0.1:{port}: ", ex.Message);
    }

    [Fact]
    public async Task A_taken_port_makes_edgeagent_run_exit_2_naming_the_listen_address()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var dir = Directory.CreateTempSubdirectory("prom-taken-run-").FullName;
        var file = Path.Combine(dir, "agent.yaml");
        await File.WriteAllTextAsync(file, $"{InfluxAgent.Counter}\noutputs:\n  mqtt: false\n  prometheus: {{ listen: \"127.0.0.1:{port}\" }}\n");
        await using var p = ChildProcess.EdgeAgent("run", "--config", file);
        Assert.Equal(2, await p.WaitForExitAsync(Timeout));
        Assert.Contains($"Agent cannot start: outputs.prometheus: cannot listen on 127.0.0.1:{port}: Address already in use", p.Stdout);
        Assert.DoesNotContain("Hosting failed to start", p.Stdout); // reported once, by the agent
    }

    private static Task WaitReadyAsync(EndpointAgent agent, string when) =>
        agent.WaitUntilAsync(async () =>
            {
                var (status, body) = await agent.GetAsync("/readyz");
                return (status == 200 && body == "ready\n", $"{status} {body}");
            },
            Timeout, $"/readyz 200 ({when})");

    private static async Task<string> WaitNotReadyAsync(EndpointAgent agent, string reason, string when)
    {
        var seen = string.Empty;
        await agent.WaitUntilAsync(async () =>
            {
                var (status, body) = await agent.GetAsync("/readyz");
                seen = body;
                return (status == 503 && body.StartsWith("not ready: ", StringComparison.Ordinal) && body.Contains(reason, StringComparison.Ordinal), $"{status} {body}");
            },
            Timeout, $"/readyz 503 with '{reason}' ({when})");
        return seen;
    }
}
