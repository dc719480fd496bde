namespace EdgeAgent.Analysis;

/// <summary>CRC-32 (ISO 3309, polynomial 0xEDB88320 reflected), as PNG chunks carry it (PNG spec §5.5).</summary>
internal static class Crc32
{
    public static uint Compute(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
