using EdgeAgent.Config;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Drivers.Simulator.Plugin;

/// <summary><c>driver: simulator</c> in the agent: its keys, the binder and the source (every key is documented in ../README.md).</summary>
public sealed class SimulatorPlugin : DriverPlugin<SimulatorOptions, SignalOptions>
{
    private static readonly string[] Signals = ["normal", "sine", "counter", "square", "constant"];

    private static readonly Section Source = new("driver: simulator: deterministic signals for demos, tests and dashboards, no device needed.") { Closed = false };

    private static readonly IntKey Seed = Source.Int("seed", "Seed of the pseudo-random signals (default 42).", 0, int.MaxValue);

    private static readonly Section Tag = new("A simulated tag: a signal of simulated time (poll n is at n × poll).") { DefName = "simulatorTag", Closed = false };

    private static readonly ChoiceKey Signal = Tag.Choice("signal", "Default normal.", Signals);
    private static readonly NumberKey Mean = Tag.Number("mean", "Centre of normal and sine; the value of a constant. Default 0.");
    private static readonly NumberKey Sd = Tag.Number("sd", "Standard deviation of normal. Default 1.", 0);

    private static readonly Section Shift = new("normal: a step change of the mean after that much simulated time.");
    private static readonly DurationKey ShiftAfter = Shift.Duration("after", "Simulated time before the step.", TimeSpan.Zero, required: true);
    private static readonly NumberKey ShiftBy = Shift.Number("by", "Change of the mean.", required: true);
    private static readonly MapKey ShiftKey = Tag.Map("shift", "normal: { after: DURATION, by: NUMBER }, a step change of the mean. Default none.", Shift);

    private static readonly NumberKey Drift = Tag.Number("drift", "Change of the mean per simulated second.");
    private static readonly NumberKey Amplitude = Tag.Number("amplitude", "sine: half the peak-to-peak swing. Default 1.");
    private static readonly DurationKey Period = Tag.Duration("period", "sine, square: the period. Default 60s.", TimeSpan.FromMilliseconds(1));
    private static readonly NumberKey Duty = Tag.Number("duty", "square: fraction of the period at 1 (it starts at 1). Default 0.5.", 0, 1);

    public override IReadOnlyList<string> Drivers { get; } = ["simulator"];

    public override Section SourceKeys(string driver) => Known(driver, Source);

    public override Section TagKeys(string driver) => Known(driver, Tag);

    protected override SimulatorOptions? BindSource(string driver, ConfigMap source)
    {
        var seed = Seed.Read(source) ?? 42;
        return new SimulatorOptions { Seed = (ulong)seed };
    }

    protected override SignalOptions? BindTag(string driver, ConfigMap tag, SimulatorOptions? source)
    {
        var kind = Signal.Read(tag) ?? "normal";
        var defaults = new SignalOptions();
        TimeSpan? shiftAfter = null;
        double shiftBy = 0;
        if (ShiftKey.Read(tag) is { } shift)
        {
            shiftAfter = ShiftAfter.Read(shift);
            shiftBy = ShiftBy.Read(shift) ?? 0;
            shift.ReportUnknownKeys();
        }

        return defaults with
        {
            Signal = Enum.Parse<SignalKind>(kind, ignoreCase: true),
            Mean = Mean.Read(tag) ?? defaults.Mean,
            Sd = Sd.Read(tag) ?? defaults.Sd,
            ShiftAfter = shiftAfter,
            ShiftBy = shiftBy,
            Drift = Drift.Read(tag) ?? defaults.Drift,
            Amplitude = Amplitude.Read(tag) ?? defaults.Amplitude,
            Period = Period.Read(tag) ?? defaults.Period,
            Duty = Duty.Read(tag) ?? defaults.Duty,
        };
    }

    protected override ISource Create(SourceConfig source, SimulatorOptions options, ILoggerFactory loggers) =>
        new SimulatorSource(source.Name, options with { Poll = source.Poll }, source.Bindings());

    private Section Known(string driver, Section section) => Drivers.Contains(driver)
        ? section
        : throw new ArgumentException($"not the simulator driver: '{driver}'", nameof(driver));
}
