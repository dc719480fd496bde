using System.Collections.Concurrent;
using EdgeAgent.Drivers;
using EdgeAgent.Hosting;
using EdgeAgent.Hosting.Systemd;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Support;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Tests.Systemd;

/// <summary>
/// The sd_notify protocol as systemd sees it, against a unix datagram socket bound by the test: READY=1 once the agent
/// is started, WATCHDOG=1 at half of WATCHDOG_USEC while the pipeline is alive and not while it is stalled, readable
/// STATUS= lines, STOPPING=1 on SIGTERM.
/// </summary>
public sealed class SystemdNotifyTests
{
    private const string Yaml = """
        agent: { id: notify-test }
        sources:
          - name: sim
            driver: simulator
            poll: 20ms
            tags:
              - { name: count, signal: counter }
        outputs: { mqtt: false }
        """;

    [Fact]
    public async Task Published_agent_sends_ready_then_watchdog_pings_then_stopping_on_sigterm()
    {
        using var socket = NotifySocket.BindPath();
        var dir = Directory.CreateTempSubdirectory("edgeagent-notify").FullName;
        var config = Path.Combine(dir, "agent.yaml");
        await File.WriteAllTextAsync(config, Yaml);
        await using var agent = new ChildProcess(
            Repo.PublishedAgent,
            ["run", "--config", config],
            env: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socket.Name, ["WATCHDOG_USEC"] = "1000000" });

        var ready = await socket.ReceiveAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("READY=1", NotifySocket.Assignments(ready));
        Assert.StartsWith("running: ", NotifySocket.Status(ready));

        // Pings every 0.5 s (half of WATCHDOG_USEC), each with the running status.
        for (var i = 0; i < 3; i++)
        {
            var ping = await socket.ReceiveAsync();
            Assert.Contains("WATCHDOG=1", NotifySocket.Assignments(ping));
            Assert.Matches(@"^running: \d/1 sources up, 1 tags, \d+ sinks, \d+ samples routed$", NotifySocket.Status(ping));
        }

