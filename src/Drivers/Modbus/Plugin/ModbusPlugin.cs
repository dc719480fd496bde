using System.IO.Ports;
using System.Text.Json.Nodes;
using EdgeAgent.Config;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Drivers.Modbus.Plugin;

/// <summary>
/// <c>driver: modbus-tcp</c>, <c>modbus-rtu</c> and <c>modbus-rtu-tcp</c> in the agent: the keys of each (one
/// <see cref="Section"/> per driver value, the keys every transport shares added to several), the tag keys, the binder,
/// the checks over all tags of a source (same register twice, RTU bus time), the request plan for
/// <c>validate --plan</c> and <c>probe</c> (ModbusPlugin.Probe.cs). Every key is documented in ../README.md.
/// </summary>
public sealed partial class ModbusPlugin : DriverPlugin<ModbusSourceOptions, ModbusTagOptions>, IPlanCapability, IWriteCapability
{
    private static readonly string[] Types = ["bool", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "string"];
    private static readonly string[] Orders = ["ABCD", "CDAB", "BADC", "DCBA"];
    private static readonly string[] Parities = ["none", "even", "odd"];
    private static readonly string[] StopBitChoices = ["1", "1.5", "2"];

    // ---- source keys: one section per driver value, in the order the docs list them ---------------------------

    private static readonly Section TcpSource = new("driver: modbus-tcp: Modbus TCP (MBAP) to one device or gateway at host:port.") { Closed = false };
    private static readonly Section RtuSource = new("driver: modbus-rtu: Modbus RTU on a serial port (one bus, several unit ids, one request at a time).") { Closed = false };
    private static readonly Section RtuTcpSource = new("driver: modbus-rtu-tcp: RTU frames over TCP (a serial gateway in transparent mode).") { Closed = false };

    private static readonly StringKey Endpoint = Shared(
        new StringKey("endpoint", "host:port (port 502 when omitted); no scheme.") { Required = true }, TcpSource, RtuTcpSource);

    private static readonly StringKey Port = RtuSource.String("port", "Serial device, e.g. /dev/ttyUSB0.", required: true);
    private static readonly IntKey Baud = RtuSource.Int("baud", "Default 19200.", 50, 4_000_000);
    private static readonly ChoiceKey Parity = RtuSource.Choice("parity", "Default even (the Modbus serial default).", Parities);
    private static readonly IntKey DataBits = RtuSource.Int("dataBits", "Default 8.", 7, 8);

    private static readonly ChoiceKey StopBitsKey = RtuSource.Add(new ChoiceKey("stopBits", "1, 1.5 or 2. Default 1.", StopBitChoices)
    {
        // YAML reads `stopBits: 2` as text either way; editors see a number.
        SchemaOverride = new JsonObject
        {
            ["oneOf"] = new JsonArray(
                new JsonObject { ["enum"] = new JsonArray(1, 2, 1.5) },
                new JsonObject { ["enum"] = SchemaDefinitions.Array(StopBitChoices) }),
        },
    });

    private const string UnitText = "Unit id (slave address): 0..247 on serial lines, 0..255 over TCP. Default 1.";
    private static readonly IntKey NetworkUnit = Shared(new IntKey("unit", UnitText, 0, 255), TcpSource, RtuTcpSource);
    private static readonly IntKey SerialUnit = RtuSource.Int("unit", UnitText, 0, 247);

