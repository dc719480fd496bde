using System.Collections.Concurrent;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Influx;

/// <summary>
/// The agent in-process with a given <c>outputs.influxdb</c> over a simulator source (and, with <see cref="Spc"/>, a
/// characteristic and equipment): its metrics and log lines (<c>{category} {event id} {level}: {message}</c>) to assert on.
/// </summary>
internal sealed class InfluxAgent : IAsyncDisposable
{
    /// <summary>A press with a shifted characteristic (SPC points, capability, rule violations and alarms) and equipment whose state changes every 2 s.</summary>
    public const string Spc = """
        sources:
          - name: press1
            driver: simulator
            poll: 20ms
            seed: 7
            tags:
              - { name: count, signal: counter }
              - { name: diameter, signal: normal, mean: 10.0, sd: 0.01, shift: { after: 3s, by: 0.05 }, unit: mm }
              - { name: running, signal: square, period: 2s, duty: 0.5 }
        characteristics:
          - name: press1.diameter
            chart: xbar-r
            subgroup: 5
            spec: { lsl: 9.95, usl: 10.1, target: 10.0 }
            limits: { baseline: 20 }
            rules: [we1, we2, we3, we4]
        equipment:
          - name: press1
            running: press1.running == 1
        """;

    /// <summary>One counter tag at 20 Hz.</summary>
    public const string Counter = """
        sources:
          - name: sim
            driver: simulator
            poll: 50ms
            tags:
              - { name: count, signal: counter }
        """;

    private readonly CancellationTokenSource _stop = new();
    private readonly ILoggerFactory _loggers;
    private Task? _run;

    private InfluxAgent(string dir, Agent agent, AgentMetrics metrics, ILoggerFactory loggers, Recorder recorder)
    {
        Dir = dir;
        Instance = agent;
        Metrics = metrics;
        _loggers = loggers;
        Lines = recorder.Lines;
    }

    public string Dir { get; }

    public Agent Instance { get; }

    public AgentMetrics Metrics { get; }

    public ConcurrentQueue<string> Lines { get; }

    public long Written => Metrics.Get("edgeagent_influx_points_total", "result", "written").Value;
    public long Failed => Metrics.Get("edgeagent_influx_points_total", "result", "failed").Value;
    public long Dropped => Metrics.Get("edgeagent_influx_points_total", "result", "dropped").Value;
    public long Retries => Metrics.Get("edgeagent_influx_retries_total", string.Empty, string.Empty).Value;

    /// <summary>Starts the agent of <paramref name="body"/> (sources, characteristics …) with <paramref name="influx"/> as <c>outputs.influxdb</c>.</summary>
    public static async Task<InfluxAgent> StartAsync(ITestOutputHelper output, string body, string influx, string? dir = null)
    {
        dir ??= Directory.CreateTempSubdirectory("influx-agent-").FullName;
        var path = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(path, $"agent: {{ id: influx-gw, site: test/influx }}\n{body}\noutputs:\n  mqtt: false\n  influxdb: {influx}\n");
        var config = ConfigLoader.Load(path);
        var metrics = new AgentMetrics();
        var recorder = new Recorder(output);
        var loggers = LoggerFactory.Create(b => b.AddProvider(recorder).SetMinimumLevel(LogLevel.Information));
        var agent = new Agent(config, loggers, metrics);
        var harness = new InfluxAgent(dir, agent, metrics, loggers, recorder);
        var started = new TaskCompletionSource();
        harness._run = agent.RunAsync(harness._stop.Token, started);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return harness;
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails with <paramref name="what"/> and the log after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {timeout} (written {Written}, failed {Failed}, dropped {Dropped}, retries {Retries}):\n{string.Join("\n", Lines)}");
            }

            await Task.Delay(50); // polling an observed counter, bounded by the deadline
        }
    }

    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {timeout} (written {Written}, failed {Failed}, dropped {Dropped}, retries {Retries}):\n{string.Join("\n", Lines)}");
            }

            await Task.Delay(100); // polling the observed server, bounded by the deadline
        }
    }

    /// <summary>The log lines of the InfluxDB output with event id <paramref name="eventId"/>.</summary>
    public List<string> Logged(int eventId) => Lines.Where(l => l.StartsWith($"EdgeAgent.Influx {eventId} ", StringComparison.Ordinal)).ToList();

    /// <summary>Graceful stop (the sinks flush), then dispose.</summary>
    public async Task StopAsync()
    {
        if (_run is null)
        {
            return;
        }

        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(60));
        _run = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Instance.DisposeAsync();
        _loggers.Dispose();
        _stop.Dispose();
    }

    private sealed class Recorder(ITestOutputHelper output) : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ITestOutputHelper Output { get; } = output;

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(Recorder recorder, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = $"{category} {eventId.Id} {logLevel}: {formatter(state, exception)}";
                recorder.Lines.Enqueue(line);
                try
                {
                    recorder.Output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
                }
                catch (InvalidOperationException)
                {
                }
            }
        }
    }
}
