using System.Collections.Concurrent;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Support;

/// <summary>Runs an <see cref="Agent"/> in-process on a YAML text, with a capturing sink, until disposed.</summary>
internal sealed class TestAgent : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    private TestAgent(Agent agent, CaptureSink sink)
    {
        Agent = agent;
        Sink = sink;
    }

    public Agent Agent { get; }
    public CaptureSink Sink { get; }

    public static AgentConfig Parse(string yaml, string? dataDir = null)
    {
        dataDir ??= Directory.CreateTempSubdirectory("edgeagent-test").FullName;
        var path = Path.Combine(dataDir, "agent.yaml");
        File.WriteAllText(path, yaml);
        var (config, errors) = ConfigLoader.TryLoad(path);
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        return config!;
    }

    public static async Task<TestAgent> StartAsync(string yaml, ILoggerFactory? loggers = null, params IAgentComponent[] components)
    {
        var config = Parse(yaml);
        var agent = new Agent(config, loggers ?? NullLoggerFactory.Instance, new AgentMetrics());
        var sink = new CaptureSink();
        agent.Add(new SinkComponent(sink));
        foreach (var c in components)
        {
            agent.Add(c);
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var self = new TestAgent(agent, sink);
        self._run = Task.Run(() => agent.RunAsync(self._stop.Token, started));
        await Task.WhenAny(started.Task, self._run).WaitAsync(TimeSpan.FromSeconds(30));
        if (self._run.IsFaulted)
        {
            await self._run; // surface the failure
        }

        return self;
    }

    /// <summary>Stops the agent gracefully (sources, drain, flush) and waits for it.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            await StopAsync();
        }

        await Agent.DisposeAsync();
        _stop.Dispose();
    }

    private sealed class SinkComponent(ISink sink) : IAgentComponent
    {
        public void Register(AgentContext context) => context.AddSink(sink);
    }
}

/// <summary>A sink that records everything and lets a test wait for a condition without sleeping.</summary>
internal sealed class CaptureSink : ISink
{
    private readonly object _gate = new();
    private readonly List<Sample> _samples = new();
    private readonly List<AgentEvent> _events = new();
    private readonly List<(Func<bool> Condition, TaskCompletionSource Done)> _waiters = new();

    public string Name => "capture";

    public bool Stopped { get; private set; }

    public Sample[] Samples
    {
        get
        {
            lock (_gate)
            {
                return _samples.ToArray();
            }
        }
    }

    public AgentEvent[] Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToArray();
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void OnSamples(ReadOnlySpan<Sample> samples)
    {
        lock (_gate)
        {
            foreach (var s in samples)
            {
                _samples.Add(s);
            }
        }

        Check();
    }

    public void OnEvent(AgentEvent agentEvent)
    {
        lock (_gate)
        {
            _events.Add(agentEvent);
        }

        Check();
    }

    /// <summary>Completes when <paramref name="condition"/> holds (checked on every delivery); fails the test after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<CaptureSink, bool> condition, TimeSpan? timeout = null, string? what = null)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((() => condition(this), done));
        }

        Check();
        try
        {
            await done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out waiting for {what ?? "condition"}: {Samples.Length} samples, {Events.Length} events seen");
        }
    }

    private void Check()
    {
        (Func<bool>, TaskCompletionSource)[] waiters;
        lock (_gate)
        {
            waiters = _waiters.ToArray();
        }

        foreach (var (condition, done) in waiters)
        {
            if (!done.Task.IsCompleted && condition())
            {
                done.TrySetResult();
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stopped = true;
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
