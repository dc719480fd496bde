using System.Text.Json.Nodes;

namespace EdgeAgent.Config;

/// <summary>
/// The declaration of one YAML mapping: its keys, in the order the docs list them. Binders read each key through its
/// <see cref="Key"/>; <see cref="ToSchema"/> turns the same declarations into a JSON Schema object. The factory methods
/// (<see cref="Int"/>, <see cref="Duration"/>, …) add a key and return it, so a section is declared as static fields:
/// <code>
/// static readonly Section Source = new("A Modbus TCP source.");
/// static readonly IntKey Unit = Source.Int("unit", "Unit id (slave address). Default 1.", 0, 255);
/// </code>
/// A key may belong to several sections (the keys every Modbus transport shares).
/// </summary>
public sealed class Section(string? description = null)
{
    private readonly List<Key> _keys = new();

    public string? Description { get; } = description;

    /// <summary>When set, the schema defines the section once under <c>$defs/{DefName}</c> and refers to it.</summary>
    public string? DefName { get; init; }

    /// <summary>Unknown keys are errors (<c>additionalProperties: false</c>). Off for sections others extend.</summary>
    public bool Closed { get; init; } = true;

    public IReadOnlyList<Key> Keys => _keys;

    public Key? Find(string name) => _keys.Find(k => k.Name == name);

    /// <summary>Adds a declared key (also one declared in another section) and returns it.</summary>
    public T Add<T>(T key)
        where T : Key
    {
        if (Find(key.Name) is not null)
        {
            throw new InvalidOperationException($"key '{key.Name}' is declared twice in one section");
        }

        _keys.Add(key);
        return key;
    }

    public IntKey Int(string name, string? description, int min = int.MinValue, int max = int.MaxValue, bool required = false) =>
        Add(new IntKey(name, description, min, max) { Required = required });

    public NumberKey Number(string name, string? description, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool required = false) =>
        Add(new NumberKey(name, description, min, max) { Required = required });

    public BoolKey Bool(string name, string? description) => Add(new BoolKey(name, description));

    public StringKey String(string name, string? description, bool required = false, string? pattern = null) =>
        Add(new StringKey(name, description) { Required = required, Pattern = pattern });

    public NameKey Name(string name, string? description, bool required = false) =>
        Add(new NameKey(name, description) { Required = required });

    public DurationKey Duration(string name, string? description, TimeSpan? min = null, TimeSpan? max = null, bool required = false) =>
        Add(new DurationKey(name, description, min, max) { Required = required });

    public ChoiceKey Choice(string name, string? description, IReadOnlyList<string> values, bool required = false) =>
        Add(new ChoiceKey(name, description, values.ToArray()) { Required = required });

    public SizeKey Size(string name, string? description, long min = 0) => Add(new SizeKey(name, description, min));

    public UrlKey Url(string name, string? description, IReadOnlyList<string> schemes, bool required = false) =>
        Add(new UrlKey(name, description, schemes.ToArray()) { Required = required });

    public FileKey File(string name, string? description) => Add(new FileKey(name, description));

    public MapKey Map(string name, string? description, Section section, bool required = false) =>
        Add(new MapKey(name, description, section) { Required = required });

    public MapListKey MapList(string name, string? description, Section item, bool required = false) =>
        Add(new MapListKey(name, description, item) { Required = required });

    public ListKey List(string name, string? description, Func<SchemaDefinitions, JsonObject> item, bool allowSingle = true) =>
        Add(new ListKey(name, description, item) { AllowSingle = allowSingle });

    public NodeKey Node(string name, string? description, Func<SchemaDefinitions, JsonObject> schema, bool required = false) =>
        Add(new NodeKey(name, description, schema) { Required = required });

    /// <summary>Names of the required keys, in declaration order.</summary>
    public IEnumerable<string> RequiredKeys => _keys.Where(k => k.Required).Select(k => k.Name);

    /// <summary><c>properties</c> of the schema: one entry per key.</summary>
    public JsonObject Properties(SchemaDefinitions defs)
    {
        var properties = new JsonObject();
        foreach (var key in _keys)
        {
            properties[key.Name] = key.ToSchema(defs);
        }

        return properties;
    }

    /// <summary>The schema of this mapping (a <c>$ref</c> when <see cref="DefName"/> is set).</summary>
    public JsonObject ToSchema(SchemaDefinitions defs) =>
        DefName is null ? Inline(defs) : defs.Ref(DefName, () => Inline(defs));

    private JsonObject Inline(SchemaDefinitions defs)
    {
        var schema = new JsonObject { ["type"] = "object" };
        if (Closed)
        {
            schema["additionalProperties"] = false;
        }

        if (Description is not null)
        {
            schema["description"] = Description;
        }

        var required = RequiredKeys.ToArray();
        if (required.Length > 0)
        {
            schema["required"] = SchemaDefinitions.Array(required);
        }

        schema["properties"] = Properties(defs);
        return schema;
    }
}
