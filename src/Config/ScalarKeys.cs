using System.Text.Json.Nodes;

namespace EdgeAgent.Config;

/// <summary>A whole number within [<see cref="Min"/>, <see cref="Max"/>] (decimal or 0x hex).</summary>
public sealed class IntKey(string name, string? description, int min = int.MinValue, int max = int.MaxValue) : Key(name, description)
{
    public int Min { get; } = min;
    public int Max { get; } = max;

    public int? Read(ConfigMap map) => map.Int(Name, Min, Max, Required);

    protected override JsonObject ValueSchema(SchemaDefinitions defs)
    {
        var schema = new JsonObject { ["type"] = "integer" };
        if (Min != int.MinValue)
        {
            schema["minimum"] = Min;
        }

        if (Max != int.MaxValue)
        {
            schema["maximum"] = Max;
        }

        return schema;
    }
}

/// <summary>A finite number within [<see cref="Min"/>, <see cref="Max"/>].</summary>
public sealed class NumberKey(string name, string? description, double min = double.NegativeInfinity, double max = double.PositiveInfinity) : Key(name, description)
{
    public double Min { get; } = min;
    public double Max { get; } = max;

    /// <summary>0 is refused (a scale factor).</summary>
    public bool NotZero { get; init; }

    public double? Read(ConfigMap map)
    {
        var value = map.Double(Name, Min, Max, Required);
        if (NotZero && value == 0)
        {
            map.Error(Name, "must not be 0");
        }

        return value;
    }

    protected override JsonObject ValueSchema(SchemaDefinitions defs)
    {
        var schema = new JsonObject { ["type"] = "number" };
        if (double.IsFinite(Min))
        {
            schema["minimum"] = Number(Min);
        }

        if (double.IsFinite(Max))
        {
            schema["maximum"] = Number(Max);
        }

        if (NotZero)
        {
            schema["not"] = new JsonObject { ["const"] = 0 };
        }

        return schema;
    }

    /// <summary>Whole numbers are written as integers (1, not 1.0), so the schema reads as the docs do.</summary>
    internal static JsonNode Number(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15 ? JsonValue.Create((long)value) : JsonValue.Create(value);
}

/// <summary><c>true</c>/<c>false</c> (also yes/no, on/off).</summary>
public sealed class BoolKey(string name, string? description) : Key(name, description)
{
    public bool? Read(ConfigMap map) => map.Bool(Name, Required);

    protected override JsonObject ValueSchema(SchemaDefinitions defs) => new() { ["type"] = "boolean" };
}

/// <summary>Free text after <c>${ENV}</c> substitution. <see cref="Pattern"/> is checked by the schema only.</summary>
public sealed class StringKey(string name, string? description) : Key(name, description)
{
    /// <summary>A regular expression editors check (the binder checks the meaning itself, with a better message).</summary>
    public string? Pattern { get; init; }

    public string? Read(ConfigMap map) => map.String(Name, Required);

    /// <summary>The text, or empty when missing (reported as missing).</summary>
    public string ReadRequired(ConfigMap map) => map.String(Name, required: true) ?? string.Empty;

    protected override JsonObject ValueSchema(SchemaDefinitions defs)
    {
        var schema = new JsonObject { ["type"] = "string" };
        if (Pattern is not null)
        {
            schema["pattern"] = Pattern;
        }

        return schema;
    }
}

/// <summary>A name that ends up in MQTT topics and metric labels: letters, digits, '_' and '-'.</summary>
public sealed class NameKey(string name, string? description) : Key(name, description)
{
    /// <summary>What the name is used for, said in the error.</summary>
    public string UsedIn { get; init; } = "it is used in MQTT topics";

    /// <summary>The name when valid; null when absent or invalid (reported).</summary>
    public string? Read(ConfigMap map)
    {
        var text = map.String(Name, Required);
        return text is not null && map.CheckName(Name, text, UsedIn) ? text : null;
    }

    /// <summary>The name as written (empty when missing), and whether it is valid.</summary>
    public (string Text, bool Valid) ReadChecked(ConfigMap map)
    {
        var text = Required ? map.String(Name, required: true) ?? string.Empty : map.String(Name) ?? string.Empty;
        return (text, map.CheckName(Name, text, UsedIn));
    }

    protected override JsonObject ValueSchema(SchemaDefinitions defs) => defs.Name();
}

/// <summary>A duration such as <c>100ms</c>, <c>2s</c>, <c>5m</c>, within [<see cref="Min"/>, <see cref="Max"/>].</summary>
public sealed class DurationKey(string name, string? description, TimeSpan? min = null, TimeSpan? max = null) : Key(name, description)
{
    public TimeSpan? Min { get; } = min;
    public TimeSpan? Max { get; } = max;

    public TimeSpan? Read(ConfigMap map) => map.Duration(Name, Min, Max, Required);

    protected override JsonObject ValueSchema(SchemaDefinitions defs) => defs.Duration();
}

/// <summary>One of a fixed set of words, spelled as the docs spell them (with a did-you-mean).</summary>
public sealed class ChoiceKey(string name, string? description, params string[] values) : Key(name, description)
{
    public IReadOnlyList<string> Values { get; } = values;

    /// <summary>When set, the set of words is defined once under <c>$defs/{DefName}</c> (priorities, rule names).</summary>
    public string? DefName { get; init; }

    public string? Read(ConfigMap map) => map.Choice(Name, Values.ToArray(), Required);

    protected override JsonObject ValueSchema(SchemaDefinitions defs) => DefName is null
        ? new() { ["enum"] = SchemaDefinitions.Array(Values) }
        : defs.Ref(DefName, () => new() { ["enum"] = SchemaDefinitions.Array(Values) });
}

/// <summary>A byte size: <c>1048576</c>, <c>512KB</c>, <c>100MB</c>, <c>2GB</c>.</summary>
public sealed class SizeKey(string name, string? description, long min = 0) : Key(name, description)
{
    public long Min { get; } = min;

    public long? Read(ConfigMap map) => map.Size(Name, Min);

    protected override JsonObject ValueSchema(SchemaDefinitions defs) => new() { ["type"] = SchemaDefinitions.Array(["string", "integer"]) };
}

/// <summary>An absolute URL with one of <see cref="Schemes"/>.</summary>
public sealed class UrlKey(string name, string? description, params string[] schemes) : Key(name, description)
{
    public IReadOnlyList<string> Schemes { get; } = schemes;

    public Uri? Read(ConfigMap map) => map.Url(Name, Schemes, Required);

    protected override JsonObject ValueSchema(SchemaDefinitions defs) => new()
    {
        ["type"] = "string",
        ["pattern"] = Schemes.Count == 1
            ? $"^{EscapeScheme(Schemes[0])}://"
            : $"^({string.Join('|', Schemes.Select(EscapeScheme))})://",
    };

    private static string EscapeScheme(string scheme) => scheme.Replace(".", "\\.", StringComparison.Ordinal);
}

/// <summary>A file that must exist when the config is loaded, relative to the config file.</summary>
public sealed class FileKey(string name, string? description) : Key(name, description)
{
    public string? Read(ConfigMap map) => map.ExistingFile(Name);

    protected override JsonObject ValueSchema(SchemaDefinitions defs) => new() { ["type"] = "string" };
}
