using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.SecureChannel;

/// <summary>ResponseHeader (Part 4 §7.29); diagnostics, string table and additional header are read and dropped.</summary>
public readonly record struct ResponseHeader(DateTime Timestamp, uint RequestHandle, StatusCode ServiceResult)
{
    public static ResponseHeader Read(ref UaBinaryReader r)
    {
        var timestamp = r.ReadDateTime();
        var handle = r.ReadUInt32();
        var result = r.ReadStatusCode();
        r.ReadDiagnosticInfo();
        var strings = r.ReadArrayLength(4);
        for (var i = 0; i < strings; i++)
        {
            r.ReadStringSpanSkip();
        }

        r.ReadExtensionObjectBody(out _);
        return new ResponseHeader(timestamp, handle, result);
    }
}
