using System.IO.Ports;

namespace EdgeAgent.Drivers.Modbus;

/// <summary>How a source reaches its devices.</summary>
public enum ModbusTransportKind : byte
{
    /// <summary><c>driver: modbus-tcp</c> — MBAP over TCP.</summary>
    Tcp,

    /// <summary><c>driver: modbus-rtu</c> — RTU over a serial port.</summary>
    Rtu,

    /// <summary><c>driver: modbus-rtu-tcp</c> — RTU frames over TCP (serial gateways).</summary>
    RtuOverTcp,
}

/// <summary>Options of one Modbus source (one TCP endpoint or one serial bus). Immutable, with defaults.</summary>
public sealed record ModbusSourceOptions
{
    public ModbusTransportKind Transport { get; init; } = ModbusTransportKind.Tcp;

    /// <summary><c>endpoint:</c> — <c>host:port</c> (port 502 when omitted) for TCP and RTU over TCP.</summary>
    public string Endpoint { get; init; } = string.Empty;

    /// <summary><c>unit:</c> — unit id (slave address) of the tags; 1..247 on serial, 0..255 on TCP.</summary>
    public byte Unit { get; init; } = 1;

    /// <summary><c>poll:</c> — interval between polls.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>timeout:</c> — per-request timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>retries:</c> — extra attempts after a transient failure, with backoff.</summary>
    public int Retries { get; init; } = 1;

    /// <summary><c>maxGap:</c> — see <see cref="ModbusPlanOptions.MaxGap"/>.</summary>
    public int MaxGap { get; init; } = 10;

    /// <summary><c>maxLength:</c> — see <see cref="ModbusPlanOptions.MaxLength"/>.</summary>
    public int MaxLength { get; init; } = ModbusLimits.MaxReadRegisters;

    /// <summary><c>inflight:</c> — TCP requests outstanding at once (pipelining); 1 = strictly sequential.</summary>
    public int MaxInFlight { get; init; } = 1;

    /// <summary>Serial settings (<c>port</c>, <c>baud</c>, <c>parity</c>, <c>dataBits</c>, <c>stopBits</c>) for <see cref="ModbusTransportKind.Rtu"/>.</summary>
    public ModbusSerialOptions? Serial { get; init; }

    public ModbusPlanOptions Plan => new() { MaxGap = MaxGap, MaxLength = MaxLength };

    /// <summary>Splits <c>host:port</c> (IPv6 as <c>[::1]:502</c>); the port defaults to 502.</summary>
    public static bool TryParseEndpoint(string text, out string host, out int port, out string? error)
    {
        host = text.Trim();
        port = 502;
        error = null;
        if (host.Length == 0)
        {
            error = "expected host:port, found nothing";
            return false;
        }

        string? portText = null;
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']');
            if (close < 0 || (close + 1 < host.Length && host[close + 1] != ':'))
            {
                error = $"expected [ipv6]:port, found '{text}'";
                return false;
            }

            portText = close + 1 < host.Length ? host[(close + 2)..] : null;
            host = host[1..close];
        }
        else if (host.IndexOf(':') is var colon and >= 0 && colon == host.LastIndexOf(':'))
        {
            portText = host[(colon + 1)..];
            host = host[..colon];
        }

        if (portText is not null
            && (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"port must be 1..65535, found '{portText}'";
            return false;
        }

        if (host.Length == 0)
        {
            error = $"expected host:port, found '{text}'";
            return false;
        }

        return true;
    }

    /// <summary>Creates the transport these options describe (not yet connected: it connects on first use).</summary>
    public ModbusTransport CreateTransport()
    {
        switch (Transport)
        {
            case ModbusTransportKind.Rtu:
                return ModbusRtuTransport.ForSerialPort(Serial ?? throw new InvalidOperationException("serial options are required for modbus-rtu"), Timeout);
            default:
                if (!TryParseEndpoint(Endpoint, out var host, out var port, out var error))
                {
                    throw new ArgumentException($"endpoint: {error}", nameof(Endpoint));
                }

                return Transport == ModbusTransportKind.Tcp
                    ? new ModbusTcpTransport(new ModbusTcpOptions { Host = host, Port = port, Timeout = Timeout, MaxInFlight = MaxInFlight })
                    : ModbusRtuTransport.ForTcp(host, port, Timeout);
        }
    }

    /// <summary>
    /// Time one poll of <paramref name="plan"/> occupies an RTU bus at <see cref="ModbusSerialOptions.Baud"/>: request and
    /// response characters (11 bits each) plus a 3.5-character gap after each frame. Device turnaround time is extra.
    /// </summary>
    public static TimeSpan BusTime(IEnumerable<ReadBlock> plan, int baud)
    {
        var chars = 0;
        var frames = 0;
        foreach (var block in plan)
        {
            var data = ModbusLimits.IsBitTable(block.Table) ? (block.Count + 7) / 8 : block.Count * 2;
            chars += 8 + 5 + data; // request: unit fc addr qty crc; response: unit fc count data crc
            frames += 2;
        }

        return RtuFrame.CharacterTime(baud, chars) + (RtuFrame.InterFrameDelay(baud) * frames);
    }

    public static Parity ParseParity(string text) => text switch
    {
        "none" => Parity.None,
        "even" => Parity.Even,
        "odd" => Parity.Odd,
        _ => throw new ArgumentException($"parity must be none, even or odd, found '{text}'"),
    };
}
