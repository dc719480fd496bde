using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace EdgeAgent.Analysis;

/// <summary>
/// Encodes 8-bit RGB pixels as a PNG file (PNG spec: signature, IHDR, one zlib-compressed IDAT with filter type 0 on
/// every row, IEND; each chunk with its CRC-32 from <see cref="Crc32"/>).
/// </summary>
internal static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <param name="rgb">Rows top to bottom, three bytes (R, G, B) per pixel, <paramref name="width"/> × <paramref name="height"/> pixels.</param>
    public static byte[] Encode(int width, int height, byte[] rgb)
    {
        var png = new MemoryStream();
        png.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;  // bit depth
        header[9] = 2;  // colour type: truecolour RGB
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", Compress(width, height, rgb));
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>The image data: each row preceded by its filter type (0, none), the whole zlib-compressed.</summary>
    private static byte[] Compress(int width, int height, byte[] rgb)
    {
        var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int row = 0; row < height; row++)
            {
                z.WriteByte(0);
                z.Write(rgb, row * width * 3, width * 3);
            }
        }

        return raw.ToArray();
    }

    /// <summary>Length (big-endian), type, data, and the CRC-32 of type and data.</summary>
    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        s.Write(four);
        var typed = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, typed);
        data.CopyTo(typed, 4);
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(four, Crc32.Compute(typed));
        s.Write(four);
    }
}
