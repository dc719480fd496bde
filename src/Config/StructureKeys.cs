using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace EdgeAgent.Config;

/// <summary>A nested mapping whose keys <see cref="Section"/> declares.</summary>
public sealed class MapKey(string name, string? description, Section section) : Key(name, description)
{
    public Section Section { get; } = section;

    public ConfigMap? Read(ConfigMap map) => map.Map(Name, Required);

    protected override JsonObject ValueSchema(SchemaDefinitions defs) => Section.ToSchema(defs);
}

/// <summary>A list of mappings (sources, tags, characteristics …), each declared by <see cref="Item"/>.</summary>
public sealed class MapListKey(string name, string? description, Section item) : Key(name, description)
{
    public Section Item { get; } = item;

    public List<ConfigMap> Read(ConfigMap map) => map.MapList(Name, Required);

    protected override JsonObject ValueSchema(SchemaDefinitions defs) => new()
    {
        ["type"] = "array",
        ["items"] = Item.ToSchema(defs),
    };
}

/// <summary>A list of single values; a single value is accepted as a list of one when <see cref="AllowSingle"/>.</summary>
public sealed class ListKey(string name, string? description, Func<SchemaDefinitions, JsonObject> item) : Key(name, description)
{
    public bool AllowSingle { get; init; } = true;

    public List<(string Value, YamlDotNet.Core.Mark At)> Read(ConfigMap map) => map.StringList(Name);

    protected override JsonObject ValueSchema(SchemaDefinitions defs)
    {
        var array = new JsonObject { ["type"] = "array", ["items"] = item(defs) };
        return AllowSingle ? new JsonObject { ["oneOf"] = new JsonArray(item(defs), array) } : array;
    }

    /// <summary>Items from a fixed set of words.</summary>
    public static Func<SchemaDefinitions, JsonObject> OneOf(IReadOnlyList<string> values) => _ => new JsonObject { ["enum"] = SchemaDefinitions.Array(values) };
}

/// <summary>
/// A key whose value may take several shapes (<c>qos: 1</c> or <c>qos: { data: 0 }</c>; <c>mqtt: false</c> or a mapping):
/// the binder inspects the node itself, the schema is <see cref="Key.SchemaOverride"/> or built by <c>schema</c>.
/// </summary>
public sealed class NodeKey(string name, string? description, Func<SchemaDefinitions, JsonObject> schema) : Key(name, description)
{
    /// <summary>The mappings the value may be (e.g. <c>qos: { data, status, … }</c>), so tools can list their keys too.</summary>
    public IReadOnlyList<Section> Sections { get; init; } = [];

    public YamlNode? Read(ConfigMap map) => map.Raw(Name);

    protected override JsonObject ValueSchema(SchemaDefinitions defs) => schema(defs);
}
