using EdgeAgent.Config;

namespace EdgeAgent.Pipeline;

/// <summary>What a section binder may use besides its own YAML: the agent, the tags every source declared, and the errors.</summary>
public sealed class BindingContext(AgentIdentity agent, IReadOnlyList<TagConfig> tags, IReadOnlyList<SourceConfig> sources, ConfigErrors errors)
{
    private ITagResolver? _resolver;

    public AgentIdentity Agent { get; } = agent;
    public IReadOnlyList<TagConfig> Tags { get; } = tags;
    public IReadOnlyList<SourceConfig> Sources { get; } = sources;
    public ConfigErrors Errors { get; } = errors;

    /// <summary>
    /// Why <paramref name="value"/> cannot be written to tag <paramref name="tagId"/> (not writable, or outside its type), or
    /// null when it can. The host provides the driver's check; without one every write is refused.
    /// </summary>
    public string? WriteProblem(int tagId, double value)
    {
        if ((uint)tagId >= (uint)Tags.Count)
        {
            return "no such tag";
        }

        var tag = Tags[tagId];
        if (!tag.Writable)
        {
            return $"tag '{tag.FullName}' is not writable (add writable: true to it in sources.{tag.Source}.tags)";
        }

        return ValueCheck is null ? "this agent cannot write" : ValueCheck(tag, value);
    }

    /// <summary>Why tag <paramref name="tagId"/> can never be written (not writable, its driver cannot), or null: any remaining problem is the value's.</summary>
    public string? TagProblem(int tagId)
    {
        var tag = Tags[tagId];
        return tag.Writable
            ? TagCheck?.Invoke(tag)
            : $"tag '{tag.FullName}' is not writable (add writable: true to it in sources.{tag.Source}.tags)";
    }

    /// <summary>The driver's check that a writable tag can be written at all (set by the host).</summary>
    public Func<TagConfig, string?>? TagCheck { get; init; }

    /// <summary>The driver's value check for a writable tag (set by the host).</summary>
    public Func<TagConfig, double, string?>? ValueCheck { get; init; }

    /// <summary>Resolves <c>source.tag</c> names to tag ids (with the names for did-you-mean).</summary>
    public ITagResolver Resolver => _resolver ??= DictionaryTagResolver.From(Tags);
}
