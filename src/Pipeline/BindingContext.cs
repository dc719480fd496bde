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

    /// <summary>Resolves <c>source.tag</c> names to tag ids (with the names for did-you-mean).</summary>
    public ITagResolver Resolver => _resolver ??= DictionaryTagResolver.From(Tags);
}
