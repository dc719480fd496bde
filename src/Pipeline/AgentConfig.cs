namespace EdgeAgent.Pipeline;

/// <summary>
/// The whole validated configuration of one agent (one YAML file): who it is, its sources and their tags, and the
/// options each registered component bound from its own section, keyed by section (<c>characteristics</c>,
/// <c>equipment</c>, <c>outputs.mqtt</c>, …). Components read their options through <see cref="Section{T}"/>; each
/// feature offers a typed accessor of its own (e.g. <c>config.Characteristics()</c>).
/// </summary>
public sealed record AgentConfig
{
    public required string FilePath { get; init; }
    public required AgentIdentity Agent { get; init; }
    public required IReadOnlyList<SourceConfig> Sources { get; init; }

    /// <summary>Every tag of every source, indexed by <see cref="TagConfig.Id"/>.</summary>
    public required IReadOnlyList<TagConfig> Tags { get; init; }

    /// <summary>Bound options per section; null where a section's component is not configured.</summary>
    public required IReadOnlyDictionary<string, object?> Sections { get; init; }

    /// <summary>The options bound from <paramref name="section"/>, or null when that section is not configured.</summary>
    public T? Section<T>(string section)
        where T : class => Sections.TryGetValue(section, out var value) ? value as T : null;

    public TagConfig? FindTag(string fullName)
    {
        foreach (var tag in Tags)
        {
            if (tag.FullName == fullName)
            {
                return tag;
            }
        }

        return null;
    }
}
