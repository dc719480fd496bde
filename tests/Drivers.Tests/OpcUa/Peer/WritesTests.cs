using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;

namespace EdgeAgent.Drivers.OpcUa.Tests.Peer;

/// <summary>
/// The OPC UA write path against the node-opcua test server (its Loop folder), each value checked by node-opcua-client
/// (tests/peers/opcua/read.js), not by the client under test. Each test writes its own nodes: the server is shared.
/// </summary>
[Collection(OpcUaServerCollection.Name)]
public sealed class WritesTests(OpcUaServerFixture fixture) : IAsyncLifetime
{
    private NodeOpcUaReader _reader = null!;

    public async Task InitializeAsync() => _reader = await NodeOpcUaReader.StartAsync(OpcUaServerProcess.PeersDirectory(), fixture.EndpointUrl);

    public async Task DisposeAsync() => await _reader.DisposeAsync();

    private OpcUaSource Source(string? endpoint = null) =>
        new("cell", new OpcUaSourceOptions { Client = new UaClientOptions { EndpointUrl = endpoint ?? fixture.EndpointUrl } }, []);

    private static TagBinding Tag(string node) => new(0, node, new OpcUaTagOptions(node));

    [Fact]
    public async Task A_Boolean_written_1_then_0_is_true_then_false_for_node_opcua_client()
    {
        await using var source = Source();
        var hold = Tag("ns=2;s=Loop.Hold");

        Assert.Equal(new WriteResult(1, true), await source.WriteAsync(hold, 1, CancellationToken.None));
        var on = await _reader.ReadAsync("ns=2;s=Loop.Hold");
        Assert.Equal(("Boolean", true), (on.GetProperty("dataType").GetString(), on.GetProperty("value").GetBoolean()));

        Assert.Equal(new WriteResult(0, true), await source.WriteAsync(hold, 0, CancellationToken.None));
        Assert.False((await _reader.ReadAsync("ns=2;s=Loop.Hold")).GetProperty("value").GetBoolean());
    }

    [Fact]
    public async Task A_Double_is_written_as_a_Double_and_node_opcua_client_reads_the_exact_value()
    {
        await using var source = Source();

        Assert.Equal(new WriteResult(10.3, true), await source.WriteAsync(Tag("ns=2;s=Loop.Setpoint"), 10.3, CancellationToken.None));

        var seen = await _reader.ReadAsync("ns=2;s=Loop.Setpoint");
        Assert.Equal(("Double", 10.3), (seen.GetProperty("dataType").GetString(), seen.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task A_Float_node_is_written_as_a_Float_and_reads_back_as_its_decimal()
    {
        await using var source = Source();

        Assert.Equal(new WriteResult(10.3, true), await source.WriteAsync(Tag("ns=2;s=Loop.Float"), 10.3, CancellationToken.None));

        var seen = await _reader.ReadAsync("ns=2;s=Loop.Float");
        Assert.Equal("Float", seen.GetProperty("dataType").GetString());
        Assert.Equal((float)10.3, (float)seen.GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task An_Int16_node_takes_the_rounded_value_and_refuses_one_outside_its_range_without_sending_it()
    {
        await using var source = Source();
        var tag = Tag("ns=2;s=Loop.Int16");

        Assert.Equal(new WriteResult(-1235, true), await source.WriteAsync(tag, -1234.5, CancellationToken.None));
        var refused = await Assert.ThrowsAsync<SourceException>(async () => await source.WriteAsync(tag, 40000, CancellationToken.None));

        Assert.False(refused.IsTransient);
        Assert.Contains("40000 does not fit Int16 [-32768..32767]", refused.Message);
        var seen = await _reader.ReadAsync("ns=2;s=Loop.Int16");
        Assert.Equal(("Int16", -1235), (seen.GetProperty("dataType").GetString(), seen.GetProperty("value").GetInt32()));
    }

    [Theory]
    [InlineData("ns=2;s=Loop.ReadOnly", StatusCode.BadNotWritable, 1.5)]
    [InlineData("ns=2;s=Loop.Denied", StatusCode.BadUserAccessDenied, 2.5)]
    [InlineData("ns=2;s=Loop.Mismatch", StatusCode.BadTypeMismatch, 3.5)]
    public async Task A_write_the_server_refuses_is_a_non_transient_failure_naming_its_status_code_and_changes_nothing(string node, uint code, double unchanged)
    {
        await using var source = Source();

        var refused = await Assert.ThrowsAsync<OpcUaException>(async () => await source.WriteAsync(Tag(node), 7, CancellationToken.None));

        Assert.Equal(code, refused.StatusCode.Code);
        Assert.False(refused.IsTransient);
        Assert.Contains(StatusCode.Name(code)!, refused.Message);
        Assert.Equal(unchanged, (await _reader.ReadAsync(node)).GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task A_String_variable_cannot_be_written_and_says_why()
    {
        await using var source = Source();

        var refused = await Assert.ThrowsAsync<SourceException>(async () => await source.WriteAsync(Tag("ns=2;s=Loop.Text"), 1, CancellationToken.None));

        Assert.False(refused.IsTransient);
        Assert.Contains("not a numeric or Boolean scalar variable", refused.Message);
        Assert.Equal("idle", (await _reader.ReadAsync("ns=2;s=Loop.Text")).GetProperty("value").GetString());
    }

    [Fact]
    public async Task A_Boolean_takes_only_0_or_1()
    {
        await using var source = Source();

        var refused = await Assert.ThrowsAsync<SourceException>(async () => await source.WriteAsync(Tag("ns=2;s=Loop.Hold4"), 2, CancellationToken.None));

        Assert.Contains("a Boolean takes 0 or 1, found 2", refused.Message);
        Assert.False((await _reader.ReadAsync("ns=2;s=Loop.Hold4")).GetProperty("value").GetBoolean());
    }

    [Fact]
    public async Task A_write_while_the_source_runs_goes_through_and_the_subscription_delivers_the_new_value()
    {
        var tags = new[] { Tag("ns=2;s=Loop.Setpoint4") };
        await using var source = new OpcUaSource("cell", new OpcUaSourceOptions
        {
            Client = new UaClientOptions { EndpointUrl = fixture.EndpointUrl },
            Sampling = TimeSpan.Zero,
            PublishingInterval = TimeSpan.FromMilliseconds(50),
        }, tags);
        var writer = new RecordingWriter();
        using var cts = new CancellationTokenSource();
        var run = source.RunAsync(writer, cts.Token);
        await writer.WaitFor(() => writer.Samples.Any(s => s.TagId == 0), TimeSpan.FromSeconds(60), "the first sample");

        Assert.Equal(new WriteResult(42.25, true), await source.WriteAsync(tags[0], 42.25, CancellationToken.None));

        await writer.WaitFor(() => writer.Samples.Any(s => s.TagId == 0 && s.Value == 42.25), TimeSpan.FromSeconds(60), "the written value as a sample");
        Assert.Equal(42.25, (await _reader.ReadAsync("ns=2;s=Loop.Setpoint4")).GetProperty("value").GetDouble());
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_write_to_a_server_that_is_not_there_is_a_transient_failure()
    {
        await using var source = Source($"opc.tcp://127.0.0.1:{OpcUaServerProcess.FreePort()}/UA/EdgeAgentTest");

        var failed = await Assert.ThrowsAnyAsync<SourceException>(async () => await source.WriteAsync(Tag("ns=2;s=Loop.Hold"), 1, CancellationToken.None));

        Assert.True(failed.IsTransient, failed.ToString());
    }
}
