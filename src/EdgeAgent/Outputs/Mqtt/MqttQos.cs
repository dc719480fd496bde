namespace EdgeAgent.Outputs.Mqtt;

/// <summary>QoS per stream (0 or 1).</summary>
public sealed record MqttQos
{
    public int Data { get; init; } = 1;
    public int Status { get; init; } = 1;
    public int Spc { get; init; } = 1;
    public int Alarms { get; init; } = 1;
}
