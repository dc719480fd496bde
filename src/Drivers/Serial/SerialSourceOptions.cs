using System.IO.Ports;

namespace EdgeAgent.Drivers.Serial;

/// <summary>When a gauge sends.</summary>
public enum SerialMode : byte
{
    /// <summary>The device sends on its own, continuously; with a timeout, silence longer than it is a fault.</summary>
    Stream = 0,

    /// <summary>The source sends <see cref="SerialSourceOptions.Request"/> every poll and waits for the answer.</summary>
    Poll,

    /// <summary>The operator presses the gauge's DATA (print) button: each frame is one reading; silence is normal.</summary>
    OnDemand,
}

/// <summary>The serial line: device and line settings.</summary>
public sealed record SerialPortOptions
{
    /// <summary>Device path as Linux names it (/dev/ttyUSB0, /dev/ttyS0, /dev/serial/by-id/…); symlinks are resolved before opening.</summary>
    public required string Port { get; init; }

    public int Baud { get; init; } = 9600;
    public int DataBits { get; init; } = 8;
    public Parity Parity { get; init; } = Parity.None;
    public StopBits StopBits { get; init; } = StopBits.One;
    public Handshake Handshake { get; init; } = Handshake.None;

    /// <summary>Raise DTR while open (some gauges' interface cables draw power from it). Null: leave the driver's default (off).</summary>
    public bool? Dtr { get; init; }

    /// <summary>Raise RTS while open (not with RTS/CTS handshake, which drives RTS itself). Null: the driver's default (off).</summary>
    public bool? Rts { get; init; }

    /// <summary>The device path with every symlink resolved (System.IO.Ports opens the final node).</summary>
    public string ResolvedPort()
    {
        try
        {
            var info = new FileInfo(Port);
            return info.LinkTarget is null ? Port : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Port;
        }
        catch (IOException)
        {
            return Port;
        }
    }
}

/// <summary>One serial gauge source. The tags' options are <see cref="SerialTagOptions"/>.</summary>
public sealed record SerialSourceOptions
{
    public required SerialPortOptions Line { get; init; }

    public SerialFramingOptions Framing { get; init; } = new();

    public ProfileKind Profile { get; init; } = ProfileKind.Generic;

    /// <summary>The <c>regex:</c> pattern (named groups value, unit, status) when <see cref="Profile"/> is Regex.</summary>
    public string? Pattern { get; init; }

    public SerialMode Mode { get; init; } = SerialMode.Stream;

    /// <summary>Poll mode: the bytes sent every <see cref="Poll"/> (MT-SICS: <c>SI\r\n</c>).</summary>
    public byte[]? Request { get; init; }

    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Poll mode: how long to wait for the answer (default 1 s). Stream mode: longest silence before the source is down (null: no limit).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The unit of frames that carry none (Mitutoyo: the gauge's mm/in setting); None = not known.</summary>
    public GaugeUnit GaugeUnit { get; init; } = GaugeUnit.None;

    /// <summary>The tag (<c>source.tag</c>) holding the current part serial or batch; each reading is stamped with its latest value.</summary>
    public string? Part { get; init; }

    /// <summary>First wait before reopening a port that failed; doubles to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The answer timeout in poll mode.</summary>
    public TimeSpan AnswerTimeout => Timeout ?? TimeSpan.FromSeconds(1);

    /// <summary>The request a profile answers when none is given (MT-SICS <c>SI</c>, Sartorius <c>ESC P</c>); null when the profile has none.</summary>
    public static byte[]? DefaultRequest(ProfileKind profile) => profile switch
    {
        ProfileKind.MtSics => "SI\r\n"u8.ToArray(),
        ProfileKind.Sartorius => "\u001bP\r\n"u8.ToArray(),
        _ => null,
    };
}

/// <summary>What a tag of a serial source receives.</summary>
public enum SerialTagValue : byte
{
    /// <summary>The gauge's reading, converted to the tag's unit.</summary>
    Reading = 0,

    /// <summary>The part stamp: the <c>part:</c> tag's value at the moment of each reading.</summary>
    Part,
}

/// <summary>A serial tag: what it receives and, for a reading, the unit to convert to (null: as the gauge sends it).</summary>
public sealed record SerialTagOptions(SerialTagValue Value = SerialTagValue.Reading, GaugeUnit? Unit = null);
