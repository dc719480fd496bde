using EdgeAgent.Pipeline;
using YamlDotNet.Core;

namespace EdgeAgent.Characteristics;

/// <summary><c>characteristics:</c> — a measured characteristic under SPC.</summary>
public sealed record CharacteristicConfig
{
    public required string Name { get; init; }

    /// <summary>The tag measured (<c>source.tag</c>); defaults to <see cref="Name"/>.</summary>
    public required string Tag { get; init; }

    public int TagId { get; init; }
    public string Chart { get; init; } = "imr";
    public int Subgroup { get; init; } = 1;
    public double? Lsl { get; init; }
    public double? Usl { get; init; }
    public double? Target { get; init; }
    public int? Baseline { get; init; }
    public double? Ucl { get; init; }
    public double? Cl { get; init; }
    public double? Lcl { get; init; }
    public double Lambda { get; init; } = 0.2;
    public double L { get; init; } = 3.0;
    public double K { get; init; } = 0.5;
    public double H { get; init; } = 5.0;
    public IReadOnlyList<string> Rules { get; init; } = ["we1", "we2", "we3", "we4"];

    /// <summary><c>trigger:</c> a part-complete tag: on each rising edge (0 → non-zero) the measured tag's latest value is
    /// taken as one measurement; without it every sample of the tag is a measurement (-1: none).</summary>
    public int TriggerTagId { get; init; } = -1;

    public string? Trigger { get; init; }

    /// <summary><c>capability: { window: N }</c>: Cp/Cpk/Pp/Ppk over the last N measurements (default 125).</summary>
    public int CapabilityWindow { get; init; } = 125;

    /// <summary>Priority of SPC rule alarms (<c>priority:</c>, default medium) and of spec-limit alarms (<c>spec_priority:</c>, default high).</summary>
    public string Priority { get; init; } = "medium";

    public string SpecPriority { get; init; } = "high";

    /// <summary>Spec-limit alarms clear only once the value is back inside the limit by this much (<c>deadband:</c>).</summary>
    public double Deadband { get; init; }

    /// <summary><c>context:</c> tags read when an alarm of this characteristic activates (part serial, batch, operator…).</summary>
    public IReadOnlyList<ContextTag> Context { get; init; } = [];

    /// <summary><c>actions:</c> writes made when any alarm of this characteristic (rule or spec) is active, acknowledged or cleared.</summary>
    public IReadOnlyList<WriteAction> Actions { get; init; } = [];

    public Mark At { get; init; }
}
