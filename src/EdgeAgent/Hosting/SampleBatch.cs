using EdgeAgent.Drivers;

namespace EdgeAgent.Hosting;

/// <summary>A batch of samples in a pooled array, owned by whoever holds it; the router returns the array to the pool.</summary>
public readonly record struct SampleBatch(Sample[] Items, int Count, int SourceIndex)
{
    public ReadOnlySpan<Sample> Span => Items.AsSpan(0, Count);
}
