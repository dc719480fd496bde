using System.Buffers.Binary;
using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.Tests.Peer;

/// <summary>What a hand-made OPC UA peer on a socket needs: read one whole chunk, answer HEL with an ACK.</summary>
internal static class RawPeerFrames
{
    /// <summary>One chunk (message header of 8 bytes, then the rest its size gives), header included.</summary>
    public static async Task<byte[]> ReadChunkAsync(Stream s)
    {
        var header = new byte[8];
        await s.ReadExactlyAsync(header);
        var size = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
        var chunk = new byte[size];
        header.CopyTo(chunk, 0);
        await s.ReadExactlyAsync(chunk.AsMemory(8));
        return chunk;
    }

    /// <summary>ACK: protocol version 0, 64 KiB buffers, no limit on message size or chunk count.</summary>
    public static byte[] Ack()
    {
        using var w = new UaBinaryWriter();
        w.WriteRaw("ACKF"u8);
        w.WriteUInt32(28);
        w.WriteUInt32(0);
        w.WriteUInt32(65535);
        w.WriteUInt32(65535);
        w.WriteUInt32(0);
        w.WriteUInt32(0);
        return w.ToArray();
    }
}
