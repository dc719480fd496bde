namespace EdgeAgent.Pipeline;

/// <summary>Capability over the rolling window; null members where not defined (one-sided spec, too few points).</summary>
public sealed record CapabilitySnapshot(double? Cp, double? Cpk, double? Pp, double? Ppk, double? Cpm, int N);
