using System.IO.Ports;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Drivers.Modbus;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Sources;

/// <summary>
/// YAML binding of <c>driver: modbus-tcp</c>, <c>modbus-rtu</c> and <c>modbus-rtu-tcp</c>
/// (every key is documented in src/Drivers/Modbus/README.md).
/// </summary>
public sealed class ModbusDriverFactory : IDriverFactory
{
    private static readonly string[] Types = ["bool", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "string"];
    private static readonly string[] Orders = ["ABCD", "CDAB", "BADC", "DCBA"];
    private static readonly string[] Parities = ["none", "even", "odd"];
    private static readonly string[] StopBitChoices = ["1", "1.5", "2"];

    public IReadOnlyList<string> Drivers { get; } = ["modbus-tcp", "modbus-rtu", "modbus-rtu-tcp"];

    public object? BindSource(string driver, ConfigMap source)
    {
        var kind = driver switch
        {
            "modbus-rtu" => ModbusTransportKind.Rtu,
            "modbus-rtu-tcp" => ModbusTransportKind.RtuOverTcp,
            _ => ModbusTransportKind.Tcp,
        };
        var defaults = new ModbusSourceOptions();
        var serialBus = kind == ModbusTransportKind.Rtu;
        var options = defaults with
        {
            Transport = kind,
            Unit = (byte)(source.Int("unit", serialBus ? 0 : 0, serialBus ? 247 : 255) ?? defaults.Unit),
            Timeout = source.Duration("timeout", TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5)) ?? defaults.Timeout,
            Retries = source.Int("retries", 0, 10) ?? defaults.Retries,
            MaxGap = source.Int("maxGap", 0, ModbusLimits.MaxReadRegisters) ?? defaults.MaxGap,
            MaxLength = source.Int("maxLength", 1, ModbusLimits.MaxReadRegisters) ?? defaults.MaxLength,
        };

        if (serialBus)
        {
            var serialDefaults = new ModbusSerialOptions { Port = string.Empty };
            var port = source.RequiredString("port");
            var parity = source.Choice("parity", Parities);
            var stop = source.Choice("stopBits", StopBitChoices);
            options = options with
            {
                Serial = serialDefaults with
                {
                    Port = port,
                    Baud = source.Int("baud", 50, 4_000_000) ?? serialDefaults.Baud,
                    Parity = parity is null ? serialDefaults.Parity : ModbusSourceOptions.ParseParity(parity),
                    DataBits = source.Int("dataBits", 7, 8) ?? serialDefaults.DataBits,
                    StopBits = stop switch { "2" => StopBits.Two, "1.5" => StopBits.OnePointFive, _ => StopBits.One },
                },
            };
        }
        else
        {
            var endpoint = source.RequiredString("endpoint");
            if (endpoint.Length > 0)
            {
                if (endpoint.Contains("://", StringComparison.Ordinal))
                {
                    source.Error("endpoint", $"expected host:port without a scheme, found '{endpoint}'");
                }
                else if (!ModbusSourceOptions.TryParseEndpoint(endpoint, out _, out _, out var error))
                {
                    source.Error("endpoint", error ?? "invalid endpoint");
                }
            }

            options = options with { Endpoint = endpoint };
            if (kind == ModbusTransportKind.Tcp)
            {
                options = options with { MaxInFlight = source.Int("inflight", 1, 64) ?? defaults.MaxInFlight };
            }
        }

