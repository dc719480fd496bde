namespace EdgeAgent.Drivers;

/// <summary>OPC UA-style quality of a sample, reduced to the three classes every consumer understands.</summary>
public enum Quality : byte
{
    Good = 0,
    Uncertain = 1,
    Bad = 2,
}

/// <summary>
/// One reading of one tag. A value type so that the hot path (source → router → SPC → alarm) copies
/// and never allocates. <see cref="TagId"/> is the pipeline's dense index of the tag (see <see cref="TagBinding.Id"/>).
/// Timestamps are UTC ticks (<see cref="DateTime.Ticks"/>) so the struct stays blittable.
/// </summary>
public readonly record struct Sample(int TagId, double Value, Quality Quality, long SourceTicks, long ReceiveTicks)
{
    /// <summary>Text value for string tags (Modbus string, OPC UA String); null for numeric tags.</summary>
    public string? Text { get; init; }

    public DateTime SourceTime => new(SourceTicks, DateTimeKind.Utc);
    public DateTime ReceiveTime => new(ReceiveTicks, DateTimeKind.Utc);

    public static Sample Good(int tagId, double value, long ticks) => new(tagId, value, Quality.Good, ticks, ticks);
    public static Sample Bad(int tagId, long ticks) => new(tagId, double.NaN, Quality.Bad, ticks, ticks);
}
