namespace EdgeAgent.Pipeline;

/// <summary>How a write ended.</summary>
public enum WriteStatus : byte
{
    /// <summary>Written and read back equal.</summary>
    Ok,

    /// <summary>Refused before anything was sent: not writable, the value does not fit, remote writes are off.</summary>
    Refused,

    /// <summary>The device refused it (an exception code such as illegal address, a Bad status), or the read-back differs.</summary>
    Failed,

    /// <summary>Not acknowledged within the timeout (device down, timeouts): it is not sent later.</summary>
    Expired,

    /// <summary>A newer write to the same tag was requested before this one got through: this one is dropped, never applied late.</summary>
    Superseded,
}

/// <summary>
/// The audit of one write (<c>{site}/edge/{id}/writes</c>: tag, value, by, result, read-back, ts), delivered through the
/// durable outbox so the QMS can trace who or what moved the machine.
/// </summary>
public sealed record WriteEvent(DateTime Ts, string Tag, double Value, string By, WriteStatus Status) : AgentEvent(Ts)
{
    /// <summary>The value the device held after the write (null when it could not be read back).</summary>
    public double? ReadBack { get; init; }

    /// <summary>Why it was not Ok.</summary>
    public string? Error { get; init; }

    /// <summary>Attempts sent to the device (0 when refused before sending).</summary>
    public int Attempts { get; init; }

    /// <summary>When the write was requested (Ts is when it ended).</summary>
    public DateTime Requested { get; init; }

    public bool Ok => Status == WriteStatus.Ok;
}