        return options;
    }

    public object? BindTag(string driver, ConfigMap tag, object? sourceOptions)
    {
        var addressText = tag.RequiredString("address");
        ModbusAddress? address = null;
        if (addressText.Length > 0)
        {
            if (ModbusAddress.TryParse(addressText, out var parsed, out var error))
            {
                address = parsed;
            }
            else
            {
                tag.Error("address", error);
            }
        }

        var type = tag.Choice("type", Types);
        var order = tag.Choice("order", Orders);
        var scale = tag.Double("scale");
        var offset = tag.Double("offset");
        var length = tag.Int("length", 1, ModbusLimits.MaxReadRegisters);
        var unitId = tag.Int("unitId", 0, 255);
        if (scale == 0)
        {
            tag.Error("scale", "must not be 0");
        }

        if (address is null)
        {
            return null;
        }

        var options = new ModbusTagOptions
        {
            Address = address.Value,
            Type = type is null ? ModbusTagOptions.DefaultType(address.Value) : Enum.Parse<ModbusDataType>(type, ignoreCase: true),
            Order = order is null ? WordOrder.ABCD : Enum.Parse<WordOrder>(order),
            Scale = scale ?? 1.0,
            Offset = offset ?? 0.0,
            Length = length ?? 0,
            UnitId = unitId is { } u ? (byte)u : null,
        };
        if (options.Validate() is { } problem)
        {
            tag.Error(problem.Contains("length", StringComparison.Ordinal) ? (tag.Has("length") ? "length" : "type")
                : problem.StartsWith("address", StringComparison.Ordinal) && type is null ? "address"
                : "type", problem);
            return null;
        }

        return options;
    }

    public void Check(SourceConfig source, ConfigMap map)
    {
        if (source.Options is not ModbusSourceOptions options || source.Tags.Any(t => t.Options is not ModbusTagOptions))
        {
            return;
        }

        // Two tags reading the same register as different things is allowed (a word and its bits), but the same
        // address, type and unit twice is almost always a copy-paste slip.
        var seen = new Dictionary<(byte, ModbusAddress, ModbusDataType), TagConfig>();
        foreach (var tag in source.Tags)
        {
            var t = (ModbusTagOptions)tag.Options!;
            if (!seen.TryAdd((t.UnitId ?? options.Unit, t.Address, t.Type), tag))
            {
                map.Errors.Warn(tag.At, $"sources.{source.Name}.tags.{tag.Name}: reads {t.Address} as {t.Type.ToString().ToLowerInvariant()} like tag '{seen[(t.UnitId ?? options.Unit, t.Address, t.Type)].Name}'");
            }
        }

        if (options.Serial is { } serial)
        {
            var busTime = ModbusSourceOptions.BusTime(Plan(source), serial.Baud);
            if (busTime > source.Poll)
            {
                map.Errors.Warn(map.ValueMark("poll"),
                    $"{map.Path}: one poll needs at least {busTime.TotalMilliseconds:0.#} ms of bus time at {serial.Baud} baud, longer than poll {Durations.Format(source.Poll)}; polls will run back to back");
            }
        }
    }

    /// <summary>The merged request plan of a bound Modbus source (for <c>validate</c> and the docs).</summary>
    public static IReadOnlyList<ReadBlock> Plan(SourceConfig source)
    {
        var options = (ModbusSourceOptions)source.Options!;
        return ModbusRequestPlanner.Plan(source.Tags.Select(t => (ModbusTagOptions)t.Options!).ToArray(), options.Unit, options.Plan);
    }

    /// <summary>Human-readable plan lines, plus the bus time per poll for RTU.</summary>
    public static IEnumerable<string> DescribePlan(SourceConfig source)
    {
        var options = (ModbusSourceOptions)source.Options!;
        var plan = Plan(source);
        foreach (var block in plan)
        {
            yield return $"{source.Name}: {block} [{string.Join(", ", block.Tags.Select(i => source.Tags[i].Name))}]";
        }

        if (options.Serial is { } serial)
        {
            yield return $"{source.Name}: {plan.Count} requests need {ModbusSourceOptions.BusTime(plan, serial.Baud).TotalMilliseconds:0.#} ms of bus time per poll at {serial.Baud} baud (poll {Durations.Format(source.Poll)})";
        }
    }

    public ISource Create(SourceConfig source, ILoggerFactory loggers)
    {
        var options = (ModbusSourceOptions)source.Options! with { Poll = source.Poll };
        return new ModbusSource(source.Name, options, source.Bindings(), loggers.CreateLogger($"EdgeAgent.Sources.Modbus.{source.Name}"));
    }
}
