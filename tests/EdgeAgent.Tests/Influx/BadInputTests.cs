using Xunit.Abstractions;

namespace EdgeAgent.Tests.Influx;

/// <summary>What the output does with a server that refuses, fails or hangs: one clear line, retries where they can help, no storm.</summary>
public sealed class BadInputTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("wrong-password", 401, "authorization failed", "check user and password")]
    [InlineData("unknown-database", 404, "database not found", "check database and retention")]
    public async Task A_refusal_by_influxdb_1_is_one_error_line_and_the_batches_are_not_retried(string what, int status, string reason, string hint)
    {
        await using var influx = await InfluxDb1.StartNewAsync(auth: true, "edge");
        var (database, password) = what == "wrong-password" ? ("edge", "wrong") : ("nope", InfluxDb1.AdminPassword);
        await using var agent = await InfluxAgent.StartAsync(output, InfluxAgent.Counter,
            $"{{ version: 1, url: \"{influx.Url}\", database: {database}, user: {InfluxDb1.Admin}, password: {password}, flushInterval: 50ms }}");
        await agent.WaitUntilAsync(() => agent.Failed >= 20, TimeSpan.FromSeconds(30), "20 refused points");
        await agent.StopAsync();

        var refused = Assert.Single(agent.Logged(353));
        Assert.Contains($"HTTP {status}", refused);
        Assert.Contains(reason, refused);
        Assert.Contains(hint, refused);
        Assert.DoesNotContain(password == "wrong" ? "wrong" : InfluxDb1.AdminPassword, string.Join("\n", agent.Lines));
        Assert.Equal(0, agent.Retries);
        Assert.Equal(0, agent.Written);
        Assert.Empty(agent.Logged(352));
    }

    [Theory]
    [InlineData(401, """{"code":"unauthorized","message":"unauthorized access"}""", "unauthorized access", "check the token")]
    [InlineData(404, """{"code":"not found","message":"bucket \"nope\" not found"}""", "bucket \"nope\" not found", "check org and bucket")]
    public async Task A_refusal_by_the_v2_api_is_one_error_line_with_the_servers_message(int status, string body, string reason, string hint)
    {
        // InfluxDB 2.x answers: the test server speaks its status codes and JSON error bodies.
        await using var server = new ScriptedHttpServer(_ => (status, body));
        await using var agent = await InfluxAgent.StartAsync(output, InfluxAgent.Counter,
            $"{{ url: \"{server.Url}\", org: acme, bucket: nope, token: not-the-token, flushInterval: 50ms }}");
        await agent.WaitUntilAsync(() => agent.Failed >= 20 && server.Requests >= 3, TimeSpan.FromSeconds(30), "20 refused points in 3 requests");
        await agent.StopAsync();

        var refused = Assert.Single(agent.Logged(353));
        Assert.Contains($"HTTP {status}", refused);
        Assert.Contains(reason, refused);
        Assert.Contains(hint, refused);
        Assert.DoesNotContain("not-the-token", string.Join("\n", agent.Lines));
        Assert.Equal(0, agent.Retries);
        Assert.True(server.Requests <= agent.Failed, $"{server.Requests} requests for {agent.Failed} points: each batch is tried once");
    }

    [Fact]
    public async Task A_server_answering_500_twice_gets_the_same_batch_again_and_every_point_arrives()
    {
        await using var server = new ScriptedHttpServer(i => i < 2 ? (500, """{"code":"internal error","message":"engine: cache full"}""") : (204, ""));
        await using var agent = await InfluxAgent.StartAsync(output, InfluxAgent.Counter,
            $"{{ url: \"{server.Url}\", bucket: edge, flushInterval: 50ms, retryMax: 500ms }}");
        await agent.WaitUntilAsync(() => agent.Written >= 40, TimeSpan.FromSeconds(30), "40 points written");
        await agent.StopAsync();

        Assert.Equal(2, agent.Retries);
        Assert.Equal(0, agent.Failed);
        var down = Assert.Single(agent.Logged(352));
        Assert.Contains("HTTP 500: engine: cache full", down);
        Assert.Single(agent.Logged(351));
        var counts = server.Accepted.Where(l => l.Contains("tag=count", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ')[1].Split(',')[0]["value=".Length..])).Order().ToList();
        Assert.Equal(Enumerable.Range(0, counts.Count).Select(i => (long)i), counts);
    }

    [Fact]
    public async Task A_server_that_accepts_and_never_answers_times_out_is_retried_and_no_point_is_lost()
    {
        await using var server = new ScriptedHttpServer(i => i < 3 ? null : (204, ""));
        await using var agent = await InfluxAgent.StartAsync(output, InfluxAgent.Counter,
            $"{{ url: \"{server.Url}\", bucket: edge, flushInterval: 50ms, timeout: 300ms, retryMax: 300ms, queueMemory: 2KB, queueDisk: 1MB }}");
        await agent.WaitUntilAsync(() => agent.Written >= 40, TimeSpan.FromSeconds(30), "40 points written after three unanswered requests");
        await agent.StopAsync();

        Assert.True(agent.Retries >= 3, $"{agent.Retries} retries");
        Assert.True(server.Requests >= 4);
        var down = Assert.Single(agent.Logged(352));
        Assert.Contains("no answer within 0.3 s", down);
        Assert.Equal(0, agent.Failed);
        Assert.Equal(0, agent.Dropped);
        var counts = server.Accepted.Where(l => l.Contains("tag=count", StringComparison.Ordinal)).Count();
        Assert.Equal(agent.Written, counts);
    }
}
