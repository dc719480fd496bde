using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.Services;

/// <summary>One value change of one monitored item, as decoded from a DataChangeNotification (no allocation for numbers).</summary>
public readonly record struct MonitoredItemNotification(uint ClientHandle, DataValue Value);
