namespace EdgeAgent.Drivers.OpcUa.Encoding;

/// <summary>
/// A structure carried with its encoding id (Part 6 §5.2.2.15). The client keeps an unknown body as bytes (capped) and
/// never interprets it; known bodies (notifications, filters, identity tokens) are read by the service layer.
/// </summary>
public sealed record ExtensionObject(NodeId TypeId, ExtensionObjectEncoding Encoding, byte[]? Body)
{
    public static readonly ExtensionObject Null = new(NodeId.Null, ExtensionObjectEncoding.None, null);
}

public enum ExtensionObjectEncoding : byte
{
    None = 0,
    ByteString = 1,
    XmlElement = 2,
}
