using EdgeAgent.Config;
using EdgeAgent.Drivers;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Plugs one driver family into the agent: declares and binds its YAML keys (with positions for errors) and creates
/// its <see cref="ISource"/>. The common source keys (name, driver, poll, tags) and tag keys (name, unit) are the
/// host's; a plug-in declares and reads only its own, and any key nobody declared is reported as unknown.
/// Optional capabilities the CLI reaches through the registry: <see cref="IProbeCapability"/>,
/// <see cref="IBrowseCapability"/>, <see cref="IPlanCapability"/>. Derive from <see cref="DriverPlugin{TSource,TTag}"/>.
/// </summary>
public interface IDriverPlugin
{
    /// <summary>The <c>driver:</c> values this plug-in serves (e.g. modbus-tcp, modbus-rtu, modbus-rtu-tcp).</summary>
    IReadOnlyList<string> Drivers { get; }

    /// <summary>The driver's source-level keys (for the schema), per <c>driver:</c> value.</summary>
    Section SourceKeys(string driver);

    /// <summary>The driver's tag-level keys (for the schema), per <c>driver:</c> value.</summary>
    Section TagKeys(string driver);

    object? BindSource(string driver, ConfigMap source);

    object? BindTag(string driver, ConfigMap tag, object? sourceOptions);

    /// <summary>Checks that need all tags of the source at once (duplicate addresses, request plans, bus time).</summary>
    void Check(SourceConfig source, ConfigMap map);

    /// <summary>Creates the running source. Only called for a source that bound without errors.</summary>
    ISource Create(SourceConfig source, ILoggerFactory loggers);
}

/// <summary>A driver plug-in with typed source and tag options: the casts from the opaque config records happen here, once.</summary>
public abstract class DriverPlugin<TSource, TTag> : IDriverPlugin
    where TSource : class
    where TTag : class
{
    public abstract IReadOnlyList<string> Drivers { get; }

    public abstract Section SourceKeys(string driver);

    public abstract Section TagKeys(string driver);

    /// <summary>Binds the source-level keys; null when invalid (reported on <paramref name="source"/>).</summary>
    protected abstract TSource? BindSource(string driver, ConfigMap source);

    /// <summary>Binds one tag's keys; null when invalid.</summary>
    protected abstract TTag? BindTag(string driver, ConfigMap tag, TSource? source);

    /// <summary>Checks over all tags of a source that bound without errors.</summary>
    protected virtual void Check(SourceConfig source, TSource options, IReadOnlyList<TTag> tags, ConfigMap map)
    {
    }

    protected abstract ISource Create(SourceConfig source, TSource options, ILoggerFactory loggers);

    /// <summary>The source's options, typed.</summary>
    protected static TSource OptionsOf(SourceConfig source) => (TSource)source.Options!;

    /// <summary>The options of every tag of the source, typed, in tag order.</summary>
    protected static TTag[] TagsOf(SourceConfig source) => source.Tags.Select(t => (TTag)t.Options!).ToArray();

    object? IDriverPlugin.BindSource(string driver, ConfigMap source) => BindSource(driver, source);

    object? IDriverPlugin.BindTag(string driver, ConfigMap tag, object? sourceOptions) => BindTag(driver, tag, sourceOptions as TSource);

    void IDriverPlugin.Check(SourceConfig source, ConfigMap map)
    {
        if (source.Options is TSource options && source.Tags.All(t => t.Options is TTag))
        {
            Check(source, options, TagsOf(source), map);
        }
    }

    ISource IDriverPlugin.Create(SourceConfig source, ILoggerFactory loggers) => Create(source, OptionsOf(source), loggers);
}
