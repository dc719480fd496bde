using System.Text.Json.Serialization;
using EdgeAgent.Spc;

namespace EdgeAgent.Characteristics;

/// <summary>A <c>limits</c> command: fixed limits (ucl, cl, lcl) or a restarted baseline.</summary>
public sealed record PendingLimits(string Chart, double Ucl, double Cl, double Lcl, bool RestartBaseline);

/// <summary>What is persisted per characteristic in <c>{agent.data}/spc/{name}.json</c>: the chart's state and the config it belongs to.</summary>
public sealed record CharacteristicState
{
    /// <summary>Chart, subgroup, baseline and fixed limits as configured: a change of these re-baselines.</summary>
    public required string Fingerprint { get; init; }
    public required SpcState Chart { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(CharacteristicState))]
internal sealed partial class CharacteristicJson : JsonSerializerContext;
