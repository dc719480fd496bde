using EdgeAgent.Alarms;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Alarms;

/// <summary>Requests dropped into agent.data by `edgeagent alarm ack|shelve` and read by the running agent.</summary>
public class AlarmRequestTests
{
    [Fact]
    public async Task An_unreadable_request_is_counted_and_deleted_and_the_next_good_one_is_applied()
    {
        var data = Directory.CreateTempSubdirectory("alarm-requests").FullName;
        await using var agent = await TestAgent.StartAsync($$"""
            agent: { id: req, site: acme, data: {{data}} }
            sources:
              - { name: sim, driver: simulator, poll: 5ms, tags: [ { name: serial, signal: counter } ] }
            equipment:
              - name: line
                running: sim.serial >= 0
                alarms:
                  - { name: always, when: sim.serial >= 0, priority: low }
            outputs: { mqtt: off }
            """);
        await agent.Sink.WaitUntilAsync(s => s.Events.OfType<AlarmEvent>().Any(a => a.Id == "line/always"), what: "alarm active");
        var folder = Directory.CreateDirectory(Path.Combine(data, AlarmStore.RequestFolder)).FullName;
        var garbage = Path.Combine(folder, "00000000000000000-garbage.json");
        await File.WriteAllTextAsync(garbage, "{ this is not json");
        AlarmStore.Enqueue(data, new AlarmRequest { Action = "ack", Id = "line/always", By = "anna" });

        var dropped = agent.Agent.Context.Metrics.DroppedTotal("alarm-requests");
        await agent.Sink.WaitUntilAsync(s => s.Events.OfType<AlarmEvent>().Any(a => a.State == AlarmState.Acknowledged), what: "the good request applied");
        Assert.Equal(1, dropped.Value);
        Assert.False(File.Exists(garbage), "the unreadable request is deleted, not retried forever");
    }

    [Fact]
    public void Dequeue_hands_each_unreadable_file_to_the_caller_with_its_reason()
    {
        var data = Directory.CreateTempSubdirectory("alarm-requests").FullName;
        var folder = Directory.CreateDirectory(Path.Combine(data, AlarmStore.RequestFolder)).FullName;
        File.WriteAllText(Path.Combine(folder, "1.json"), "null");
        File.WriteAllText(Path.Combine(folder, "2.json"), "[1, 2");
        var unreadable = new List<(string File, Exception Error)>();

        var requests = AlarmStore.Dequeue(data, (file, error) => unreadable.Add((file, error)));

        Assert.Empty(requests);
        Assert.Equal(["1.json", "2.json"], unreadable.Select(u => Path.GetFileName(u.File)));
        Assert.Contains("JSON null", unreadable[0].Error.Message);
        Assert.IsType<System.Text.Json.JsonException>(unreadable[1].Error);
        Assert.Empty(Directory.GetFiles(folder));
    }
}
