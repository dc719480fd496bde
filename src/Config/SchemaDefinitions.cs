using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeAgent.Config;

/// <summary>
/// The <c>$defs</c> of a generated JSON Schema (draft 2020-12): shapes used in many places (durations, names) and
/// sections declared with a <see cref="Section.DefName"/> are defined once and referred to by <c>$ref</c>.
/// </summary>
public sealed class SchemaDefinitions
{
    private readonly SortedDictionary<string, JsonObject?> _defs = new(StringComparer.Ordinal);

    /// <summary><c>{"$ref":"#/$defs/{name}"}</c>, building the definition the first time it is asked for.</summary>
    public JsonObject Ref(string name, Func<JsonObject> build)
    {
        if (!_defs.ContainsKey(name))
        {
            _defs[name] = null; // reserve first: a definition may refer to itself
            _defs[name] = build();
        }

        return new JsonObject { ["$ref"] = $"#/$defs/{name}" };
    }

    /// <summary>A duration as <see cref="Durations"/> parses it.</summary>
    public JsonObject Duration() => Ref("duration", () => new JsonObject
    {
        ["type"] = "string",
        ["pattern"] = "^[0-9]+(\\.[0-9]+)?(us|µs|ms|s|m|min|h|d)$",
        ["description"] = "A duration: 500us, 100ms, 2s, 1.5s, 5m, 1h, 1d.",
    });

    /// <summary>A name used in MQTT topics and metric labels.</summary>
    public JsonObject Name() => Ref("name", () => new JsonObject
    {
        ["type"] = "string",
        ["pattern"] = "^[A-Za-z0-9_-]+$",
        ["description"] = "Letters, digits, '_' and '-' (names end up in MQTT topics and metric labels).",
    });

    /// <summary>The collected definitions, sorted by name (so the output is stable).</summary>
    public JsonObject ToJson()
    {
        var result = new JsonObject();
        foreach (var (name, schema) in _defs)
        {
            result[name] = schema;
        }

        return result;
    }

    public static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());

    /// <summary>The schema document as committed: two-space indentation, characters such as µ and ' unescaped, final newline.</summary>
    public static string Write(JsonObject document)
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            IndentSize = 2,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        return document.ToJsonString(options).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }
}
