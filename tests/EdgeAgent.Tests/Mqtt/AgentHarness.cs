using EdgeAgent.Config;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>An in-process agent built from a YAML text, running until disposed.</summary>
internal sealed class AgentHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ILoggerFactory _loggers;
    private readonly string _dir;
    private Task? _run;

    private AgentHarness(Agent agent, AgentMetrics metrics, ILoggerFactory loggers, string dir)
    {
        Agent = agent;
        Metrics = metrics;
        _loggers = loggers;
        _dir = dir;
    }

    public Agent Agent { get; }
    public AgentMetrics Metrics { get; }
    public string Directory => _dir;

    public static async Task<AgentHarness> StartAsync(string yaml, ITestOutputHelper output)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("agent-").FullName;
        var path = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(path, yaml);
        var config = ConfigLoader.Load(path);
        var metrics = new AgentMetrics();
        var loggers = TestOutputLoggerProvider.Factory(output);
        var harness = new AgentHarness(new Agent(config, loggers, metrics), metrics, loggers, dir);
        var started = new TaskCompletionSource();
        harness._run = harness.Agent.RunAsync(harness._stop.Token, started);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
        }

        await Agent.DisposeAsync();
        _loggers.Dispose();
        _stop.Dispose();
        try
        {
            System.IO.Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