    private static readonly DurationKey Timeout = Shared(
        new DurationKey("timeout", "Per request, request sent to last byte of the answer. Default 1s.", TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5)),
        TcpSource, RtuSource, RtuTcpSource);

    private static readonly IntKey Retries = Shared(
        new IntKey("retries", "Extra attempts after a transient fault. Default 1.", 0, 10), TcpSource, RtuSource, RtuTcpSource);

    private static readonly IntKey MaxGap = Shared(
        new IntKey("maxGap", "Largest run of unused registers read to merge two tags into one request. Default 10.", 0, ModbusLimits.MaxReadRegisters),
        TcpSource, RtuSource, RtuTcpSource);

    private static readonly IntKey MaxLength = Shared(
        new IntKey("maxLength", "Registers per request (x16 bits for coils/discrete inputs). Default 125.", 1, ModbusLimits.MaxReadRegisters),
        TcpSource, RtuSource, RtuTcpSource);

    private static readonly IntKey InFlight = TcpSource.Int("inflight", "Requests outstanding at once (pipelining by transaction id). Default 1.", 1, 64);

    // ---- tag keys: the same for every transport -------------------------------------------------------------

    private static readonly Section Tag = new("A Modbus tag: where it lives and how its registers become a number.") { DefName = "modbusTag", Closed = false };

    private static readonly StringKey Address = Tag.Add(new StringKey(
        "address", "hr:N, ir:N, coil:N, di:N (0-based), Modicon 40001/30001/00001/10001, or a register bit hr:N.b.")
    {
        Required = true,
        SchemaOverride = new JsonObject { ["type"] = SchemaDefinitions.Array(["string", "integer"]) }, // 40001 is a YAML number
    });

    private static readonly ChoiceKey TypeKey = Tag.Choice("type", "Default bool for coils, discrete inputs and register bits; uint16 for registers.", Types);
    private static readonly ChoiceKey Order = Tag.Choice("order", "Word/byte order. Default ABCD.", Orders);
    private static readonly NumberKey Scale = Tag.Add(new NumberKey("scale", "The value is raw × scale + offset. Not 0. Default 1.") { NotZero = true });
    private static readonly NumberKey Offset = Tag.Number("offset", "Added after scaling. Default 0.");
    private static readonly IntKey Length = Tag.Int("length", "string: length in registers.", 1, ModbusLimits.MaxReadRegisters);
    private static readonly IntKey UnitId = Tag.Int("unitId", "Unit of this tag when it differs from the source's unit.", 0, 255);

    public override IReadOnlyList<string> Drivers { get; } = ["modbus-tcp", "modbus-rtu", "modbus-rtu-tcp"];

    public override Section SourceKeys(string driver) => driver switch
    {
        "modbus-tcp" => TcpSource,
        "modbus-rtu" => RtuSource,
        "modbus-rtu-tcp" => RtuTcpSource,
        _ => throw new ArgumentException($"not a Modbus driver: '{driver}'", nameof(driver)),
    };

    public override Section TagKeys(string driver) => Drivers.Contains(driver)
        ? Tag
        : throw new ArgumentException($"not a Modbus driver: '{driver}'", nameof(driver));

    protected override ModbusSourceOptions? BindSource(string driver, ConfigMap source)
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
            Unit = (byte)((serialBus ? SerialUnit : NetworkUnit).Read(source) ?? defaults.Unit),
            Timeout = Timeout.Read(source) ?? defaults.Timeout,
            Retries = Retries.Read(source) ?? defaults.Retries,
            MaxGap = MaxGap.Read(source) ?? defaults.MaxGap,
            MaxLength = MaxLength.Read(source) ?? defaults.MaxLength,
        };

        if (serialBus)
        {
            var serialDefaults = new ModbusSerialOptions { Port = string.Empty };
            var port = Port.ReadRequired(source);
            var parity = Parity.Read(source);
            var stop = StopBitsKey.Read(source);
            options = options with
            {
                Serial = serialDefaults with
                {
                    Port = port,
                    Baud = Baud.Read(source) ?? serialDefaults.Baud,
                    Parity = parity is null ? serialDefaults.Parity : ModbusSourceOptions.ParseParity(parity),
                    DataBits = DataBits.Read(source) ?? serialDefaults.DataBits,
                    StopBits = stop switch { "2" => StopBits.Two, "1.5" => StopBits.OnePointFive, _ => StopBits.One },
                },
            };
        }
        else
        {
            var endpoint = Endpoint.ReadRequired(source);
            if (endpoint.Length > 0)
            {
                if (endpoint.Contains("://", StringComparison.Ordinal))
                {
                    source.Error(Endpoint.Name, $"expected host:port without a scheme, found '{endpoint}'");
                }
                else if (!ModbusSourceOptions.TryParseEndpoint(endpoint, out _, out _, out var error))
                {
                    source.Error(Endpoint.Name, error ?? "invalid endpoint");
                }
            }

            options = options with { Endpoint = endpoint };
            if (kind == ModbusTransportKind.Tcp)
            {
                options = options with { MaxInFlight = InFlight.Read(source) ?? defaults.MaxInFlight };
            }
        }

        return options;
    }

    protected override ModbusTagOptions? BindTag(string driver, ConfigMap tag, ModbusSourceOptions? source)
    {
        var addressText = Address.ReadRequired(tag);
        ModbusAddress? address = null;
        if (addressText.Length > 0)
        {
            if (ModbusAddress.TryParse(addressText, out var parsed, out var error))
            {
                address = parsed;
            }
            else
            {
                tag.Error(Address.Name, error);
            }
        }

        var type = TypeKey.Read(tag);
        var order = Order.Read(tag);
        var scale = Scale.Read(tag); // 0 is reported by the key
        var offset = Offset.Read(tag);
        var length = Length.Read(tag);
        var unitId = UnitId.Read(tag);
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
            tag.Error(KeyOf(problem.Field, tag, typeGiven: type is not null), problem.Message);
            return null;
        }

        return options;
    }

    /// <summary>
    /// The key to blame for a problem with <paramref name="field"/>: a length problem is the <c>length</c> key's when the
    /// tag has one (else the type's, which asked for it); an address that the type's registers push past 65535 is the
    /// address's when no type was written (else the type's, which made it long).
    /// </summary>
    private static string KeyOf(ModbusTagField field, ConfigMap tag, bool typeGiven) => field switch
    {
        ModbusTagField.Length => tag.Has(Length.Name) ? Length.Name : TypeKey.Name,
        ModbusTagField.Address when !typeGiven => Address.Name,
        _ => TypeKey.Name,
    };

    protected override void Check(SourceConfig source, ModbusSourceOptions options, IReadOnlyList<ModbusTagOptions> tags, ConfigMap map)
    {
        // Two tags reading the same register as different things is allowed (a word and its bits), but the same
        // address, type and unit twice is almost always a copy-paste slip.
        var seen = new Dictionary<(byte, ModbusAddress, ModbusDataType), TagConfig>();
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = source.Tags[i];
            var t = tags[i];
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

    /// <summary>The merged request plan of a bound Modbus source (for <c>validate --plan</c> and the docs).</summary>
    public static IReadOnlyList<ReadBlock> Plan(SourceConfig source)
    {
        var options = OptionsOf(source);
        return ModbusRequestPlanner.Plan(TagsOf(source), options.Unit, options.Plan);
    }

    /// <summary>Human-readable plan lines (one per request, with its tags), plus the bus time per poll for RTU.</summary>
    public IEnumerable<string> DescribePlan(SourceConfig source)
    {
        var options = OptionsOf(source);
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

    protected override ISource Create(SourceConfig source, ModbusSourceOptions options, ILoggerFactory loggers) =>
        new ModbusSource(source.Name, options with { Poll = source.Poll }, source.Bindings(), loggers.CreateLogger($"EdgeAgent.Sources.Modbus.{source.Name}"));

    public string? WriteProblem(string driver, object? tagOptions) =>
        tagOptions is ModbusTagOptions tag ? ModbusSource.WriteProblem(tag) : null;

    public string? ValueProblem(string driver, object? tagOptions, double value) =>
        tagOptions is ModbusTagOptions tag ? ModbusSource.ValueProblem(tag, value) : null;

    /// <summary>Adds one declaration to several sections (the keys every transport shares).</summary>
    private static T Shared<T>(T key, params Section[] sections)
        where T : Key
    {
        foreach (var section in sections)
        {
            section.Add(key);
        }

        return key;
    }
}
