using EdgeAgent.Drivers;
using EdgeAgent.Drivers.Simulator;

namespace EdgeAgent.Drivers.Simulator.Tests;

public class SignalTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Same_seed_and_poll_count_give_the_same_values()
    {
        var tags = new[] { new TagBinding(0, "d", new SignalOptions { Mean = 10, Sd = 0.01 }) };
        var a = new SimulatorSource("a", new SimulatorOptions { Seed = 7, Poll = Poll }, tags);
        var b = new SimulatorSource("b", new SimulatorOptions { Seed = 7, Poll = Poll }, tags);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(a.Next()[0].Value, b.Next()[0].Value);
        }
    }

    [Fact]
    public void Different_seeds_give_different_values()
    {
        var s = new SignalOptions { Mean = 10, Sd = 1 };
        Assert.NotEqual(Signal.Value(s, 1, 0, 5, Poll), Signal.Value(s, 2, 0, 5, Poll));
    }

    [Fact]
    public void Counter_counts_polls_from_zero()
    {
        var tags = new[] { new TagBinding(3, "count", new SignalOptions { Signal = SignalKind.Counter }) };
        var source = new SimulatorSource("sim", new SimulatorOptions { Poll = Poll }, tags);
        Assert.Equal(0, source.Next()[0].Value);
        Assert.Equal(1, source.Next()[0].Value);
        var third = source.Next()[0];
        Assert.Equal(2, third.Value);
        Assert.Equal(3, third.TagId);
        Assert.Equal(Quality.Good, third.Quality);
    }

    [Fact]
    public void Shift_moves_the_mean_after_the_simulated_time()
    {
        var s = new SignalOptions { Mean = 10, Sd = 0, ShiftAfter = TimeSpan.FromSeconds(5), ShiftBy = 0.05 };
        Assert.Equal(10.0, Signal.Value(s, 42, 0, 49, Poll), 12);
        Assert.Equal(10.05, Signal.Value(s, 42, 0, 50, Poll), 12);
    }

    [Fact]
    public void Drift_is_per_simulated_second()
    {
        var s = new SignalOptions { Mean = 10, Sd = 0, Drift = 0.002 };
        Assert.Equal(10.0 + 0.002 * 20, Signal.Value(s, 42, 0, 200, Poll), 12);
    }

    [Fact]
    public void Square_is_one_for_the_duty_fraction_then_zero()
    {
        var s = new SignalOptions { Signal = SignalKind.Square, Period = TimeSpan.FromSeconds(30), Duty = 0.8 };
        Assert.Equal(1.0, Signal.Value(s, 0, 0, 0, Poll));
        Assert.Equal(1.0, Signal.Value(s, 0, 0, 239, Poll));
        Assert.Equal(0.0, Signal.Value(s, 0, 0, 240, Poll));
        Assert.Equal(1.0, Signal.Value(s, 0, 0, 300, Poll));
    }

    [Fact]
    public void Sine_reaches_mean_plus_amplitude_at_a_quarter_period()
    {
        var s = new SignalOptions { Signal = SignalKind.Sine, Mean = 60, Amplitude = 5, Period = TimeSpan.FromSeconds(60) };
        Assert.Equal(65.0, Signal.Value(s, 0, 0, 150, Poll), 9);
    }

    [Fact]
    public void Normal_deviates_have_mean_zero_and_unit_variance()
    {
        double sum = 0, sumSq = 0;
        const int N = 200_000;
        for (var n = 0; n < N; n++)
        {
            var z = Signal.StandardNormal(42, 0, n);
            sum += z;
            sumSq += z * z;
        }

        var mean = sum / N;
        var variance = sumSq / N - mean * mean;
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);
    }
}
