namespace EdgeAgent.Drivers.Simulator;

/// <summary>Source-level options of the simulator.</summary>
public sealed record SimulatorOptions
{
    /// <summary>Seed of the pseudo-random signals: the same seed gives the same values at the same poll count.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Interval between two polls; also the simulated time step.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(100);
}

public enum SignalKind : byte
{
    Normal,
    Sine,
    Counter,
    Square,
    Constant,
}

/// <summary>
/// One simulated tag. Time is simulated: poll number n is at t = n × poll, so values depend only on the seed,
/// the tag's position and n, never on the wall clock.
/// </summary>
public sealed record SignalOptions
{
    public SignalKind Signal { get; init; } = SignalKind.Normal;

    /// <summary>Mean (normal, sine) or the constant value.</summary>
    public double Mean { get; init; }

    /// <summary>Standard deviation of a normal signal.</summary>
    public double Sd { get; init; } = 1.0;

    /// <summary>Step change: after <see cref="ShiftAfter"/> of simulated time the mean moves by <see cref="ShiftBy"/>.</summary>
    public TimeSpan? ShiftAfter { get; init; }

    public double ShiftBy { get; init; }

    /// <summary>Linear drift of the mean, per simulated second.</summary>
    public double Drift { get; init; }

    /// <summary>Half the peak-to-peak swing of a sine.</summary>
    public double Amplitude { get; init; } = 1.0;

    /// <summary>Period of a sine or a square.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Fraction of a square's period spent at 1 (it starts at 1).</summary>
    public double Duty { get; init; } = 0.5;
}
