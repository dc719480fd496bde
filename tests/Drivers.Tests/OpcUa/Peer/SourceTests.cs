using System.Collections.Concurrent;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.Tests.Peer;

internal sealed class RecordingWriter : ISampleWriter
{
    public readonly ConcurrentQueue<Sample> Samples = new();
    public readonly ConcurrentQueue<(SourceState, string?)> States = new();
    public readonly ConcurrentQueue<TimeSpan> Polls = new();
    public event Action? Changed;

    public void ObservePoll(TimeSpan elapsed) => Polls.Enqueue(elapsed);

    public bool TryWrite(ReadOnlySpan<Sample> samples)
    {
        foreach (var s in samples)
        {
            Samples.Enqueue(s);
        }

        Changed?.Invoke();
        return true;
    }

    public void SetState(SourceState state, string? reason = null)
    {
        if (States.LastOrDefault().Item1 != state || States.IsEmpty)
        {
            States.Enqueue((state, reason));
        }

        Changed?.Invoke();
    }

    /// <summary>Waits until <paramref name="condition"/> holds, re-checked on every write; fails after <paramref name="timeout"/>.</summary>
    public async Task WaitFor(Func<bool> condition, TimeSpan timeout, string what)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (condition())
            {
                signal.TrySetResult();
            }
        }

        Changed += Check;
        try
        {
            Check();
            await signal.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"not within {timeout.TotalSeconds} s: {what}");
        }
        finally
        {
            Changed -= Check;
        }
    }
}

[Collection(OpcUaServerCollection.Name)]
public sealed class SourceTests(OpcUaServerFixture fixture)
{
    private static TagBinding[] Tags(params string[] nodes) =>
        nodes.Select((n, i) => new TagBinding(i, "t" + i, new OpcUaTagOptions(n))).ToArray();

    [Fact]
    public async Task Read_once_returns_a_sample_per_tag_with_quality_from_the_status_code()
    {
        var source = new OpcUaSource("cell", new OpcUaSourceOptions { Client = new UaClientOptions { EndpointUrl = fixture.EndpointUrl } },
            Tags("ns=2;s=Demo.Double", "ns=2;s=Demo.String", "ns=2;s=Demo.Bad", "ns=2;s=Nope", "nsu=urn:edgeagent:second;s=Second.Value", "not a node"));
        var samples = await source.ReadOnceAsync(CancellationToken.None);
        Assert.Equal((10.01, Quality.Good), (samples[0].Value, samples[0].Quality));
        Assert.Equal(("héllo wörld", Quality.Good), (samples[1].Text, samples[1].Quality));
        Assert.Equal(Quality.Bad, samples[2].Quality);
        Assert.Equal(Quality.Bad, samples[3].Quality);
        Assert.Equal((42.5, Quality.Good), (samples[4].Value, samples[4].Quality));
        Assert.Equal(Quality.Bad, samples[5].Quality);
    }

