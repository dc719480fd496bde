using EdgeAgent.Config;
using EdgeAgent.Drivers;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Sources;

/// <summary>
/// Plugs one driver family into the agent: binds its YAML keys (with positions for errors) and creates its
/// <see cref="ISource"/>. The common source keys (name, driver, poll, tags) and the tag keys name and unit are
/// read by the loader; a factory asks only for its own keys, and any key nobody asked for is reported as unknown.
/// Register a new factory in <see cref="DriverRegistry"/> (one line).
/// </summary>
public interface IDriverFactory
{
    /// <summary>The <c>driver:</c> values this factory serves (e.g. modbus-tcp, modbus-rtu, modbus-rtu-tcp).</summary>
    IReadOnlyList<string> Drivers { get; }

    /// <summary>Binds the driver's source-level keys; report problems on <paramref name="source"/>; null when invalid.</summary>
    object? BindSource(string driver, ConfigMap source);

    /// <summary>Binds the driver's tag-level keys; null when invalid.</summary>
    object? BindTag(string driver, ConfigMap tag, object? sourceOptions);

    /// <summary>Checks that need all tags of the source at once (duplicate addresses, request plans, bus time).</summary>
    void Check(SourceConfig source, ConfigMap map) { }

    /// <summary>Creates the running source. Only called for a source that bound without errors.</summary>
    ISource Create(SourceConfig source, ILoggerFactory loggers);
}

/// <summary>Every driver the agent knows. Adding a driver is one line here.</summary>
public static class DriverRegistry
{
    private static readonly List<IDriverFactory> Registered =
    [
        new SimulatorDriverFactory(),
        new OpcUaDriverFactory(),
        new ModbusDriverFactory(),
    ];

    public static IReadOnlyList<IDriverFactory> Factories => Registered;

    /// <summary>Adds a driver at run time (embedders with their own drivers, tests).</summary>
    public static void Register(IDriverFactory factory)
    {
        lock (Registered)
        {
            if (!Registered.Contains(factory))
            {
                Registered.Add(factory);
            }
        }
    }

    public static IDriverFactory? Find(string driver)
    {
        foreach (var factory in Factories)
        {
            if (factory.Drivers.Contains(driver))
            {
                return factory;
            }
        }

        return null;
    }

    public static IEnumerable<string> AllDrivers => Factories.SelectMany(f => f.Drivers);
}
