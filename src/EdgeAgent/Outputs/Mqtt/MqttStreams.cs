namespace EdgeAgent.Outputs.Mqtt;

/// <summary>The streams <c>outputs.mqtt.streams</c> selects; agent state and commands are always published.</summary>
[Flags]
public enum MqttStreams
{
    None = 0,
    Data = 1,
    Status = 2,
    Spc = 4,
    Alarms = 8,
    All = Data | Status | Spc | Alarms,
}
