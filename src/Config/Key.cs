using System.Text.Json.Nodes;

namespace EdgeAgent.Config;

/// <summary>
/// The one declaration of one YAML key: its name, what it means, its type and bounds. A binder reads the key through
/// this object (<c>Unit.Read(map)</c>), and the JSON Schema (<c>edgeagent schema</c>) is generated from the same object,
/// so the loader, the schema and the docs cannot disagree on a key's name, type or range.
/// Declare keys in a <see cref="Section"/> (its factory methods add them), one section per YAML mapping.
/// </summary>
public abstract class Key
{
    protected Key(string name, string? description)
    {
        Name = name;
        Description = description;
    }

    /// <summary>The key as written in YAML.</summary>
    public string Name { get; }

    /// <summary>What the key means, with its default; becomes the schema's description (editors show it on hover).</summary>
    public string? Description { get; }

    /// <summary>The key must be present.</summary>
    public bool Required { get; init; }

    /// <summary>Replaces the generated schema of the value where YAML accepts more shapes than the key's type says.</summary>
    public JsonObject? SchemaOverride { get; init; }

    /// <summary>The JSON Schema of this key's value (with its description).</summary>
    public JsonObject ToSchema(SchemaDefinitions defs)
    {
        var schema = SchemaOverride is { } custom ? (JsonObject)custom.DeepClone() : ValueSchema(defs);
        if (Description is not null)
        {
            schema["description"] = Description;
        }

        return schema;
    }

    /// <summary>The schema of the value's type and bounds.</summary>
    protected abstract JsonObject ValueSchema(SchemaDefinitions defs);

    public override string ToString() => Name;
}
