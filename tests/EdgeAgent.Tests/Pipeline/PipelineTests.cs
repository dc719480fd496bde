using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Pipeline;

public class PipelineTests
{
    static PipelineTests() => Plugins.Register(FaultyDriver.Instance);

    [Fact]
    public async Task A_failing_source_and_a_failing_sink_never_stop_the_others()
    {
        await using var agent = await TestAgent.StartAsync("""
            agent: { id: t1, site: test }
            sources:
              - name: good
                driver: simulator
                poll: 5ms
                tags: [ { name: count, signal: counter } ]
              - name: bad
                driver: test-faulty
                tags: [ { name: x } ]
            outputs: { mqtt: false }
            """, null, new ThrowingSinkComponent());

        await agent.Sink.WaitUntilAsync(s => s.Samples.Length >= 100, what: "100 samples from the good source");
        await agent.Sink.WaitUntilAsync(
            s => s.Events.OfType<SourceStateEvent>().Any(e => e is { Source: "bad", State: SourceState.Down }),
            what: "the faulty source reported down");

        var counts = agent.Sink.Samples.Select(s => s.Value).Take(100).ToArray();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (double)i), counts);
        var bad = agent.Agent.Writers[1];
        Assert.Equal(SourceState.Down, bad.State);
        Assert.Contains("device on fire", bad.Reason);
    }

    [Fact]
    public async Task Stopping_drains_the_queue_and_stops_the_sinks()
    {
        var agent = await TestAgent.StartAsync("""
            sources:
              - { name: sim, driver: simulator, poll: 1ms, tags: [ { name: c, signal: counter } ] }
            outputs: { mqtt: false }
            """);
        await agent.Sink.WaitUntilAsync(s => s.Samples.Length >= 10);
        await agent.StopAsync();
        Assert.True(agent.Sink.Stopped);
        Assert.Equal(agent.Agent.Pipeline!.Routed, agent.Sink.Samples.Length);
        await agent.DisposeAsync();
    }

    [Fact]
    public void A_full_queue_drops_the_newest_batch_and_counts_every_sample()
    {
        var config = TestAgent.Parse("""
            sources:
              - { name: sim, driver: simulator, tags: [ { name: a }, { name: b } ] }
            outputs: { mqtt: false }
            """);
        var metrics = new AgentMetrics();
        var pipeline = new SamplePipeline(TagDirectory.Of(config), [], [], capacity: 1, metrics, NullLogger.Instance);
        var writer = pipeline.CreateWriter(0, metrics);
        Sample[] batch = [Sample.Good(0, 1, 0), Sample.Good(1, 2, 0)];

        Assert.True(writer.TryWrite(batch));
        Assert.False(writer.TryWrite(batch));
        Assert.False(writer.TryWrite(batch));
        Assert.Equal(4, metrics.DroppedTotal("samples").Value);
    }

    [Fact]
    public void Routes_each_sample_to_the_consumers_of_its_tag_and_keeps_the_latest()
    {
        var config = TestAgent.Parse("""
            sources:
              - { name: sim, driver: simulator, tags: [ { name: a }, { name: b } ] }
            outputs: { mqtt: false }
            """);
        var metrics = new AgentMetrics();
        var onA = new CountingConsumer();
        var onB = new CountingConsumer();
        var directory = TagDirectory.Of(config);
        var pipeline = new SamplePipeline(directory, [(0, onA), (1, onB), (1, onB)], [], 8, metrics, NullLogger.Instance);
        var items = System.Buffers.ArrayPool<Sample>.Shared.Rent(3);
        items[0] = Sample.Good(0, 1, 1);
        items[1] = Sample.Good(1, 2, 1);
        items[2] = Sample.Good(1, 3, 2);
        pipeline.Route(new SampleBatch(items, 3, 0));

        Assert.Equal(1, onA.Count);
        Assert.Equal(4, onB.Count);
        Assert.Equal(3, directory.Latest(1).Value);
        Assert.Equal(3, metrics.SamplesTotal("sim").Value);
    }

    [Fact]
    public void A_source_logs_one_line_per_change_of_state_not_per_retry()
    {
        var config = TestAgent.Parse("""
            sources:
              - { name: sim, driver: simulator, tags: [ { name: a } ] }
            outputs: { mqtt: false }
            """);
        var logs = new ListLogger();
        var metrics = new AgentMetrics();
        var pipeline = new SamplePipeline(TagDirectory.Of(config), [], [], 8, metrics, logs);
        var events = new List<SourceStateEvent>();
        var writer = pipeline.CreateWriter(0, metrics, events.Add);

        writer.SetState(SourceState.Up);
        writer.SetState(SourceState.Up);
        for (var i = 0; i < 5; i++)
        {
            writer.SetState(SourceState.Down, "connection refused");
        }

        writer.SetState(SourceState.Up);

        Assert.Equal(3, logs.Lines.Count);
        Assert.Equal([SourceState.Up, SourceState.Down, SourceState.Up], events.Select(e => e.State));
        Assert.Equal(5, metrics.ReadErrorsTotal("sim").Value);
        Assert.Equal(1, metrics.SourceUp("sim").Value);
    }

    [Fact]
    public void A_consumer_that_throws_on_every_sample_logs_once_with_its_exception_counts_each_failure_and_logs_its_recovery()
    {
        var config = TestAgent.Parse("""
            sources:
              - { name: sim, driver: simulator, tags: [ { name: a } ] }
            outputs: { mqtt: false }
            """);
        var logs = new ListLogger();
        var metrics = new AgentMetrics();
        var consumer = new BreakableConsumer { Broken = true };
        var pipeline = new SamplePipeline(TagDirectory.Of(config), [(0, consumer)], [], 8, metrics, logs);

        RouteOne(pipeline, 1000);
        consumer.Broken = false;
        RouteOne(pipeline, 10);

        Assert.Equal(1000, metrics.Get("edgeagent_consumer_errors_total", "consumer", nameof(BreakableConsumer)).Value);
        Assert.Equal(2, logs.Lines.Count);
        Assert.Contains("BreakableConsumer failed on a sample", logs.Lines[0]);
        Assert.IsType<InvalidOperationException>(logs.Exceptions[0]);
        Assert.Contains(nameof(BreakableConsumer.OnSample), logs.Exceptions[0]!.StackTrace);
        Assert.Equal("The consumer BreakableConsumer works again after 1000 failures in a row", logs.Lines[1]);
        Assert.Equal(10, consumer.Taken);
    }

    [Fact]
    public void A_sink_that_throws_on_every_batch_logs_once_and_counts_each_failure()
    {
        var config = TestAgent.Parse("""
            sources:
              - { name: sim, driver: simulator, tags: [ { name: a } ] }
            outputs: { mqtt: false }
            """);
        var logs = new ListLogger();
        var metrics = new AgentMetrics();
        var pipeline = new SamplePipeline(TagDirectory.Of(config), [], [new ThrowingSink()], 8, metrics, logs);

        for (var i = 0; i < 50; i++)
        {
            RouteOne(pipeline, 1);
            pipeline.Publish(new SourceStateEvent(DateTime.UnixEpoch, "sim", SourceState.Up, null));
        }

        Assert.Equal(100, metrics.Get("edgeagent_sink_errors_total", "sink", "throwing").Value);
        var line = Assert.Single(logs.Lines);
        Assert.Equal("The sink throwing failed to take samples; further failures are counted, not logged, until it recovers", line);
        Assert.Equal("sink broken", logs.Exceptions[0]!.Message);
    }

    private static void RouteOne(SamplePipeline pipeline, int samples)
    {
        for (var i = 0; i < samples; i++)
        {
            var items = System.Buffers.ArrayPool<Sample>.Shared.Rent(1);
            items[0] = Sample.Good(0, i, i + 1);
            pipeline.Route(new SampleBatch(items, 1, 0));
        }
    }

    private sealed class BreakableConsumer : ISampleConsumer
    {
        public bool Broken;
        public int Taken;

        public void OnSample(in Sample sample)
        {
            if (Broken)
            {
                throw new InvalidOperationException("consumer broken");
            }

            Taken++;
        }
    }

    private sealed class CountingConsumer : ISampleConsumer
    {
        public int Count;

        public void OnSample(in Sample sample) => Count++;
    }

    private sealed class ThrowingSinkComponent : IAgentComponent
    {
        public void Register(AgentContext context) => context.AddSink(new ThrowingSink());
    }

    private sealed class ThrowingSink : ISink
    {
        public string Name => "throwing";
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public void OnSamples(ReadOnlySpan<Sample> samples) => throw new InvalidOperationException("sink broken");
        public void OnEvent(AgentEvent agentEvent) => throw new InvalidOperationException("sink broken");
        public Task StopAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("sink broken");
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>A driver whose RunAsync always throws: the agent must isolate and restart it.</summary>
    private sealed class FaultyDriver : IDriverPlugin, ISource
    {
        public static readonly FaultyDriver Instance = new();
        public IReadOnlyList<string> Drivers { get; } = ["test-faulty"];
        public string Name => "bad";
        public Section SourceKeys(string driver) => new();
        public Section TagKeys(string driver) => new();
        public object? BindSource(string driver, ConfigMap source) => null;
        public object? BindTag(string driver, ConfigMap tag, object? sourceOptions) => null;
        public void Check(SourceConfig source, ConfigMap map) { }
        public ISource Create(SourceConfig source, ILoggerFactory loggers) => this;
        public Task RunAsync(ISampleWriter writer, CancellationToken cancellationToken) => throw new IOException("device on fire");
        public ValueTask<Sample[]> ReadOnceAsync(CancellationToken cancellationToken) => throw new IOException("device on fire");
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = new();
        public List<Exception?> Exceptions { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Lines.Add(formatter(state, exception));
            Exceptions.Add(exception);
        }
    }
}
