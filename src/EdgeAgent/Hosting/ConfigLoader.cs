using EdgeAgent.Config;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Hosting;

/// <summary>
/// Loads and validates one agent YAML file. The host reads the top level itself — <c>agent</c>, <c>sources</c> (each
/// handed to its driver's plug-in) and <c>outputs</c> — and hands every other section to the component plug-in
/// registered for it (<see cref="Plugins"/>). Reports every error at once, each as <c>FILE:LINE:COL: message</c>.
/// Never throws for bad input other than <see cref="ConfigException"/>; binary garbage and empty files are errors too.
/// </summary>
public static class ConfigLoader
{
    // ---- agent: ------------------------------------------------------------------------------------------------
    public static readonly Section AgentKeys = new("Who this gateway is and where it keeps its files.");
    public static readonly NameKey Id = AgentKeys.Add(new NameKey("id", "Edge node id: MQTT client id and Sparkplug edge node id. Default: the host name.")
    {
        UsedIn = "it is the MQTT client id and Sparkplug edge node id",
    });
    public static readonly StringKey Site = AgentKeys.String("site", "ISA-95 path used as the MQTT topic prefix, e.g. acme/plant-a/area-2/line-1. Default: site.", pattern: "^[^/#+][^#+]*[^/#+]$|^[^/#+]$");
    public static readonly StringKey Data = AgentKeys.String("data", "Folder for everything the agent writes (pki/, outbox, state), relative to the config file. Default: $EDGEAGENT_DATA, else data/ beside the config file.");
    public static readonly IntKey Queue = AgentKeys.Int("queue", "Capacity in batches of the queue from sources to the pipeline; when full the newest batch is dropped and counted (edgeagent_dropped_total{queue=\"samples\"}). Default 1024.", 1, 1_000_000);

