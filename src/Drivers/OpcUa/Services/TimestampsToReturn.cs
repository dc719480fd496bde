namespace EdgeAgent.Drivers.OpcUa.Services;

public enum TimestampsToReturn
{
    Source = 0,
    Server = 1,
    Both = 2,
    Neither = 3,
}
