using EdgeAgent.Drivers;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Everything known about the tags, indexed by tag id, plus the latest sample of each (written only by the router
/// thread; read elsewhere as a best-effort snapshot). Sinks use it to name tags without per-sample lookups.
/// </summary>
public sealed class TagDirectory
{
    private readonly Sample[] _latest;

    public TagDirectory(IReadOnlyList<TagConfig> tags, IReadOnlyList<string> sources)
    {
        Tags = tags;
        Sources = sources.ToArray();
        SourceOf = tags.Select(t => Array.IndexOf(Sources, t.Source)).ToArray();
        _latest = new Sample[tags.Count];
        for (var i = 0; i < _latest.Length; i++)
        {
            _latest[i] = new Sample(i, double.NaN, Quality.Bad, 0, 0);
        }
    }

    /// <summary>Builds the directory of a configuration's tags and sources.</summary>
    public static TagDirectory Of(AgentConfig config) => new(config.Tags, config.Sources.Select(s => s.Name).ToArray());

    public IReadOnlyList<TagConfig> Tags { get; }
    public string[] Sources { get; }

    /// <summary>Index into <see cref="Sources"/> of each tag's source.</summary>
    public int[] SourceOf { get; }

    public int Count => _latest.Length;

    public ref readonly Sample Latest(int tagId) => ref _latest[tagId];

    /// <summary>Router thread only: the sample becomes the tag's latest.</summary>
    public void Update(in Sample sample) => _latest[sample.TagId] = sample;

    public int IdOf(string fullName)
    {
        for (var i = 0; i < Tags.Count; i++)
        {
            if (Tags[i].FullName == fullName)
            {
                return i;
            }
        }

        return -1;
    }
}
