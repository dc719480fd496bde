using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;

namespace EdgeAgent.Drivers.OpcUa.Services;

/// <summary>Encoders and decoders of the structures the services exchange (Part 4 §5 and §7).</summary>
internal static class ServiceCodec
{
    public static EndpointDescription ReadEndpointDescription(ref UaBinaryReader r)
    {
        var url = r.ReadString();
        // ApplicationDescription
        var appUri = r.ReadString();
        _ = r.ReadString(); // ProductUri
        var appName = r.ReadLocalizedText();
        _ = r.ReadInt32(); // ApplicationType
        _ = r.ReadString(); // GatewayServerUri
        _ = r.ReadString(); // DiscoveryProfileUri
        _ = r.ReadStringArray(); // DiscoveryUrls
        var cert = r.ReadByteString();
        var mode = (MessageSecurityMode)r.ReadInt32();
        var policy = r.ReadString();
        var n = r.ReadArrayLength();
        var tokens = new UserTokenPolicy[Math.Max(n, 0)];
        for (var i = 0; i < n; i++)
        {
            var id = r.ReadString();
            var type = (UserTokenType)r.ReadInt32();
            _ = r.ReadString(); // IssuedTokenType
            _ = r.ReadString(); // IssuerEndpointUrl
            tokens[i] = new UserTokenPolicy(id, type, r.ReadString());
        }

        var transport = r.ReadString();
        var level = r.ReadByte();
        return new EndpointDescription(url, appUri, appName.Text, cert, mode, policy, tokens, transport, level);
    }

    public static EndpointDescription[] ReadEndpointDescriptions(ref UaBinaryReader r)
    {
        var n = r.ReadArrayLength();
        var result = new EndpointDescription[Math.Max(n, 0)];
        for (var i = 0; i < n; i++)
        {
            result[i] = ReadEndpointDescription(ref r);
        }

        return result;
    }

    public static DataValue[] ReadDataValues(ref UaBinaryReader r)
    {
        var n = r.ReadArrayLength();
        var result = new DataValue[Math.Max(n, 0)];
        for (var i = 0; i < n; i++)
        {
            result[i] = r.ReadDataValue();
        }

        return result;
    }

    public static void WriteBrowseDescription(UaBinaryWriter w, BrowseDescription d)
    {
        w.WriteNodeId(d.NodeId);
        w.WriteInt32((int)d.Direction);
        w.WriteNodeId(d.ReferenceTypeId ?? WellKnownNodes.HierarchicalReferences);
        w.WriteBoolean(d.IncludeSubtypes);
        w.WriteUInt32(d.NodeClassMask);
        w.WriteUInt32(d.ResultMask);
    }

    public static BrowseResult[] ReadBrowseResults(ref UaBinaryReader r)
    {
        var n = r.ReadArrayLength();
        var results = new BrowseResult[Math.Max(n, 0)];
        for (var i = 0; i < n; i++)
        {
            var status = r.ReadStatusCode();
            var cp = r.ReadByteString();
            var m = r.ReadArrayLength();
            var refs = new ReferenceDescription[Math.Max(m, 0)];
            for (var j = 0; j < m; j++)
            {
                var refType = r.ReadNodeId();
                var forward = r.ReadBoolean();
                var node = r.ReadExpandedNodeId();
                var browseName = r.ReadQualifiedName();
                var display = r.ReadLocalizedText();
                var nodeClass = (NodeClass)r.ReadInt32();
                var typeDef = r.ReadExpandedNodeId();
                refs[j] = new ReferenceDescription(refType, forward, node, browseName, display, nodeClass, typeDef);
            }

            results[i] = new BrowseResult(status, cp is { Length: > 0 } ? cp : null, refs);
        }

        return results;
    }

    public static void WriteMonitoredItemCreateRequest(UaBinaryWriter w, MonitoredItemRequest item)
    {
        // ReadValueId
        w.WriteNodeId(item.NodeId);
        w.WriteUInt32(item.AttributeId);
        w.WriteString(null);
        w.WriteQualifiedName(default);
        w.WriteInt32((int)MonitoringMode.Reporting);
        // MonitoringParameters
        w.WriteUInt32(item.ClientHandle);
        w.WriteDouble(item.SamplingInterval);
        if (item.Filter is { } f)
        {
            w.WriteExtensionObject(EncodingIds.DataChangeFilter, f, static (w, f) =>
            {
                w.WriteInt32((int)f.Trigger);
                w.WriteUInt32((uint)f.DeadbandType);
                w.WriteDouble(f.DeadbandValue);
            });
        }
        else
        {
            w.WriteExtensionObject(ExtensionObject.Null);
        }

        w.WriteUInt32(item.QueueSize);
        w.WriteBoolean(item.DiscardOldest);
    }
}
