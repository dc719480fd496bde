namespace EdgeAgent.Pipeline;

/// <summary>Resolves a tag name (<c>source.tag</c>) to the pipeline's tag id, and lists names for did-you-mean.</summary>
public interface ITagResolver
{
    /// <summary>The tag's id, or -1.</summary>
    int Resolve(string name);

    IEnumerable<string> Names { get; }
}

/// <summary>A resolver over a name → id dictionary (the config's tags).</summary>
public sealed class DictionaryTagResolver(IReadOnlyDictionary<string, int> ids) : ITagResolver
{
    public int Resolve(string name) => ids.TryGetValue(name, out var id) ? id : -1;

    public IEnumerable<string> Names => ids.Keys;

    public static DictionaryTagResolver From(IEnumerable<TagConfig> tags)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            ids.TryAdd(tag.FullName, tag.Id);
        }

        return new DictionaryTagResolver(ids);
    }
}
