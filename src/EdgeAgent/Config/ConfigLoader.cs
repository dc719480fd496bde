using System.Text;
using System.Text.RegularExpressions;
using EdgeAgent.Sources;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EdgeAgent.Config;

/// <summary>
/// Loads and validates one agent YAML file. Reports every error at once, each as <c>FILE:LINE:COL: message</c>.
/// Never throws for bad input other than <see cref="ConfigException"/>; binary garbage and empty files are errors too.
/// </summary>
public static partial class ConfigLoader
{
    public static readonly string[] Charts = ["imr", "xbar-r", "xbar-s", "ewma", "cusum", "p", "np", "c", "u"];

    public static readonly string[] RuleNames =
    [
        "we", "nelson", "we1", "we2", "we3", "we4",
        "nelson1", "nelson2", "nelson3", "nelson4", "nelson5", "nelson6", "nelson7", "nelson8",
    ];

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

    public static (AgentConfig? Config, ConfigErrors Errors) TryLoad(string path)
    {
        var errors = new ConfigErrors(path);
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add(1, 1, $"cannot read the file: {ex.Message}");
            return (null, errors);
        }

        return (Parse(text, path, errors), errors);
    }

    public static (AgentConfig? Config, ConfigErrors Errors) TryParse(string text, string path)
    {
        var errors = new ConfigErrors(path);
        return (Parse(text, path, errors), errors);
    }

    private static AgentConfig? Parse(string text, string path, ConfigErrors errors)
    {
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            var (line, col) = Position(text, nul);
            errors.Add(line, col, "the file is not text (it contains a NUL byte); expected a YAML configuration");
            return null;
        }

        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || ConfigMap.IsNull(stream.Documents[0].RootNode))
            {
                errors.Add(1, 1, "the file is empty; expected at least 'sources:' (see config/demo.yaml)");
                return null;
            }

            if (stream.Documents.Count > 1)
            {
                errors.Add(stream.Documents[1].RootNode.Start, "only one YAML document is allowed per file");
            }

            if (stream.Documents[0].RootNode is not YamlMappingNode map)
            {
                errors.Add(stream.Documents[0].RootNode.Start, $"expected a mapping with keys agent, sources, characteristics, equipment, outputs; found a {ConfigMap.KindOf(stream.Documents[0].RootNode)}");
                return null;
            }

            root = map;
        }
        catch (YamlException ex)
        {
            var message = CleanYamlMessage(ex);
            errors.Add(ex.Start, "YAML syntax: " + (message.StartsWith("Duplicate key", StringComparison.Ordinal)
                ? "duplicate key (a key may appear once in a mapping)"
                : message));
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // YamlDotNet surfaces some malformed input as other exception types without a position: find the
            // last event the parser accepted and report there.
            var at = LastGoodMark(text);
            errors.Add(at.Line, at.Column, $"YAML syntax: the document is not well formed after this point ({ex.GetType().Name}); check brackets, quotes and indentation");
            return null;
        }

        var top = new ConfigMap(root, string.Empty, errors);
        var configDir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var agent = BindAgent(top.Map("agent"), configDir);
        var (sources, tags) = BindSources(top);
        var tagIndex = new Dictionary<string, TagConfig>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            tagIndex.TryAdd(tag.FullName, tag);
        }

        var characteristics = BindCharacteristics(top, tagIndex);
        var equipment = BindEquipment(top, tagIndex);
        var outputs = OutputsBinder.Bind(top.Map("outputs"));
        top.ReportUnknownKeys();

        return new AgentConfig
        {
            FilePath = path,
            Agent = agent,
            Sources = sources,
            Tags = tags,
            Characteristics = characteristics,
            Equipment = equipment,
            Outputs = outputs,
        };
    }

    [GeneratedRegex(@"^[A-Za-z0-9_\-]+$")]
    private static partial Regex NamePattern();

    /// <summary>Names end up in MQTT topics and metric labels: letters, digits, '_' and '-'.</summary>
    internal static bool CheckName(ConfigMap map, string key, string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false; // already reported as missing
        }

        if (!NamePattern().IsMatch(name))
        {
            map.Error(key, $"'{name}' may contain only letters, digits, '_' and '-' (it is used in MQTT topics)");
            return false;
        }

        return true;
    }

    private static AgentOptions BindAgent(ConfigMap? map, string configDir)
    {
        var defaults = new AgentOptions();
        if (map is null)
        {
            return defaults with { Id = DefaultId(), Data = DefaultData(configDir) };
        }

        var id = map.String("id");
        if (id is not null && !NamePattern().IsMatch(id))
        {
            map.Error("id", $"'{id}' may contain only letters, digits, '_' and '-' (it is the MQTT client id and Sparkplug edge node id)");
        }

        var site = map.String("site");
        if (site is not null && (site.Length == 0 || site.Contains('#') || site.Contains('+') || site.StartsWith('/') || site.EndsWith('/')))
        {
            map.Error("site", $"'{site}' is not a valid topic prefix: no '#', '+', leading or trailing '/'");
        }

        var data = map.String("data");
        var queue = map.Int("queue", 1, 1_000_000);
        map.ReportUnknownKeys();
        return new AgentOptions
        {
            Id = id ?? DefaultId(),
            Site = site ?? defaults.Site,
            Data = data is null ? DefaultData(configDir) : Path.GetFullPath(Path.Combine(configDir, data)),
            QueueCapacity = queue ?? defaults.QueueCapacity,
        };
    }

    /// <summary><c>agent.data</c> default: $EDGEAGENT_DATA (the container sets /data), else <c>data/</c> beside the config file.</summary>
    private static string DefaultData(string configDir) =>
        Environment.GetEnvironmentVariable("EDGEAGENT_DATA") is { Length: > 0 } env ? Path.GetFullPath(env) : Path.Combine(configDir, "data");

    private static string DefaultId()
    {
        var host = Environment.MachineName;
        var clean = new string(host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
        return clean.Length == 0 ? "edgeagent" : clean;
    }

    private static (List<SourceConfig>, List<TagConfig>) BindSources(ConfigMap top)
    {
        var sources = new List<SourceConfig>();
        var allTags = new List<TagConfig>();
        var names = new Dictionary<string, Mark>(StringComparer.Ordinal);
        if (!top.Has("sources"))
        {
            top.ErrorHere("missing required key 'sources' (at least one source; try driver: simulator)");
        }

        foreach (var map in top.MapList("sources"))
        {
            var name = map.RequiredString("name");
            if (CheckName(map, "name", name) && !names.TryAdd(name, map.ValueMark("name")))
            {
                var first = names[name];
                map.Error("name", $"duplicate source name '{name}' (first defined at line {first.Line})");
            }

            var driver = map.String("driver", required: true);
            var factory = driver is null ? null : DriverRegistry.Find(driver);
            if (driver is not null && factory is null)
            {
                var hint = Suggest.Closest(driver, DriverRegistry.AllDrivers);
                map.Error("driver", $"unknown driver '{driver}'{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; expected one of: {string.Join(", ", DriverRegistry.AllDrivers)}");
            }

            var poll = map.Duration("poll", min: TimeSpan.FromMilliseconds(1), max: TimeSpan.FromDays(1)) ?? TimeSpan.FromSeconds(1);
            var before = map.Errors.Errors.Count;
            var options = factory?.BindSource(driver!, map);
            var tags = new List<TagConfig>();
            var tagNames = new Dictionary<string, Mark>(StringComparer.Ordinal);
            if (!map.Has("tags"))
            {
                map.ErrorHere("missing required key 'tags' (a source needs at least one tag)");
            }

            foreach (var tagMap in map.MapList("tags"))
            {
                var tagName = tagMap.RequiredString("name");
                if (CheckName(tagMap, "name", tagName) && !tagNames.TryAdd(tagName, tagMap.ValueMark("name")))
                {
                    tagMap.Error("name", $"duplicate tag name '{tagName}' in source '{name}' (first defined at line {tagNames[tagName].Line})");
                }

                var unit = tagMap.String("unit");
                var tagOptions = factory?.BindTag(driver!, tagMap, options);
                if (factory is null)
                {
                    // Unknown driver: its tag keys cannot be checked, so do not pile up unknown-key errors.
                    foreach (var key in tagMap.Keys)
                    {
                        tagMap.Allow(key);
                    }
                }

                tagMap.ReportUnknownKeys();
                var tag = new TagConfig
                {
                    Id = allTags.Count,
                    Source = name,
                    Name = tagName,
                    Unit = unit,
                    Options = tagOptions,
                    At = tagMap.Start,
                };
                tags.Add(tag);
                allTags.Add(tag);
            }

            if (factory is null)
            {
                foreach (var key in map.Keys)
                {
                    map.Allow(key);
                }
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
            };
            if (factory is not null && map.Errors.Errors.Count == before)
            {
                factory.Check(source, map);
            }

            sources.Add(source);
        }

        return (sources, allTags);
    }

    private static List<CharacteristicConfig> BindCharacteristics(ConfigMap top, Dictionary<string, TagConfig> tags)
    {
        var result = new List<CharacteristicConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var map in top.MapList("characteristics"))
        {
            var name = map.RequiredString("name");
            if (name.Length > 0 && !names.Add(name))
            {
                map.Error("name", $"duplicate characteristic '{name}'");
            }

            var tagName = map.String("tag") ?? name;
            var tagKey = map.Has("tag") ? "tag" : "name";
            TagConfig? tag = null;
            if (tagName.Length > 0 && !tags.TryGetValue(tagName, out tag))
            {
                var hint = Suggest.Closest(tagName, tags.Keys);
                map.Error(tagKey, $"no tag '{tagName}' (tags are named source.tag){(hint is null ? string.Empty : $"; did you mean '{hint}'?")}");
            }

            var chart = map.Choice("chart", Charts) ?? "imr";
            var subgroup = map.Int("subgroup", 1, 25) ?? (chart is "xbar-r" or "xbar-s" ? 5 : 1);
            if (chart is "xbar-r" or "xbar-s" && subgroup < 2)
            {
                map.Error("subgroup", $"chart {chart} needs a subgroup of 2 to 25, found {subgroup}");
            }

            double? lsl = null, usl = null, target = null;
            if (map.Map("spec") is { } spec)
            {
                lsl = spec.Double("lsl");
                usl = spec.Double("usl");
                target = spec.Double("target");
                if (lsl is { } lo && usl is { } hi && lo >= hi)
                {
                    spec.Error("usl", $"usl ({hi}) must be greater than lsl ({lo})");
                }

                spec.ReportUnknownKeys();
            }

            int? baseline = null;
            double? ucl = null, cl = null, lcl = null;
            if (map.Map("limits") is { } limits)
            {
                baseline = limits.Int("baseline", 2, 100_000);
                ucl = limits.Double("ucl");
                cl = limits.Double("cl");
                lcl = limits.Double("lcl");
                var fixedCount = (ucl is null ? 0 : 1) + (cl is null ? 0 : 1) + (lcl is null ? 0 : 1);
                if (baseline is not null && fixedCount > 0)
                {
                    limits.ErrorHere("give either baseline or ucl/cl/lcl, not both");
                }
                else if (fixedCount is 1 or 2)
                {
                    limits.ErrorHere("fixed limits need all three of ucl, cl and lcl");
                }
                else if (fixedCount == 3 && !(lcl < cl && cl < ucl))
                {
                    limits.ErrorHere($"fixed limits must satisfy lcl < cl < ucl, found lcl={lcl} cl={cl} ucl={ucl}");
                }

                limits.ReportUnknownKeys();
            }

            var rules = new List<string>();
            foreach (var (rule, at) in map.StringList("rules"))
            {
                if (RuleNames.Contains(rule))
                {
                    rules.Add(rule);
                }
                else
                {
                    var hint = Suggest.Closest(rule, RuleNames);
                    map.Errors.Add(at, $"{map.Child("rules")}: unknown rule '{rule}'{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; expected we, nelson, we1..we4 or nelson1..nelson8");
                }
            }

            var lambda = map.Double("lambda", 0.01, 1.0);
            var l = map.Double("L", 0.1, 10);
            var k = map.Double("k", 0, 10);
            var h = map.Double("h", 0.1, 100);
            var resolver = Expressions.DictionaryTagResolver.From(tags.Values);
            var trigger = map.String("trigger");
            var triggerId = Alarms.AlarmBinder.BindTag(map, "trigger", resolver);
            var window = 125;
            if (map.Map("capability") is { } capability)
            {
                window = capability.Int("window", 2, 100_000) ?? window;
                capability.ReportUnknownKeys();
            }

            var priority = map.Choice("priority", Alarms.AlarmPriorities.All) ?? "medium";
            var specPriority = map.Choice("spec_priority", Alarms.AlarmPriorities.All) ?? "high";
            var deadband = map.Double("deadband", 0) ?? 0;
            var context = Alarms.AlarmBinder.BindContext(map, resolver);
            map.ReportUnknownKeys();
            var defaults = new CharacteristicConfig { Name = name, Tag = tagName };
            result.Add(defaults with
            {
                TagId = tag?.Id ?? -1,
                Chart = chart,
                Subgroup = subgroup,
                Lsl = lsl,
                Usl = usl,
                Target = target,
                Baseline = baseline,
                Ucl = ucl,
                Cl = cl,
                Lcl = lcl,
                Lambda = lambda ?? defaults.Lambda,
                L = l ?? defaults.L,
                K = k ?? defaults.K,
                H = h ?? defaults.H,
                Rules = rules.Count > 0 ? rules : defaults.Rules,
                Trigger = trigger,
                TriggerTagId = triggerId,
                CapabilityWindow = window,
                Priority = priority,
                SpecPriority = specPriority,
                Deadband = deadband,
                Context = context,
                At = map.Start,
            });
        }

        return result;
    }

    private static List<EquipmentConfig> BindEquipment(ConfigMap top, Dictionary<string, TagConfig> tags)
    {
        var result = new List<EquipmentConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var resolver = Expressions.DictionaryTagResolver.From(tags.Values);
        foreach (var map in top.MapList("equipment"))
        {
            var name = map.RequiredString("name");
            if (CheckName(map, "name", name) && !names.Add(name))
            {
                map.Error("name", $"duplicate equipment '{name}'");
            }

            var running = map.String("running");
            var fault = map.String("fault");
            var idle = map.String("idle");
            var setup = map.String("setup");
            if (running is null && fault is null && idle is null && setup is null)
            {
                map.ErrorHere("give at least one of running, fault, idle, setup (an expression over tags)");
            }

            var runningWhen = Expressions.ExpressionBinder.Bind(map, "running", resolver);
            var faultWhen = Expressions.ExpressionBinder.Bind(map, "fault", resolver);
            var idleWhen = Expressions.ExpressionBinder.Bind(map, "idle", resolver);
            var setupWhen = Expressions.ExpressionBinder.Bind(map, "setup", resolver);
            int totalId = -1, goodId = -1;
            if (map.Map("parts") is { } parts)
            {
                totalId = Alarms.AlarmBinder.BindTag(parts, "total", resolver);
                goodId = Alarms.AlarmBinder.BindTag(parts, "good", resolver);
                parts.ReportUnknownKeys();
            }

            var report = map.Duration("report", TimeSpan.Zero, TimeSpan.FromDays(1)) ?? TimeSpan.FromSeconds(60);
            var context = Alarms.AlarmBinder.BindContext(map, resolver);
            var alarms = Alarms.AlarmBinder.BindList(map, name, resolver, context);
            map.ReportUnknownKeys();
            var byId = tags.Values.ToDictionary(t => t.Id);
            var sources = new List<string>();
            foreach (var expression in new[] { runningWhen, faultWhen, idleWhen, setupWhen })
            {
                foreach (var id in expression?.TagIds ?? [])
                {
                    if (byId.TryGetValue(id, out var tag) && !sources.Contains(tag.Source))
                    {
                        sources.Add(tag.Source);
                    }
                }
            }

            result.Add(new EquipmentConfig
            {
                Name = name,
                Running = running,
                Fault = fault,
                Idle = idle,
                Setup = setup,
                RunningWhen = runningWhen,
                FaultWhen = faultWhen,
                IdleWhen = idleWhen,
                SetupWhen = setupWhen,
                Sources = sources,
                PartsTotalTagId = totalId,
                PartsGoodTagId = goodId,
                Report = report,
                Alarms = alarms,
                Context = context,
                At = map.Start,
            });
        }

        return result;
    }

    private static (int Line, int Column) LastGoodMark(string text)
    {
        var parser = new Parser(new StringReader(text));
        (int, int) last = (1, 1);
        try
        {
            while (parser.MoveNext())
            {
                if (parser.Current is { } e)
                {
                    last = ((int)e.Start.Line, (int)e.Start.Column);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (ex is YamlException y)
            {
                return ((int)y.Start.Line, (int)y.Start.Column);
            }
        }

        return last;
    }

    private static (int Line, int Column) Position(string text, int index)
    {
        int line = 1, col = 1;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                col = 1;
            }
            else
            {
                col++;
            }
        }

        return (line, col);
    }

    /// <summary>YamlDotNet prefixes messages with "(Line: …, Col: …, Idx: …) - (…): "; the position is ours to print.</summary>
    private static string CleanYamlMessage(YamlException ex)
    {
        var message = ex.Message;
        var dash = message.IndexOf("): ", StringComparison.Ordinal);
        return dash >= 0 && message.StartsWith('(') ? message[(dash + 3)..] : message;
    }
}
