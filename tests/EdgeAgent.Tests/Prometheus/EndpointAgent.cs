using System.Collections.Concurrent;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Mqtt;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Prometheus;

/// <summary>
/// The agent in-process with <c>outputs.prometheus</c> on a free loopback port, its own metrics and its log lines
/// (<c>{category} {event id} {level}: {message}</c>); <see cref="Http"/> talks to its endpoint.
/// </summary>
internal sealed class EndpointAgent : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ILoggerFactory _loggers;
    private Task? _run;

    private EndpointAgent(string dir, int port, Agent agent, AgentMetrics metrics, ILoggerFactory loggers, ConcurrentQueue<string> lines)
    {
        Dir = dir;
        Port = port;
        Instance = agent;
        Metrics = metrics;
        _loggers = loggers;
        Lines = lines;
    }

    public string Dir { get; }

    public int Port { get; }

    /// <summary>host:port of the endpoint (the Prometheus target).</summary>
    public string Target => $"127.0.0.1:{Port}";

    public string Url => $"http://{Target}";

    public Agent Instance { get; }

    public AgentMetrics Metrics { get; }

    public ConcurrentQueue<string> Lines { get; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Starts the agent of <paramref name="body"/> (agent, sources, … and an <c>outputs:</c> line last, whose keys follow) with the endpoint added to its outputs.</summary>
    public static async Task<EndpointAgent> StartAsync(ITestOutputHelper output, string body, string outputs)
    {
        var dir = Directory.CreateTempSubdirectory("prom-agent-").FullName;
        var port = Mosquitto.FreePort();
        var path = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(path, $"agent: {{ id: prom-gw, site: test/prom }}\n{body}\noutputs:\n{outputs}\n  prometheus: {{ listen: \"127.0.0.1:{port}\" }}\n");
        var config = ConfigLoader.Load(path);
        var metrics = new AgentMetrics();
        var lines = new ConcurrentQueue<string>();
        var loggers = LoggerFactory.Create(b => b.AddProvider(new Recorder(output, lines)).SetMinimumLevel(LogLevel.Information));
        var agent = new Agent(config, loggers, metrics);
        var harness = new EndpointAgent(dir, port, agent, metrics, loggers, lines);
        var started = new TaskCompletionSource();
        harness._run = agent.RunAsync(harness._stop.Token, started);
        await Task.WhenAny(started.Task, harness._run).WaitAsync(TimeSpan.FromSeconds(30));
        if (harness._run.IsFaulted)
        {
            await harness._run; // the start-up failure, as it is
        }

        return harness;
    }

    /// <summary>GET <paramref name="path"/>: status and body.</summary>
    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(Url + path);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails with <paramref name="what"/>, the last observation and the log after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<Task<(bool Done, string Seen)>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var (done, seen) = await condition();
            if (done)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {timeout}; last seen: {seen}\n{string.Join("\n", Lines)}");
            }

            await Task.Delay(100); // polling the observed endpoint, bounded by the deadline
        }
    }

    public async Task StopAsync()
    {
        if (_run is null)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            _run = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            await Instance.DisposeAsync();
            Http.Dispose();
            _loggers.Dispose();
            _stop.Dispose();
        }
    }

    private sealed class Recorder(ITestOutputHelper output, ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(output, lines, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ITestOutputHelper output, ConcurrentQueue<string> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = $"{category} {eventId.Id} {logLevel}: {formatter(state, exception)}";
                lines.Enqueue(line);
                try
                {
                    output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
                }
                catch (InvalidOperationException)
                {
                }
            }
        }
    }
}
