namespace EdgeAgent.Outputs.Influx;

/// <summary><c>outputs.influxdb</c>: where samples would be written (bound and validated; no sink yet).</summary>
public sealed record InfluxOptions
{
    public required Uri Url { get; init; }
    public string? Org { get; init; }
    public required string Bucket { get; init; }
    public string? Token { get; init; }
}
