using EdgeAgent.Drivers;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// Splits a batch into runs of consecutive samples of one source (a batch usually is one source's poll), so a format
/// can send one message per source: <c>{site}/data/{source}</c> batched JSON, a Sparkplug DDATA per device. Samples of an
/// unknown tag id are skipped. Allocation-free: the caller keeps the position.
/// </summary>
internal static class SourceRuns
{
    /// <summary>
    /// The next run at or after <paramref name="start"/>: samples [<paramref name="start"/>, <paramref name="end"/>) all of
    /// source index <paramref name="source"/>; false when the batch is done. Continue with <c>start = end</c>.
    /// </summary>
    public static bool Next(ReadOnlySpan<Sample> samples, int[] sourceOf, ref int start, out int source, out int end)
    {
        while (start < samples.Length && (uint)samples[start].TagId >= (uint)sourceOf.Length)
        {
            start++;
        }

        source = -1;
        end = start;
        if (start >= samples.Length)
        {
            return false;
        }

        source = sourceOf[samples[start].TagId];
        while (end < samples.Length && (uint)samples[end].TagId < (uint)sourceOf.Length && sourceOf[samples[end].TagId] == source)
        {
            end++;
        }

        return true;
    }
}
