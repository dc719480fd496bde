using EdgeAgent.Config;

namespace EdgeAgent.Pipeline;

/// <summary>Binds YAML values that name tags (<c>source.tag</c>): each is resolved at load, with a did-you-mean.</summary>
public static class TagReferences
{
    /// <summary>A single tag name in <paramref name="key"/>, resolved; -1 when absent or unknown (reported).</summary>
    public static int BindTag(ConfigMap map, string key, ITagResolver tags)
    {
        var name = map.String(key);
        return name is null ? -1 : Resolve(map, key, name, tags);
    }

    /// <summary><paramref name="name"/>, read from <paramref name="key"/>, as a tag id; -1 when unknown (reported there, with a did-you-mean).</summary>
    public static int Resolve(ConfigMap map, string key, string name, ITagResolver tags)
    {
        var id = tags.Resolve(name);
        if (id < 0)
        {
            var hint = Suggest.Closest(name, tags.Names);
            map.Error(key, $"no tag '{name}' (tags are named source.tag){(hint is null ? string.Empty : $"; did you mean '{hint}'?")}");
        }

        return id;
    }

    /// <summary><c>context: [source.tag, …]</c>: tags read when an alarm activates, each an existing tag.</summary>
    public static List<ContextTag> BindContext(ConfigMap map, ITagResolver tags, string key = "context")
    {
        var result = new List<ContextTag>();
        foreach (var (name, at) in map.StringList(key))
        {
            var id = tags.Resolve(name);
            if (id < 0)
            {
                var hint = Suggest.Closest(name, tags.Names);
                map.Errors.Add(at, $"{map.Child(key)}: unknown tag '{name}'{(hint is null ? string.Empty : $"; did you mean '{hint}'?")}");
            }
            else if (!result.Exists(c => c.TagId == id))
            {
                result.Add(new ContextTag(name, id));
            }
        }

        return result;
    }

    /// <summary>The schema of a tag list: one tag or a list of tags.</summary>
    public static System.Text.Json.Nodes.JsonObject ListSchema(SchemaDefinitions defs) => defs.Ref("tagList", () => new()
    {
        ["oneOf"] = new System.Text.Json.Nodes.JsonArray(
            new System.Text.Json.Nodes.JsonObject { ["type"] = "string" },
            new System.Text.Json.Nodes.JsonObject { ["type"] = "array", ["items"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "string" } }),
    });
}
