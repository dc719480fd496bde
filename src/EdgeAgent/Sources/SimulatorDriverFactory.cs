using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Drivers.Simulator;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Sources;

/// <summary>YAML binding of <c>driver: simulator</c> (see src/Drivers/Simulator/README.md).</summary>
public sealed class SimulatorDriverFactory : IDriverFactory
{
    private static readonly string[] Signals = ["normal", "sine", "counter", "square", "constant"];

    public IReadOnlyList<string> Drivers { get; } = ["simulator"];

    public object? BindSource(string driver, ConfigMap source)
    {
        var seed = source.Int("seed", 0, int.MaxValue) ?? 42;
        return new SimulatorOptions { Seed = (ulong)seed };
    }

    public object? BindTag(string driver, ConfigMap tag, object? sourceOptions)
    {
        var kind = tag.Choice("signal", Signals) ?? "normal";
        var defaults = new SignalOptions();
        TimeSpan? shiftAfter = null;
        double shiftBy = 0;
        if (tag.Map("shift") is { } shift)
        {
            shiftAfter = shift.Duration("after", TimeSpan.Zero, required: true);
            shiftBy = shift.Double("by", required: true) ?? 0;
            shift.ReportUnknownKeys();
        }

        var options = defaults with
        {
            Signal = Enum.Parse<SignalKind>(kind, ignoreCase: true),
            Mean = tag.Double("mean") ?? defaults.Mean,
            Sd = tag.Double("sd", 0) ?? defaults.Sd,
            ShiftAfter = shiftAfter,
            ShiftBy = shiftBy,
            Drift = tag.Double("drift") ?? defaults.Drift,
            Amplitude = tag.Double("amplitude") ?? defaults.Amplitude,
            Period = tag.Duration("period", TimeSpan.FromMilliseconds(1)) ?? defaults.Period,
            Duty = tag.Double("duty", 0, 1) ?? defaults.Duty,
        };
        return options;
    }

    public ISource Create(SourceConfig source, ILoggerFactory loggers)
    {
        var options = (SimulatorOptions)source.Options! with { Poll = source.Poll };
        return new SimulatorSource(source.Name, options, source.Bindings());
    }
}