    // ---- sources: ----------------------------------------------------------------------------------------------
    /// <summary>The keys every source has; each driver's plug-in declares the rest (<see cref="IDriverPlugin.SourceKeys"/>).</summary>
    public static readonly Section SourceKeys = new() { Closed = false };
    public static readonly NameKey SourceName = SourceKeys.Name("name", null, required: true);
    public static readonly StringKey Driver = SourceKeys.String("driver", "The driver of this source.", required: true);
    public static readonly DurationKey Poll = SourceKeys.Duration("poll", "Poll interval (default 1s).", TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1));

    /// <summary>The keys every tag has; each driver's plug-in declares the rest (<see cref="IDriverPlugin.TagKeys"/>).</summary>
    public static readonly Section TagKeys = new() { Closed = false, DefName = "tagBase" };
    public static readonly NameKey TagName = TagKeys.Name("name", null, required: true);
    public static readonly StringKey Unit = TagKeys.String("unit", "Engineering unit, for people and dashboards (mm, degC, bar).");
    public static readonly BoolKey Writable = TagKeys.Bool("writable", "Alarm actions, cmd/write and edgeagent write may write this tag (default false: nothing writes it). The driver must be able to write it.");
    public static readonly MapListKey Tags = SourceKeys.MapList("tags", null, TagKeys, required: true);

    /// <summary>Loads <paramref name="path"/>; throws <see cref="ConfigException"/> with all errors.</summary>
    public static AgentConfig Load(string path)
    {
        var (config, errors) = TryLoad(path);
        if (config is null || errors.HasErrors)
        {
            throw new ConfigException(errors.Sorted().ToList());
        }

        return config;
    }

    /// <summary>
    /// Loads <paramref name="path"/>, reporting every error. <paramref name="environmentVariable"/> resolves
    /// <c>${NAME}</c> and <c>$EDGEAGENT_DATA</c> (default: the process environment; tests pass their own).
    /// </summary>
    public static (AgentConfig? Config, ConfigErrors Errors) TryLoad(string path, Func<string, string?>? environmentVariable = null)
    {
        var errors = new ConfigErrors(path);
        var top = ConfigDocument.Load(path, errors, ExpectedKeys, environmentVariable);
        return (top is null ? null : Bind(top, path), errors);
    }

    /// <inheritdoc cref="TryLoad"/>
    public static (AgentConfig? Config, ConfigErrors Errors) TryParse(string text, string path, Func<string, string?>? environmentVariable = null)
    {
        var errors = new ConfigErrors(path);
        var top = ConfigDocument.Parse(text, errors, ExpectedKeys, environmentVariable);
        return (top is null ? null : Bind(top, path), errors);
    }

    private static string ExpectedKeys =>
        string.Join(", ", new[] { "agent", "sources" }.Concat(TopLevelPlugins.Select(p => p.Section!)).Append("outputs"));

    /// <summary>Plug-ins of a top-level section (<c>characteristics</c>, <c>equipment</c>).</summary>
    internal static IEnumerable<IComponentPlugin> TopLevelPlugins => Plugins.Components.Where(p => p.Section is { } s && !s.Contains('.'));

    /// <summary>Plug-ins of an output (<c>outputs.mqtt</c>, …).</summary>
    internal static IEnumerable<IComponentPlugin> OutputPlugins => Plugins.Components.Where(p => p.Section is { } s && s.StartsWith("outputs.", StringComparison.Ordinal));

    private static AgentConfig Bind(ConfigMap top, string path)
    {
        var agent = BindAgent(top.Map("agent"), top.ConfigFolder, top.EnvironmentVariable);
        var (sources, tags) = BindSources(top, agent.Data);
        var binding = new BindingContext(agent, tags, sources, top.Errors) { ValueCheck = (tag, value) => CheckValue(sources, tag, value), TagCheck = tag => CheckTag(sources, tag) };
        var sections = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var plugin in TopLevelPlugins)
        {
            sections[plugin.Section!] = plugin.Bind(top, binding);
        }

        var outputs = top.Map("outputs");
        foreach (var plugin in OutputPlugins)
        {
            sections[plugin.Section!] = plugin.Bind(outputs, binding);
        }

        outputs?.ReportUnknownKeys();
        top.ReportUnknownKeys();
        return new AgentConfig
        {
            FilePath = path,
            Agent = agent,
            Sources = sources,
            Tags = tags,
            Sections = sections,
        };
    }

    /// <summary>Why <paramref name="value"/> does not fit writable tag <paramref name="tag"/>, as its driver says.</summary>
    internal static string? CheckValue(IReadOnlyList<SourceConfig> sources, TagConfig tag, double value)
    {
        var source = sources.FirstOrDefault(s => s.Name == tag.Source);
        return source is null || tag.Options is null
            ? null // the tag itself did not bind: that error is reported where it is
            : Plugins.FindDriver(source.Driver) is IWriteCapability writer
                ? writer.WriteProblem(source.Driver, tag.Options) ?? writer.ValueProblem(source.Driver, tag.Options, value)
                : $"driver '{source.Driver}' cannot write tags";
    }

    /// <summary>Why writable tag <paramref name="tag"/> cannot be written at all, as its driver says (null: it can).</summary>
    internal static string? CheckTag(IReadOnlyList<SourceConfig> sources, TagConfig tag)
    {
        var source = sources.FirstOrDefault(s => s.Name == tag.Source);
        return source is null
            ? null
            : Plugins.FindDriver(source.Driver) is IWriteCapability writer
                ? (tag.Options is null ? null : writer.WriteProblem(source.Driver, tag.Options))
                : $"driver '{source.Driver}' cannot write tags";
    }

    private static AgentIdentity BindAgent(ConfigMap? map, string configDir, Func<string, string?> environmentVariable)
    {
        var defaults = new AgentIdentity();
        if (map is null)
        {
            return defaults with { Id = DefaultId(), Data = DefaultData(configDir, environmentVariable) };
        }

        var id = Id.Read(map);
        var site = Site.Read(map);
        if (site is not null && (site.Length == 0 || site.Contains('#') || site.Contains('+') || site.StartsWith('/') || site.EndsWith('/')))
        {
            map.Error(Site.Name, $"'{site}' is not a valid topic prefix: no '#', '+', leading or trailing '/'");
        }

        var data = Data.Read(map);
        var queue = Queue.Read(map);
        map.ReportUnknownKeys();
        return new AgentIdentity
        {
            Id = id ?? DefaultId(),
            Site = site ?? defaults.Site,
            Data = data is null ? DefaultData(configDir, environmentVariable) : Path.GetFullPath(Path.Combine(configDir, data)),
            QueueCapacity = queue ?? defaults.QueueCapacity,
        };
    }

    /// <summary><c>agent.data</c> default: $EDGEAGENT_DATA (the container sets /data), else <c>data/</c> beside the config file.</summary>
    private static string DefaultData(string configDir, Func<string, string?> environmentVariable) =>
        environmentVariable("EDGEAGENT_DATA") is { Length: > 0 } env ? Path.GetFullPath(env) : Path.Combine(configDir, "data");

    private static string DefaultId()
    {
        var host = Environment.MachineName;
        var clean = new string(host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
        return clean.Length == 0 ? "edgeagent" : clean;
    }

    private static (List<SourceConfig>, List<TagConfig>) BindSources(ConfigMap top, string dataFolder)
    {
        var sources = new List<SourceConfig>();
        var allTags = new List<TagConfig>();
        var names = new Dictionary<string, YamlDotNet.Core.Mark>(StringComparer.Ordinal);
        var referencingSources = new List<(ITagReferencingDriver Plugin, SourceConfig Source, ConfigMap Map)>();
        if (!top.Has("sources"))
        {
            top.ErrorHere("missing required key 'sources' (at least one source; try driver: simulator)");
        }

        foreach (var map in top.MapList("sources"))
        {
            var (name, valid) = SourceName.ReadChecked(map);
            if (valid && !names.TryAdd(name, map.ValueMark(SourceName.Name)))
            {
                var first = names[name];
                map.Error(SourceName.Name, $"duplicate source name '{name}' (first defined at line {first.Line})");
            }

            var driver = Driver.Read(map);
            var plugin = driver is null ? null : Plugins.FindDriver(driver);
            if (driver is not null && plugin is null)
            {
                var hint = Suggest.Closest(driver, Plugins.DriverNames);
                map.Error(Driver.Name, $"unknown driver '{driver}'{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; expected one of: {string.Join(", ", Plugins.DriverNames)}");
            }

            var poll = Poll.Read(map) ?? TimeSpan.FromSeconds(1);
            var before = map.Errors.Errors.Count;
            var options = plugin?.BindSource(driver!, map);
            var tags = new List<TagConfig>();
            var tagNames = new Dictionary<string, YamlDotNet.Core.Mark>(StringComparer.Ordinal);
            if (!map.Has(Tags.Name))
            {
                map.ErrorHere("missing required key 'tags' (a source needs at least one tag)");
            }

            // Missing tags are reported above with the reason; the list itself is read as optional.
            foreach (var tagMap in map.MapList(Tags.Name))
            {
                var (tagName, tagValid) = TagName.ReadChecked(tagMap);
                if (tagValid && !tagNames.TryAdd(tagName, tagMap.ValueMark(TagName.Name)))
                {
                    tagMap.Error(TagName.Name, $"duplicate tag name '{tagName}' in source '{name}' (first defined at line {tagNames[tagName].Line})");
                }

                var unit = Unit.Read(tagMap);
                var writable = Writable.Read(tagMap) ?? false;
                var tagOptions = plugin?.BindTag(driver!, tagMap, options);
                if (writable && plugin is not null)
                {
                    if (plugin is not IWriteCapability writer)
                    {
                        tagMap.Error(Writable.Name, $"driver '{driver}' cannot write tags");
                    }
                    else if (tagOptions is not null && writer.WriteProblem(driver!, tagOptions) is { } problem)
                    {
                        tagMap.Error(Writable.Name, problem);
                    }
                }

                if (plugin is null)
                {
                    // Unknown driver: its tag keys cannot be checked, so do not pile up unknown-key errors.
                    tagMap.Allow(tagMap.Keys.ToArray());
                }

                tagMap.ReportUnknownKeys();
                var tag = new TagConfig
                {
                    Id = allTags.Count,
                    Source = name,
                    Name = tagName,
                    Unit = unit,
                    Options = tagOptions,
                    Writable = writable,
                    At = tagMap.Start,
                };
                tags.Add(tag);
                allTags.Add(tag);
            }

            if (plugin is null)
            {
                map.Allow(map.Keys.ToArray());
            }

            map.ReportUnknownKeys();
            var source = new SourceConfig
            {
                Name = name,
                Driver = driver ?? string.Empty,
                Poll = poll,
                Options = options,
                Tags = tags,
                At = map.Start,
                DataFolder = dataFolder,
            };
            if (plugin is not null && map.Errors.Errors.Count == before)
            {
                plugin.Check(source, map);
                if (plugin is ITagReferencingDriver referencing)
                {
                    referencingSources.Add((referencing, source, map));
                }
            }

            sources.Add(source);
        }

        var resolver = DictionaryTagResolver.From(allTags);
        foreach (var (plugin, source, map) in referencingSources)
        {
            plugin.CheckReferences(source, map, resolver);
        }

        return (sources, allTags);
    }
}
