using EdgeAgent.Outputs.Mqtt.Outbox;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>The durable outbox on its own: order, acknowledgement, restart, bounds and a full disk.</summary>
public sealed class OutboxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("outbox-").FullName;

    private string DbPath => Path.Combine(_dir, "outbox.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static OutboxMessage Data(int i) => new(MessageClass.Data, "t/data", BitConverter.GetBytes(i), false, DateTime.UtcNow.Ticks);

    private static OutboxMessage Alarm(int i) => new(MessageClass.Alarm, "t/alarms", BitConverter.GetBytes(i), false, DateTime.UtcNow.Ticks);

    private static List<OutboxMessage> ReadAll(IMessageStore store, long after = 0)
    {
        var all = new List<OutboxMessage>();
        while (store.Read(after, all, 1000) > 0)
        {
            after = all[^1].Id;
        }

        return all;
    }

    [Fact]
    public async Task Reads_back_in_enqueue_order_only_after_commit_and_forgets_acknowledged_messages()
    {
        var metrics = new AgentMetrics();
        await using var outbox = SqliteOutbox.Open(new OutboxOptions(), DbPath, metrics, NullLogger.Instance);
        for (var i = 0; i < 5000; i++)
        {
            outbox.TryEnqueue(Data(i));
        }

        await outbox.FlushAsync(CancellationToken.None);
        var all = ReadAll(outbox);
        Assert.Equal(Enumerable.Range(0, 5000), all.Select(m => BitConverter.ToInt32(m.Payload)));
        outbox.Acknowledge(all[2999].Id);
        outbox.TryEnqueue(Data(5000)); // the next commit applies the acknowledgement
        await outbox.FlushAsync(CancellationToken.None);
        Assert.Equal(2001, outbox.Pending);
        Assert.Equal(2001, metrics.Gauge("edgeagent_outbox_pending").Value);
    }

    [Fact]
    public async Task A_reopened_outbox_resumes_after_the_last_acknowledged_message()
    {
        var metrics = new AgentMetrics();
        await using (var outbox = SqliteOutbox.Open(new OutboxOptions(), DbPath, metrics, NullLogger.Instance))
        {
            for (var i = 0; i < 100; i++)
            {
                outbox.TryEnqueue(Data(i));
            }

            await outbox.FlushAsync(CancellationToken.None);
            outbox.Acknowledge(ReadAll(outbox)[39].Id);
            outbox.TryEnqueue(Data(100));
        }

        await using var reopened = SqliteOutbox.Open(new OutboxOptions(), DbPath, metrics, NullLogger.Instance);
        Assert.Equal(61, reopened.RecoveredOnOpen);
        var rest = ReadAll(reopened, reopened.AcknowledgedThrough);
        Assert.Equal(Enumerable.Range(40, 61), rest.Select(m => BitConverter.ToInt32(m.Payload)));
    }

    [Fact]
    public async Task Over_maxMessages_the_oldest_data_is_dropped_and_counted_and_alarms_are_kept()
    {
        var metrics = new AgentMetrics();
        await using var outbox = SqliteOutbox.Open(new OutboxOptions { MaxMessages = 1000 }, DbPath, metrics, NullLogger.Instance);
        for (var i = 0; i < 100; i++)
        {
            outbox.TryEnqueue(Alarm(i));
        }

        for (var i = 0; i < 3000; i++)
        {
            outbox.TryEnqueue(Data(i));
        }

        await outbox.FlushAsync(CancellationToken.None);
        var all = ReadAll(outbox);
        Assert.True(all.Count <= 1000, $"{all.Count} messages kept, bound is 1000");
        Assert.Equal(100, all.Count(m => m.Class == MessageClass.Alarm));
        var data = all.Where(m => m.Class == MessageClass.Data).Select(m => BitConverter.ToInt32(m.Payload)).ToList();
        Assert.Equal(2999, data[^1]); // the newest data survives, the oldest went first
        Assert.Equal(data.Count, data[^1] - data[0] + 1);
        Assert.Equal(3100 - all.Count, metrics.DroppedTotal("outbox").Value);
    }

    [Fact]
    public async Task On_a_full_disk_data_is_dropped_and_alarms_are_kept()
    {
        var metrics = new AgentMetrics();

        // max_page_count makes SQLite report SQLITE_FULL at ~400 KB, as a full file system would.
        await using var outbox = SqliteOutbox.Open(new OutboxOptions { MaxPageCount = 100 }, DbPath, metrics, NullLogger.Instance);
        var big = new byte[2000];
        for (var i = 0; i < 400; i++)
        {
            outbox.TryEnqueue(new OutboxMessage(MessageClass.Data, "t/data", big, false, DateTime.UtcNow.Ticks));
        }

        await outbox.FlushAsync(CancellationToken.None);
        Assert.True(outbox.DiskFull || metrics.DroppedTotal("outbox").Value > 0, "expected the tiny database to fill up");
        for (var i = 0; i < 20; i++)
        {
            outbox.TryEnqueue(Alarm(i));
        }

        await outbox.FlushAsync(CancellationToken.None);
        var alarms = ReadAll(outbox).Where(m => m.Class == MessageClass.Alarm).Select(m => BitConverter.ToInt32(m.Payload));
        Assert.Equal(Enumerable.Range(0, 20), alarms);
        Assert.True(metrics.DroppedTotal("outbox").Value > 0);
    }

    [Fact]
    public async Task Data_older_than_maxAge_expires_but_alarms_do_not()
    {
        var metrics = new AgentMetrics();
        var old = DateTime.UtcNow.AddHours(-2).Ticks;
        await using var outbox = SqliteOutbox.Open(new OutboxOptions { MaxAge = TimeSpan.FromHours(1) }, DbPath, metrics, NullLogger.Instance);
        outbox.TryEnqueue(new OutboxMessage(MessageClass.Alarm, "t/alarms", [1], false, old));
        outbox.TryEnqueue(new OutboxMessage(MessageClass.Data, "t/data", [2], false, old));
        outbox.TryEnqueue(new OutboxMessage(MessageClass.Data, "t/data", [3], false, DateTime.UtcNow.Ticks));
        await outbox.FlushAsync(CancellationToken.None);
        var left = ReadAll(outbox).Select(m => m.Payload[0]).ToList();
        Assert.Equal([1, 3], left);
        Assert.Equal(1, metrics.DroppedTotal("outbox").Value);
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_a_clear_error_naming_it()
    {
        await File.WriteAllTextAsync(DbPath, new string('x', 4096));
        var ex = Assert.Throws<OutboxException>(() => SqliteOutbox.Open(new OutboxOptions(), DbPath, new AgentMetrics(), NullLogger.Instance));
        Assert.Equal(DbPath, ex.Path);
        Assert.Contains("outbox", ex.Message);
        await Task.CompletedTask;
    }
}
