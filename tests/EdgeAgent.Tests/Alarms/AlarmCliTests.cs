using EdgeAgent.Alarms;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Alarms;

public class AlarmCliTests
{
    private static string Yaml(string data) => $$"""
        agent: { id: cli, site: acme/line-1, data: {{data}} }
        sources:
          - name: sim
            driver: simulator
            poll: 5ms
            tags:
              - { name: serial, signal: counter }
        equipment:
          - name: line
            running: sim.serial >= 0
            alarms:
              - { name: always, when: sim.serial >= 0, priority: low, context: [sim.serial] }
        outputs: { mqtt: off }
        """;

    private static int Cli(params string[] args) => EdgeAgent.Cli.Commands.Build().Parse(args).Invoke();

    [Fact]
    public async Task Cli_ack_reaches_the_running_agent_which_publishes_the_acknowledgement()
    {
        var data = Directory.CreateTempSubdirectory("alarm-cli").FullName;
        var yaml = Yaml(data);
        await using var agent = await TestAgent.StartAsync(yaml);
        await agent.Sink.WaitUntilAsync(s => s.Events.OfType<AlarmEvent>().Any(a => a.Id == "line/always"), what: "alarm active");
        await agent.Sink.WaitUntilAsync(_ => File.Exists(Path.Combine(data, AlarmStore.FileName)) && AlarmStore.Load(data).Alarms.Count > 0, what: "alarm persisted");
        var config = Path.Combine(data, "cli.yaml");
        File.WriteAllText(config, yaml);

        Assert.Equal(1, Cli("alarm", "ack", "--config", config, "line/alwys", "--by", "anna"));
        Assert.Equal(0, Cli("alarm", "ack", "--config", config, "line/always", "--by", "anna", "--comment", "known"));
        await agent.Sink.WaitUntilAsync(s => s.Events.OfType<AlarmEvent>().Any(a => a.State == AlarmState.Acknowledged), what: "acknowledged by the agent");
        var ack = agent.Sink.Events.OfType<AlarmEvent>().Single(a => a.State == AlarmState.Acknowledged);
        Assert.Equal("anna", ack.By);
        Assert.Equal("known", ack.Comment);
        Assert.Equal(0, Cli("alarm", "list", "--config", config));
        Assert.Equal(2, Cli("alarm", "shelve", "--config", config, "line/always", "--for", "forever"));
    }
}
