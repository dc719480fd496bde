namespace EdgeAgent.Drivers;

/// <summary>
/// A source that can write its tags (the closed loop: a quality hold, a setpoint). Optional: a source that does not
/// implement it cannot write, and the agent says so at load for any tag marked <c>writable: true</c>.
/// </summary>
public interface IWritableSource
{
    /// <summary>
    /// Writes the engineering value <paramref name="value"/> to <paramref name="tag"/> (scale and offset undone, encoded
    /// in the tag's type and order), then reads the tag back and compares. Works whether or not <see cref="ISource.RunAsync"/>
    /// is running (it then shares its connection). One attempt: retries, backoff and expiry are the caller's.
    /// Throws <see cref="SourceException"/> when the write fails (<see cref="SourceException.IsTransient"/> says whether
    /// a retry may help: a timeout or a device that is down, not an illegal address).
    /// </summary>
    ValueTask<WriteResult> WriteAsync(TagBinding tag, double value, CancellationToken cancellationToken);
}

/// <summary>What the device holds after a write: the value read back, and whether it is exactly what was written.</summary>
public readonly record struct WriteResult(double ReadBack, bool Matches);
