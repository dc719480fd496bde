namespace EdgeAgent.Tests.Mqtt;

/// <summary>Waiting for an observed condition that raises no event (a gauge, a file another process writes).</summary>
internal static class Until
{
    /// <summary>Completes once <paramref name="condition"/> holds; fails the test with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {timeout} waiting for {what}{(state is null ? string.Empty : ": " + state())}");
            }

            await Task.Delay(50); // polling the observed condition, bounded by the deadline
        }
    }
}
