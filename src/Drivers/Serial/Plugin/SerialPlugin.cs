using System.IO.Ports;
using System.Text.Json.Nodes;
using EdgeAgent.Config;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Drivers.Serial.Plugin;

/// <summary>
/// <c>driver: serial</c> in the agent: the keys of a serial gauge source and its tags, the binder with the checks across
/// keys (framing, mode and request, units), the source, and <c>probe serial://</c> (SerialPlugin.Probe.cs). Every key is
/// documented in ../README.md.
/// </summary>
public sealed partial class SerialPlugin : DriverPlugin<SerialSourceOptions, SerialTagOptions>, ITagReferencingDriver
{
    private static readonly string[] Parities = ["none", "even", "odd", "mark", "space"];
    private static readonly string[] StopBitChoices = ["1", "1.5", "2"];
    private static readonly string[] Handshakes = ["none", "rts-cts", "xon-xoff"];
    private static readonly string[] Framings = ["line", "fixed", "stx-etx"];
    private static readonly string[] Modes = ["stream", "poll", "on-demand"];
    private static readonly string[] TagValues = ["reading", "part"];

    private static readonly Section Source = new("driver: serial: an RS-232 ASCII gauge (caliper, micrometer, balance, indicator, torque analyser) on a serial port.") { Closed = false };

    private static readonly StringKey Port = Source.String("port", "Serial device as Linux names it: /dev/ttyUSB0, /dev/ttyS0, /dev/serial/by-id/… (symlinks are resolved).", required: true);
    private static readonly IntKey Baud = Source.Int("baud", "Default 9600.", 50, 4_000_000);
    private static readonly IntKey DataBits = Source.Int("dataBits", "5 to 8. Default 8.", 5, 8);
    private static readonly ChoiceKey ParityKey = Source.Choice("parity", "Default none.", Parities);

    private static readonly ChoiceKey StopBitsKey = Source.Add(new ChoiceKey("stopBits", "1, 1.5 or 2. Default 1.", StopBitChoices)
    {
        SchemaOverride = new JsonObject
        {
            ["oneOf"] = new JsonArray(
                new JsonObject { ["enum"] = new JsonArray(1, 2, 1.5) },
                new JsonObject { ["enum"] = SchemaDefinitions.Array(StopBitChoices) }),
        },
    });

    private static readonly ChoiceKey HandshakeKey = Source.Choice("handshake", "Flow control: none, rts-cts or xon-xoff. Default none.", Handshakes);
    private static readonly BoolKey Dtr = Source.Bool("dtr", "Raise DTR while open (some interface cables draw power from it). Default: left off.");
    private static readonly BoolKey Rts = Source.Bool("rts", "Raise RTS while open (not with handshake rts-cts). Default: left off.");

    private static readonly ChoiceKey Framing = Source.Choice("framing", "How bytes become frames: line (a terminator), fixed (length bytes), stx-etx. Default line.", Framings);
    private static readonly StringKey Terminator = Source.String("terminator", "line: cr, lf, crlf or custom text with \\r \\n \\t \\e \\xNN escapes (default: CR or LF, whichever comes); fixed: checked at the end of each frame.");
    private static readonly IntKey Length = Source.Int("length", "fixed: bytes per frame, terminator included.", 1, SerialFramingOptions.MaxMaxLength);
    private static readonly IntKey MaxLength = Source.Int("maxLength", "Longest frame (terminator excluded); a longer one is dropped, counted and the stream resyncs. Default 128.", 1, SerialFramingOptions.MaxMaxLength);

    private static readonly StringKey Profile = Source.Add(new StringKey(
        "profile", "What the frames say: mitutoyo, mt-sics, sartorius, generic (default), or regex:PATTERN with the named groups value, unit and status.")
    {
        SchemaOverride = new JsonObject
        {
            ["anyOf"] = new JsonArray(
                new JsonObject { ["enum"] = SchemaDefinitions.Array(GaugeProfile.Names) },
                new JsonObject { ["type"] = "string", ["pattern"] = "^regex:" }),
        },
    });

