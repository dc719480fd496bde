using EdgeAgent.Config;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Plugs one component into the agent: the declaration and binder of its YAML section, and the component built from
/// the bound options. The host reads the top level, hands each section to its plug-in and builds what they return;
/// registering a plug-in is one line in the host. Derive from <see cref="ComponentPlugin{TOptions}"/>.
/// </summary>
public interface IComponentPlugin
{
    /// <summary>The section's path: a top-level key (<c>characteristics</c>), an output (<c>outputs.mqtt</c>), or null for a component without YAML.</summary>
    string? Section { get; }

    /// <summary>The declaration of the section's value (for the schema); null when <see cref="Section"/> is null.</summary>
    Key? Key { get; }

    /// <summary>
    /// Binds the section from <paramref name="parent"/> (the mapping that holds it; null when even that is absent) and
    /// reports problems there. Returns the options, or null when the component is not configured.
    /// </summary>
    object? Bind(ConfigMap? parent, BindingContext context);

    /// <summary>The running component for the bound options (null options: not configured), or null for none.</summary>
    IAgentComponent? Create(object? options, AgentContext context);
}

/// <summary>A component plug-in with typed options: the one cast from the configuration's section store happens here.</summary>
public abstract class ComponentPlugin<TOptions> : IComponentPlugin
    where TOptions : class
{
    public abstract string? Section { get; }

    public abstract Key? Key { get; }

    /// <summary>Binds the section; null when the component is not configured.</summary>
    public abstract TOptions? Bind(ConfigMap? parent, BindingContext context);

    /// <summary>The running component, or null when <paramref name="options"/> needs none.</summary>
    public abstract IAgentComponent? Create(TOptions? options, AgentContext context);

    object? IComponentPlugin.Bind(ConfigMap? parent, BindingContext context) => Bind(parent, context);

    IAgentComponent? IComponentPlugin.Create(object? options, AgentContext context) => Create(options as TOptions, context);
}
