namespace EdgeAgent.Tests.Systemd;

/// <summary>
/// A clock the test moves: timers (PeriodicTimer, Task.Delay on this provider) fire only inside <see cref="Advance"/>,
/// so a test decides exactly how many watchdog ticks happen and how long the router has been busy.
/// </summary>
internal sealed class ManualClock : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<Timer> _timers = new();
    private readonly List<(TimeSpan Period, TaskCompletionSource Seen)> _waits = new();
    private static readonly DateTimeOffset Epoch = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _elapsed = TimeSpan.TicksPerSecond; // timestamps start above 0 (0 means "not stamped" to some callers)

    public override DateTimeOffset GetUtcNow() => Epoch + TimeSpan.FromTicks(Interlocked.Read(ref _elapsed));

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _elapsed);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Completes once a periodic timer with this period is armed (a loop is ready for its first tick).</summary>
    public Task PeriodicTimerArmed(TimeSpan period)
    {
        lock (_gate)
        {
            if (_timers.Any(t => t.Period == period && t.Due is not null))
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((period, seen));
            return seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Moves the clock on and fires every timer that became due (each periodic timer at most once per call).</summary>
    public void Advance(TimeSpan by)
    {
        List<Timer> due;
        lock (_gate)
        {
            Interlocked.Add(ref _elapsed, by.Ticks);
            var now = Interlocked.Read(ref _elapsed);
            due = _timers.Where(t => t.Due is { } d && d <= now).ToList();
            foreach (var t in due)
            {
                t.Due = t.Period > TimeSpan.Zero ? now + t.Period.Ticks : null;
            }
        }

        foreach (var t in due)
        {
            t.Fire();
        }
    }

    private sealed class Timer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public long? Due { get; set; }

        public TimeSpan Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : Interlocked.Read(ref clock._elapsed) + dueTime.Ticks;
                if (!clock._timers.Contains(this))
                {
                    clock._timers.Add(this);
                }

                if (Due is not null)
                {
                    foreach (var (p, seen) in clock._waits.Where(w => w.Period == period).ToList())
                    {
                        seen.TrySetResult();
                        clock._waits.Remove((p, seen));
                    }
                }
            }

            return true;
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
