using System.Buffers.Binary;
using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.SecureChannel;

/// <summary>
/// UA TCP framing (Part 6 §7.1.2). Every message starts with an 8-byte header:
/// <code>
///  0      3      4              8
///  +------+------+--------------+------------------
///  | type | F/C/A| MessageSize  | …message body
///  +------+------+--------------+------------------
///   "HEL" "ACK" "ERR" "OPN" "MSG" "CLO"   (size includes the header, little-endian UInt32)
/// </code>
/// </summary>
internal static class UaTcp
{
    public const int HeaderSize = 8;

    /// <summary>Part 6 §7.1.2.3: both buffers must be at least 8192 bytes.</summary>
    public const int MinBufferSize = 8192;

    /// <summary>Part 6 §7.1.2.3: an EndpointUrl longer than 4096 bytes is rejected.</summary>
    public const int MaxEndpointUrlLength = 4096;

    public const uint Hel = 'H' | ('E' << 8) | ('L' << 16);
    public const uint Ack = 'A' | ('C' << 8) | ('K' << 16);
    public const uint Err = 'E' | ('R' << 8) | ('R' << 16);
    public const uint Opn = 'O' | ('P' << 8) | ('N' << 16);
    public const uint Msg = 'M' | ('S' << 8) | ('G' << 16);
    public const uint Clo = 'C' | ('L' << 8) | ('O' << 16);

    public const byte Final = (byte)'F';
    public const byte Intermediate = (byte)'C';
    public const byte Abort = (byte)'A';

    public static uint MessageType(ReadOnlySpan<byte> header) => (uint)(header[0] | (header[1] << 8) | (header[2] << 16));

    public static string Describe(ReadOnlySpan<byte> header)
    {
        Span<char> chars = stackalloc char[4];
        for (var i = 0; i < 4; i++)
        {
            chars[i] = header[i] is >= 0x20 and < 0x7F ? (char)header[i] : '?';
        }

        return $"'{chars}' (0x{BinaryPrimitives.ReadUInt32BigEndian(header):X8})";
    }

    public static void WriteHeader(Span<byte> into, uint type, byte chunkType, uint size)
    {
        into[0] = (byte)type;
        into[1] = (byte)(type >> 8);
        into[2] = (byte)(type >> 16);
        into[3] = chunkType;
        BinaryPrimitives.WriteUInt32LittleEndian(into[4..], size);
    }

    /// <summary>Hello (Part 6 §7.1.2.3): what the client can receive and send.</summary>
    public static byte[] EncodeHello(UaTransportOptions options, string endpointUrl)
    {
        using var w = new UaBinaryWriter(256);
        w.WriteUInt32(Hel | ((uint)Final << 24));
        w.WriteUInt32(0);
        w.WriteUInt32(0); // ProtocolVersion
        w.WriteUInt32((uint)options.ReceiveBufferSize);
        w.WriteUInt32((uint)options.SendBufferSize);
        w.WriteUInt32((uint)options.MaxMessageSize);
        w.WriteUInt32((uint)options.MaxChunkCount);
        w.WriteString(endpointUrl);
        w.PatchUInt32(4, (uint)w.Position);
        return w.ToArray();
    }
}

/// <summary>What was agreed in HEL/ACK (Part 6 §7.1.2.4), from the client's side.</summary>
public sealed record UaTransportLimits(int SendChunkSize, int ReceiveChunkSize, int MaxSendMessageSize, int MaxSendChunkCount, int MaxReceiveMessageSize, int MaxReceiveChunkCount);

/// <summary>Transport options: buffer sizes offered in Hello, limits, timeouts.</summary>
public sealed record UaTransportOptions
{
    /// <summary>Largest chunk we accept (Hello ReceiveBufferSize). At least 8192.</summary>
    public int ReceiveBufferSize { get; init; } = 65535;

    /// <summary>Largest chunk we send (Hello SendBufferSize); the server's ReceiveBufferSize may lower it.</summary>
    public int SendBufferSize { get; init; } = 65535;

    /// <summary>Largest response we accept, all chunks together (0 = no limit; we default to 16 MiB).</summary>
    public int MaxMessageSize { get; init; } = 16 << 20;

    /// <summary>Most chunks in one response (0 = no limit).</summary>
    public int MaxChunkCount { get; init; } = 4096;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Default timeout of one request (also sent as the RequestHeader's TimeoutHint).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Requested lifetime of a security token; the channel renews it at 75 % of the revised lifetime.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(1);

    public UaDecodingLimits DecodingLimits { get; init; } = UaDecodingLimits.Default;
}
