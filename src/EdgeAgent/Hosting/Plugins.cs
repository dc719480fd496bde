using EdgeAgent.Pipeline;

namespace EdgeAgent.Hosting;

/// <summary>
/// Every driver and component the agent is built from. Adding one is one line here (and, for a new assembly, nothing
/// in the project file: src/EdgeAgent/EdgeAgent.csproj references every plug-in project by wildcard).
/// </summary>
public static class Plugins
{
    private static readonly IDriverPlugin[] BuiltIn =
    [
        new Drivers.Simulator.Plugin.SimulatorPlugin(),
        new Drivers.Modbus.Plugin.ModbusPlugin(),
        new Drivers.OpcUa.Plugin.OpcUaPlugin(),
        new Drivers.Serial.Plugin.SerialPlugin(),
    ];

    private static readonly List<IDriverPlugin> DriverList = [.. BuiltIn];

    /// <summary>In registration order: the alarm list first, because characteristics and equipment raise alarms through it.</summary>
    private static readonly List<IComponentPlugin> ComponentList =
    [
        new Alarms.AlarmsPlugin(),
        new Characteristics.CharacteristicsPlugin(),
        new Equipment.EquipmentPlugin(),
        new Writes.WritesPlugin(),
        new Outputs.Mqtt.Plugin.MqttPlugin(),
        new Outputs.Influx.InfluxPlugin(),
        new Outputs.Prometheus.PrometheusPlugin(),
    ];

    /// <summary>The built-in drivers and those added with <see cref="Register"/>.</summary>
    public static IReadOnlyList<IDriverPlugin> Drivers => DriverList;

    /// <summary>The drivers this build ships with (what the committed schema describes).</summary>
    public static IReadOnlyList<IDriverPlugin> BuiltInDrivers => BuiltIn;

    public static IReadOnlyList<IComponentPlugin> Components => ComponentList;

    /// <summary>Every <c>driver:</c> value, in registration order.</summary>
    public static IEnumerable<string> DriverNames => DriverList.SelectMany(d => d.Drivers);

    public static IDriverPlugin? FindDriver(string driver) => DriverList.Find(d => d.Drivers.Contains(driver));

    /// <summary>The drivers that offer capability <typeparamref name="T"/> (probe, browse, request plan).</summary>
    public static IEnumerable<T> Capable<T>() => DriverList.OfType<T>();

    /// <summary>Adds a driver at run time (embedders with drivers of their own, tests).</summary>
    public static void Register(IDriverPlugin driver)
    {
        lock (DriverList)
        {
            if (!DriverList.Contains(driver))
            {
                DriverList.Add(driver);
            }
        }
    }
}
