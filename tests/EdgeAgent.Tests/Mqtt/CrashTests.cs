using EdgeAgent.Outputs.Mqtt;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>
/// The agent is killed with SIGKILL while the broker is down: whatever it had committed to its outbox before the kill
/// is delivered by the next start, so the subscriber sees a hole-free sequence up to the crash.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Values_committed_before_a_kill_9_during_an_outage_arrive_after_the_restart()
    {
        await using var broker = await Mosquitto.StartAsync();
        const string topic = "test/crash/data/sim/count";
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, topic);
        var dir = Directory.CreateTempSubdirectory("crash-").FullName;
        var configPath = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(configPath, $$"""
            agent: { id: crash-gw, site: test/crash }
            sources:
              - name: sim
                driver: simulator
                poll: 50ms
                tags:
                  - { name: count, signal: counter }
            outputs:
              mqtt: { broker: "{{broker.Url}}" }
            """);

        var first = AgentProcess.Start("run", "--config", configPath);
        DateTime killedAt;
        long committed;
        try
        {
            await subscriber.WaitUntilAsync(m => m.Count(x => x.Topic == topic) >= 20, TimeSpan.FromSeconds(60), "20 live values from the first run");
            var lastLive = Sequence.Value(subscriber.On(topic).Last().Payload);
            await broker.StopAsync();

            // The outage before the crash lasts until the agent has committed 2 s of values (20 Hz) that the broker never
            // got: observed in its outbox file, read only, while it runs.
            var outbox = Path.Combine(dir, "data", "outbox.db");
            await Until.TrueAsync(() => MaxCommittedValue(outbox, readOnly: true) >= lastLive + 40, TimeSpan.FromSeconds(60),
                $"values beyond {lastLive + 40} committed to the outbox during the outage", () => first.Log);
            await first.KillHardAsync();
            killedAt = DateTime.UtcNow;
            committed = MaxCommittedValue(outbox);
            output.WriteLine($"first run killed; highest value in the outbox: {committed}");
            Assert.True(committed >= lastLive + 40, $"expected the outage's values in the outbox, highest is {committed}\n{first.Log}");
        }
        finally
        {
            output.WriteLine(first.Log);
            await first.DisposeAsync();
        }

        await broker.StartAgainAsync();
        await subscriber.ReconnectAsync();
        await using var second = AgentProcess.Start("run", "--config", configPath);
        try
        {
            await subscriber.WaitUntilAsync(
                m => FirstRun(m, topic, killedAt).DefaultIfEmpty(-1).Max() >= committed,
                TimeSpan.FromSeconds(60),
                $"the first run's values up to {committed}");
            Assert.Equal(0, await second.StopAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            output.WriteLine(second.Log);
        }

        var values = FirstRun(subscriber.Messages, topic, killedAt).ToList();
        var max = Sequence.AssertHoleFree(values);
        Assert.Equal(committed, max);
        output.WriteLine($"first run: {values.Count} messages, values 0..{max}, {values.Count - max - 1} QoS 1 re-deliveries");
        Directory.Delete(dir, recursive: true);
    }

    private static IEnumerable<long> FirstRun(IEnumerable<(string Topic, byte[] Payload, bool Retain)> messages, string topic, DateTime killedAt) =>
        messages.Where(m => m.Topic == topic && Sequence.Ts(m.Payload) < killedAt).Select(m => Sequence.Value(m.Payload));

    /// <summary>
    /// The highest counter value in the outbox: of the dead agent, opened like the next start will; or, <paramref name="readOnly"/>,
    /// of the running one (-1 while it holds none).
    /// </summary>
    private static long MaxCommittedValue(string path, bool readOnly = false)
    {
        if (readOnly && !File.Exists(path))
        {
            return -1;
        }

        try
        {
            return MaxCommitted(path, readOnly);
        }
        catch (SqliteException) when (readOnly)
        {
            return -1; // the running agent holds a lock this instant: the next poll reads it
        }
    }

    private static long MaxCommitted(string path, bool readOnly)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT m.payload FROM messages m JOIN topics t ON t.id = m.topic WHERE t.name = $topic ORDER BY m.id DESC LIMIT 1";
        cmd.Parameters.AddWithValue("$topic", "test/crash/data/sim/count");
        if (cmd.ExecuteScalar() is not byte[] payload)
        {
            return readOnly ? -1 : throw new InvalidOperationException("no data message in the outbox after the kill");
        }

        return Sequence.Value(payload);
    }
}