    [Fact]
    public async Task A_float_node_reads_as_its_decimal_not_its_widened_double()
    {
        var source = new OpcUaSource("cell", new OpcUaSourceOptions { Client = new UaClientOptions { EndpointUrl = fixture.EndpointUrl } },
            Tags("ns=2;s=Demo.FloatDecimal", "ns=2;s=Demo.Float"));
        var samples = await source.ReadOnceAsync(CancellationToken.None);
        Assert.Equal((10.3, Quality.Good), (samples[0].Value, samples[0].Quality)); // not 10.300000190734863
        Assert.Equal("10.3", samples[0].Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((3.5, Quality.Good), (samples[1].Value, samples[1].Quality));
    }

    [Fact]
    public async Task Poll_mode_reads_every_interval_and_reports_each_reads_duration()
    {
        var source = new OpcUaSource("cell", new OpcUaSourceOptions
        {
            Client = new UaClientOptions { EndpointUrl = fixture.EndpointUrl },
            Mode = OpcUaMode.Poll,
            Poll = TimeSpan.FromMilliseconds(50),
        }, Tags("ns=2;s=Demo.Fast"));
        var writer = new RecordingWriter();
        using var cts = new CancellationTokenSource();
        var run = source.RunAsync(writer, cts.Token);
        await writer.WaitFor(() => writer.Samples.Count >= 5, TimeSpan.FromSeconds(30), "5 polled samples");
        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(writer.Samples, s => Assert.Equal(Quality.Good, s.Quality));
        Assert.Equal(SourceState.Up, writer.States.First().Item1);
        Assert.InRange(writer.Polls.Count, writer.Samples.Count, writer.Samples.Count + 1); // one duration per Read (one tag: one sample each)
        Assert.All(writer.Polls, p => Assert.True(p > TimeSpan.Zero, $"a poll took {p}"));
    }

    [Fact]
    public async Task Subscribe_mode_delivers_changes_as_samples()
    {
        var source = new OpcUaSource("cell", new OpcUaSourceOptions
        {
            Client = new UaClientOptions { EndpointUrl = fixture.EndpointUrl },
            Sampling = TimeSpan.Zero,
            PublishingInterval = TimeSpan.FromMilliseconds(50),
        }, Tags("ns=2;s=Demo.Fast", "ns=2;s=Demo.Double"));
        var writer = new RecordingWriter();
        using var cts = new CancellationTokenSource();
        var run = source.RunAsync(writer, cts.Token);
        await writer.WaitFor(() => writer.Samples.Count(s => s.TagId == 0) >= 20 && writer.Samples.Any(s => s.TagId == 1), TimeSpan.FromSeconds(30), "20 changes");
        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(writer.Samples, s => s.TagId == 1 && s.Value == 10.01 && s.Quality == Quality.Good);
        Assert.True(writer.Samples.Where(s => s.TagId == 0).All(s => s.SourceTicks > 0 && s.Quality == Quality.Good));
    }
}

/// <summary>Kills the server under a running subscription: the source reports Down, reconnects, resumes and reports the gap.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Server_killed_and_restarted_data_resumes_and_the_gap_is_reported()
    {
        var port = OpcUaServerProcess.FreePort();
        var server = await OpcUaServerProcess.StartAsync(port, "--big 10");
        var source = new OpcUaSource("cell", new OpcUaSourceOptions
        {
            Client = new UaClientOptions { EndpointUrl = server.EndpointUrl, Transport = new() { ConnectTimeout = TimeSpan.FromSeconds(2), RequestTimeout = TimeSpan.FromSeconds(3) } },
            Sampling = TimeSpan.Zero,
            PublishingInterval = TimeSpan.FromMilliseconds(50),
            ReconnectMin = TimeSpan.FromMilliseconds(200),
            ReconnectMax = TimeSpan.FromSeconds(1),
        }, [new TagBinding(0, "fast", new OpcUaTagOptions("ns=2;s=Demo.Fast"))]);
        var gaps = new ConcurrentQueue<OpcUaGap>();
        source.GapReported += gaps.Enqueue;
        var writer = new RecordingWriter();
        using var cts = new CancellationTokenSource();
        var run = source.RunAsync(writer, cts.Token);
        try
        {
            await writer.WaitFor(() => writer.Samples.Count(s => s.Quality == Quality.Good) >= 10, TimeSpan.FromSeconds(30), "data before the kill");
            await server.KillAsync();
            await writer.WaitFor(() => writer.States.Any(s => s.Item1 == SourceState.Down), TimeSpan.FromSeconds(30), "Down after the kill");
            Assert.Contains(writer.Samples, s => s.Quality == Quality.Bad);
            var before = writer.Samples.Count;

            await using var restarted = await OpcUaServerProcess.StartAsync(port, "--big 10");
            await writer.WaitFor(() => writer.Samples.Skip(before).Count(s => s.Quality == Quality.Good) >= 10, TimeSpan.FromSeconds(60), "data after the restart");
            var gap = Assert.Single(gaps);
            Assert.True(gap.To > gap.From);
            Assert.Equal(1, source.Reconnects);
            Assert.Equal(SourceState.Up, writer.States.Last().Item1);
        }
        finally
        {
            cts.Cancel();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
            await server.DisposeAsync();
        }
    }
}

/// <summary>The commissioning probe against the shared server's 50 variables changing every 10 ms.</summary>
[Collection(OpcUaServerCollection.Name)]
public sealed class ProbeTests(OpcUaServerFixture fixture)
{
    [Fact]
    public async Task The_probe_subscribes_all_50_variables_below_a_node_hears_them_change_and_loses_nothing()
    {
        var server = fixture.Server;
        var result = await OpcUaProbe.RunAsync(new UaClientOptions { EndpointUrl = server.EndpointUrl }, ExpandedNodeId.Parse("nsu=urn:edgeagent:test;s=Load"),
            TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100), warmup: TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Equal(50, result.Items);

        // Each variable changes every 10 ms for the 2 s measured: at least one round of all 50 must have arrived
        // (how many more depends on the machine's clock, so no exact count).
        Assert.True(result.Notifications >= 50, $"{result.Notifications} notifications from 50 changing variables");
        Assert.Equal(result.Notifications / result.Seconds, result.PerSecond);
        Assert.Equal(0, result.Lost);
    }
}