        agent.Signal("TERM");
        var stopping = await socket.ReceiveUntilAsync("STOPPING=1");
        Assert.StartsWith("stopping", NotifySocket.Status(stopping[^1]));
        Assert.Equal(0, await agent.WaitForExitAsync());
    }

    [Fact]
    public async Task Published_agent_without_notify_socket_runs_and_stops_as_before()
    {
        var dir = Directory.CreateTempSubdirectory("edgeagent-notify").FullName;
        var config = Path.Combine(dir, "agent.yaml");
        await File.WriteAllTextAsync(config, Yaml);
        await using var agent = new ChildProcess(Repo.PublishedAgent, ["run", "--config", config], env: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = "" });
        await agent.WaitForLineAsync("running: 1 sources");
        agent.Signal("TERM");
        Assert.Equal(0, await agent.WaitForExitAsync());
    }

    [Fact]
    public async Task Notifier_reaches_an_abstract_socket_named_with_at()
    {
        using var socket = NotifySocket.BindAbstract();
        using var notifier = new SystemdNotifier(socket.Name);
        Assert.True(notifier.Send("READY=1\nSTATUS=hello"));
        Assert.Equal("READY=1\nSTATUS=hello", await socket.ReceiveAsync());
    }

    [Fact]
    public void Notifier_without_socket_sends_nothing_and_reports_it()
    {
        using var notifier = new SystemdNotifier(null);
        Assert.False(notifier.Enabled);
        Assert.False(notifier.Send("READY=1"));
    }

    [Theory]
    [InlineData("30000000", null, "00:00:15")]
    [InlineData("30000000", "4242", "00:00:15")]
    [InlineData("1000000", "", "00:00:00.5")]
    public void Watchdog_pings_at_half_of_watchdog_usec(string usec, string? pid, string expected) =>
        Assert.Equal(TimeSpan.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), SystemdNotifier.WatchdogFrom(usec, pid, 4242));

    [Theory]
    [InlineData(null, null)]
    [InlineData("0", null)]
    [InlineData("abc", null)]
    [InlineData("-5", null)]
    [InlineData("30000000", "1")]
    [InlineData("30000000", "x")]
    public void Watchdog_is_off_without_a_period_or_for_another_process(string? usec, string? pid) =>
        Assert.Null(SystemdNotifier.WatchdogFrom(usec, pid, 4242));

    [Fact]
    public void Status_is_one_line()
    {
        Assert.Equal("STATUS=a b", SystemdNotifier.Status("a\nb"));
    }

    /// <summary>
    /// A consumer that blocks the router (held on a gate) stalls the pipeline: the watchdog ticks send the stall
    /// status and no WATCHDOG=1, the heartbeat `edgeagent health` reads is not rewritten, and both resume when the
    /// router moves again. The clock is the test's, so the ticks and the router's busy time are exact.
    /// </summary>
    [Fact]
    public async Task Watchdog_pings_and_heartbeat_stop_while_a_consumer_wedges_the_router_and_resume_after()
    {
        var interval = TimeSpan.FromSeconds(15);
        var clock = new ManualClock();
        var logs = new LogWatch();
        var config = TestAgent.Parse(Yaml);
        await using var agent = new Agent(config, LoggerFactory.Create(b => b.AddProvider(logs)), new AgentMetrics(), clock);
        var wedge = new WedgeConsumer(agent.Directory.IdOf("sim.count"));
        agent.Add(wedge);
        using var socket = NotifySocket.BindPath();
        using var notifier = new SystemdNotifier(socket.Name) { WatchdogInterval = interval };
        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Task.Run(() => agent.RunAsync(stop.Token, started));
        var notifications = Task.Run(() => ServiceNotifications.RunAsync(agent.StallReason, () => AgentService.StatusLine(agent), started.Task, notifier, clock, stop.Token));
        try
        {
            Assert.Contains("READY=1", NotifySocket.Assignments(await socket.ReceiveAsync()));
            await wedge.Routed.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await clock.PeriodicTimerArmed(interval);
            await clock.PeriodicTimerArmed(Agent.HeartbeatInterval);

            clock.Advance(interval);
            Assert.Contains("WATCHDOG=1", NotifySocket.Assignments(await socket.ReceiveAsync()));
            var heartbeat = Path.Combine(config.Agent.Data, Agent.HeartbeatFile);

            // Wedge the router inside OnSample, then let more than Agent.StallAfter pass on its clock.
            wedge.Close();
            await wedge.Blocked.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var wedgedAt = clock.GetUtcNow();
            for (var tick = 0; tick < 3; tick++)
            {
                clock.Advance(interval);
                var message = await socket.ReceiveAsync();
                Assert.DoesNotContain("WATCHDOG=1", NotifySocket.Assignments(message));
                Assert.Matches(@"^stalled, watchdog pings withheld: the router has been routing one batch for \d+s", NotifySocket.Status(message));
            }

            // The heartbeat loop logged the stall, so any write it made before is complete: none is newer than the wedge.
            await logs.Seen("Pipeline stalled").WaitAsync(TimeSpan.FromSeconds(30));
            var last = DateTimeOffset.Parse(await File.ReadAllTextAsync(heartbeat), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(last <= wedgedAt, $"heartbeat written at {last:O} while the router was wedged since {wedgedAt:O}");
            Assert.NotNull(agent.StallReason());

            // Released, the router moves on (the consumer sees a later sample: the wedged batch is done); the next ticks
            // ping again (bounded retries: on the test's clock a tick can still land while a batch is being routed).
            wedge.Open();
            await wedge.RoutedAgain.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var afterRelease = new List<string>();
            for (var tick = 0; tick < 20 && !afterRelease.Any(m => NotifySocket.Assignments(m).Contains("WATCHDOG=1")); tick++)
            {
                clock.Advance(interval);
                afterRelease.Add(await socket.ReceiveAsync());
            }

            Assert.True(afterRelease[^1].Contains("WATCHDOG=1", StringComparison.Ordinal), "no WATCHDOG=1 after the router was released: " + string.Join(" | ", afterRelease));
            clock.Advance(Agent.HeartbeatInterval);
            await logs.Seen("Pipeline moving again").WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            wedge.Open();
            await stop.CancelAsync();
        }

        Assert.Contains("STOPPING=1", NotifySocket.Assignments((await socket.ReceiveUntilAsync("STOPPING=1"))[^1]));
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        await notifications.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Subscribed to one tag; while closed, the first sample it gets blocks the router until it is opened.</summary>
    private sealed class WedgeConsumer(int tagId) : IAgentComponent, ISampleConsumer
    {
        private readonly ManualResetEventSlim _open = new(true);

        public TaskCompletionSource Routed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Blocked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource RoutedAgain { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Register(AgentContext context) => context.Subscribe(tagId, this);

        public void Close() => _open.Reset();

        public void Open() => _open.Set();

        public void OnSample(in Sample sample)
        {
            Routed.TrySetResult();
            if (Blocked.Task.IsCompleted && _open.IsSet)
            {
                RoutedAgain.TrySetResult();
            }

            if (!_open.IsSet)
            {
                Blocked.TrySetResult();
                _open.Wait();
            }
        }
    }

    /// <summary>Completes a wait when a log line holding its text is written.</summary>
    private sealed class LogWatch : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly List<(string Text, TaskCompletionSource Seen)> _waits = new();

        public Task Seen(string text)
        {
            lock (_waits)
            {
                if (_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
                {
                    return Task.CompletedTask;
                }

                var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waits.Add((text, seen));
                return seen.Task;
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = formatter(state, exception);
            lock (_waits)
            {
                _lines.Enqueue(line);
                foreach (var (text, seen) in _waits)
                {
                    if (line.Contains(text, StringComparison.Ordinal))
                    {
                        seen.TrySetResult();
                    }
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