    private static readonly ChoiceKey Mode = Source.Choice("mode", "stream (the gauge sends on its own), poll (send request every poll) or on-demand (the operator presses DATA). Default stream.", Modes);
    private static readonly StringKey Request = Source.String("request", "poll: the bytes sent every poll, with \\r \\n \\e \\xNN escapes. Default: SI\\r\\n for mt-sics, \\eP\\r\\n for sartorius.");
    private static readonly DurationKey Timeout = Source.Duration("timeout", "poll: wait this long for the answer (default 1s). stream: the longest silence before the source is down (default: no limit).", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
    private static readonly StringKey GaugeUnitKey = Source.String("gaugeUnit", "The unit of frames that carry none (mitutoyo always; generic and sartorius when absent): mm, in, µm, g, kg, lb, oz, N·m, lbf·in.");
    private static readonly StringKey Part = Source.String("part", "A tag (source.tag) holding the current part serial or batch: each reading stamps its value on this source's tags with value: part.");

    private static readonly Section Tag = new("A serial tag: the gauge's reading converted to the tag's unit, or the part stamp of each reading.") { DefName = "serialTag", Closed = false };

    private static readonly ChoiceKey Value = Tag.Choice("value", "reading (default): the reading, converted to the tag's unit; part: the part: tag's value at each reading.", TagValues);

    public override IReadOnlyList<string> Drivers { get; } = ["serial"];

    public override Section SourceKeys(string driver) => Known(driver, Source);

    public override Section TagKeys(string driver) => Known(driver, Tag);

    protected override SerialSourceOptions? BindSource(string driver, ConfigMap source)
    {
        var port = Port.ReadRequired(source);
        var baud = Baud.Read(source);
        var dataBits = DataBits.Read(source);
        var parity = ParityKey.Read(source);
        var stop = StopBitsKey.Read(source);
        var handshake = HandshakeKey.Read(source);
        var dtr = Dtr.Read(source);
        var rts = Rts.Read(source);
        if (rts is not null && handshake == "rts-cts")
        {
            source.Error(Rts.Name, "handshake rts-cts drives RTS itself; remove rts");
        }

        var framing = Framing.Read(source) ?? "line";
        var kind = framing switch { "fixed" => FramingKind.Fixed, "stx-etx" => FramingKind.StxEtx, _ => FramingKind.Line };
        byte[]? terminator = null;
        if (Terminator.Read(source) is { } terminatorText)
        {
            terminator = SerialText.Terminator(terminatorText, out var error);
            if (error is not null)
            {
                source.Error(Terminator.Name, error);
            }
            else if (kind == FramingKind.StxEtx)
            {
                source.Error(Terminator.Name, "framing stx-etx ends a frame with ETX; a terminator applies to line and fixed framing");
            }
        }

        var length = Length.Read(source);
        if (kind == FramingKind.Fixed && length is null && !source.Has(Length.Name))
        {
            source.ErrorHere("framing fixed needs length (bytes per frame, terminator included)");
        }
        else if (kind != FramingKind.Fixed && length is not null)
        {
            source.Error(Length.Name, $"length applies to framing fixed, not {framing}");
        }
        else if (length is { } l && terminator is { } t && t.Length >= l)
        {
            source.Error(Length.Name, $"length {l} leaves no room for data after the {t.Length}-byte terminator");
        }

        var maxLength = MaxLength.Read(source);
        var profileText = Profile.Read(source) ?? "generic";
        var (profile, pattern, profileError) = SerialText.Profile(profileText);
        if (profileError is not null)
        {
            source.Error(Profile.Name, profileError);
        }

        var mode = Mode.Read(source) ?? "stream";
        var serialMode = mode switch { "poll" => SerialMode.Poll, "on-demand" => SerialMode.OnDemand, _ => SerialMode.Stream };
        byte[]? request = null;
        if (Request.Read(source) is { } requestText)
        {
            request = SerialText.Unescape(requestText, out var error);
            if (error is not null)
            {
                source.Error(Request.Name, error);
            }
            else if (serialMode != SerialMode.Poll)
            {
                source.Error(Request.Name, $"request is sent in mode poll only; this source is mode {mode}");
            }
        }
        else if (serialMode == SerialMode.Poll && profile is { } p && SerialSourceOptions.DefaultRequest(p) is null)
        {
            source.Error(Mode.Name, $"mode poll needs request: (the bytes that ask the gauge for a reading); profile {profileText} has no default");
        }

        var timeout = Timeout.Read(source);
        if (timeout is not null && serialMode == SerialMode.OnDemand)
        {
            source.Error(Timeout.Name, "mode on-demand waits for the operator: silence is normal, a timeout does not apply");
        }

        var gaugeUnit = GaugeUnit.None;
        if (GaugeUnitKey.Read(source) is { } unitText)
        {
            gaugeUnit = GaugeUnits.Parse(unitText);
            if (gaugeUnit == GaugeUnit.Unknown)
            {
                source.Error(GaugeUnitKey.Name, $"unknown unit '{unitText}'; known: {GaugeUnits.Known}");
            }
        }

        var part = Part.Read(source);
        if (part is not null && (part.Length == 0 || !part.Contains('.', StringComparison.Ordinal)))
        {
            source.Error(Part.Name, $"expected a tag as source.tag, found '{part}'");
        }

        var defaults = new SerialFramingOptions();
        return new SerialSourceOptions
        {
            Line = new SerialPortOptions
            {
                Port = port,
                Baud = baud ?? 9600,
                DataBits = dataBits ?? 8,
                Parity = parity is null ? System.IO.Ports.Parity.None : Enum.Parse<Parity>(parity, ignoreCase: true),
                StopBits = stop switch { "2" => StopBits.Two, "1.5" => StopBits.OnePointFive, _ => StopBits.One },
                Handshake = handshake switch { "rts-cts" => Handshake.RequestToSend, "xon-xoff" => Handshake.XOnXOff, _ => Handshake.None },
                Dtr = dtr,
                Rts = rts,
            },
            Framing = defaults with { Kind = kind, Terminator = terminator, Length = length ?? 0, MaxLength = maxLength ?? defaults.MaxLength },
            Profile = profile ?? ProfileKind.Generic,
            Pattern = pattern,
            Mode = serialMode,
            Request = request,
            Timeout = timeout,
            GaugeUnit = gaugeUnit == GaugeUnit.Unknown ? GaugeUnit.None : gaugeUnit,
            Part = part,
        };
    }

    protected override SerialTagOptions? BindTag(string driver, ConfigMap tag, SerialSourceOptions? source)
    {
        var value = Value.Read(tag) == "part" ? SerialTagValue.Part : SerialTagValue.Reading;
        var unitText = tag.String("unit");
        GaugeUnit? unit = null;
        if (unitText is not null && value == SerialTagValue.Part)
        {
            tag.Error("unit", "a part stamp has no unit");
        }
        else if (unitText is not null)
        {
            unit = GaugeUnits.Parse(unitText);
            if (unit == GaugeUnit.Unknown)
            {
                tag.Error("unit", $"the serial driver cannot convert to '{unitText}'; known units: {GaugeUnits.Known} (omit unit to take the value as the gauge sends it)");
                return null;
            }

            if (source is { GaugeUnit: GaugeUnit.None, Profile: ProfileKind.Mitutoyo })
            {
                tag.Error("unit", "mitutoyo frames carry no unit: set the source's gaugeUnit (the gauge's mm/in setting) to convert");
                return null;
            }
        }

        return new SerialTagOptions(value, unit);
    }

    /// <summary><c>part:</c> names a tag of this agent (any source's), with a did-you-mean when it does not.</summary>
    public void CheckReferences(SourceConfig source, ConfigMap map, ITagResolver tags)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Options is SerialSourceOptions { Part: { } part })
        {
            TagReferences.Resolve(map, Part.Name, part, tags);
        }
    }

    protected override void Check(SourceConfig source, SerialSourceOptions options, IReadOnlyList<SerialTagOptions> tags, ConfigMap map)
    {
        var partTags = 0;
        for (var i = 0; i < tags.Count; i++)
        {
            if (tags[i].Value == SerialTagValue.Part)
            {
                partTags++;
                if (options.Part is null)
                {
                    map.Errors.Add(source.Tags[i].At, $"sources.{source.Name}.tags.{source.Tags[i].Name}: value part needs the source's part: (the tag holding the current part)");
                }
            }
        }

        if (partTags == tags.Count)
        {
            map.ErrorHere("a serial source needs at least one tag with value reading");
        }

        if (options.Part is not null && partTags == 0)
        {
            map.Errors.Warn(map.ValueMark(Part.Name), $"{map.Path}.part: no tag of this source has value: part, so the part is not recorded; add {{ name: part, value: part }}");
        }
    }

    protected override ISource Create(SourceConfig source, SerialSourceOptions options, ILoggerFactory loggers) =>
        new SerialSource(source.Name, options with { Poll = source.Poll }, source.Bindings(), loggers.CreateLogger($"EdgeAgent.Sources.Serial.{source.Name}"));

    private Section Known(string driver, Section section) => Drivers.Contains(driver)
        ? section
        : throw new ArgumentException($"not the serial driver: '{driver}'", nameof(driver));
}
