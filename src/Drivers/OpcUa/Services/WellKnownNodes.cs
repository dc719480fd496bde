using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.Services;

/// <summary>Well-known nodes of namespace 0 (Part 6 Annex A).</summary>
public static class WellKnownNodes
{
    public static readonly NodeId RootFolder = new(0, 84);
    public static readonly NodeId ObjectsFolder = new(0, 85);
    public static readonly NodeId HierarchicalReferences = new(0, 33);
    public static readonly NodeId Organizes = new(0, 35);
    public static readonly NodeId HasComponent = new(0, 47);
    public static readonly NodeId HasTypeDefinition = new(0, 40);
    public static readonly NodeId Server_NamespaceArray = new(0, 2255);
    public static readonly NodeId Server_ServerStatus_State = new(0, 2259);
}
