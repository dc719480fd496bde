using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Hosting;
using EdgeAgent.Config;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EdgeAgent.Tests.Config;

/// <summary>config/edgeagent.schema.json (what editors check) and the loader (what the agent checks) agree.</summary>
public class SchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(Repo.PathOf("config", "edgeagent.schema.json")));

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Repo.Examples())
        {
            data.Add(file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_config_is_valid_for_the_loader_and_the_schema(string relative)
    {
        var path = Repo.PathOf(relative);
        var (_, errors) = ConfigLoader.TryLoad(path, _ => null); // as written: no variable of this process set
        // An example may name files and secrets of the plant it was written for (mqtt-tls.yaml: pki/*.pem,
        // ${MQTT_PASSWORD}); those are the machine's, not the file's mistakes. Anything else must be valid.
        var mistakes = errors.Sorted().Where(e => !e.Message.Contains(": file not found: ", StringComparison.Ordinal)
            && !(e.Message.Contains("environment variable", StringComparison.Ordinal) && e.Message.EndsWith("is not set", StringComparison.Ordinal)));
        Assert.Empty(mistakes);
        var result = Evaluate(File.ReadAllText(path));
        Assert.True(result.IsValid, Describe(result));
    }

    /// <summary>Invalid configs whose mistakes a schema can see: both must reject them.</summary>
    [Theory]
    [InlineData("unknown-key-did-you-mean")]
    [InlineData("bad-durations")]
    [InlineData("wrong-types")]
    [InlineData("bad-chart-and-rules")]
    [InlineData("bad-names")]
    [InlineData("bad-outputs")]
    [InlineData("source-without-tags")]
    [InlineData("missing-sources")]
    [InlineData("not-a-mapping")]
    public void Invalid_configs_are_rejected_by_the_schema_too(string name)
    {
        var text = File.ReadAllText(Path.Combine(Repo.ConfigCase(name), "config.yaml"));
        var (_, errors) = ConfigLoader.TryParse(text, "config.yaml");
        Assert.True(errors.HasErrors);
        Assert.False(Evaluate(text).IsValid, $"the schema accepted case {name}, which the loader rejects");
    }

    [Fact]
    public void The_committed_schema_is_byte_for_byte_what_edgeagent_schema_generates()
    {
        var committed = File.ReadAllText(Repo.PathOf("config", ConfigSchema.FileName));
        var generated = ConfigSchema.Generate();
        Assert.True(committed == generated,
            $"config/{ConfigSchema.FileName} is not the output of `edgeagent schema`: regenerate it with "
            + $"`dotnet run --project src/EdgeAgent -- schema --output config/{ConfigSchema.FileName}` (first difference at character {FirstDifference(committed, generated)})");
    }

    [Fact]
    public void Every_driver_and_component_declares_its_keys_for_the_schema()
    {
        var schema = ConfigSchema.Build().ToJsonString();
        foreach (var driver in Plugins.DriverNames)
        {
            Assert.Contains($"\"const\":\"{driver}\"", schema, StringComparison.Ordinal);
        }

        foreach (var plugin in Plugins.Components.Where(p => p.Section is not null))
        {
            Assert.NotNull(plugin.Key);
        }
    }

    public static TheoryData<string> Plugins_with_keys()
    {
        var data = new TheoryData<string>();
        foreach (var driver in Plugins.BuiltInDrivers.SelectMany(d => d.Drivers))
        {
            data.Add("driver " + driver);
        }

        foreach (var plugin in Plugins.Components.Where(p => p.Key is not null))
        {
            data.Add("section " + plugin.Section);
        }

        return data;
    }

    /// <summary>
    /// Each component's README (the nearest README.md up from its plug-in's folder) names every key its plug-in declares:
    /// the declaration is the reference, the README explains it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Plugins_with_keys))]
    public void Every_declared_key_is_named_in_its_components_readme(string which)
    {
        var (kind, name) = (which.Split(' ')[0], which.Split(' ')[1]);
        IEnumerable<string> keys;
        Type type;
        if (kind == "driver")
        {
            var driver = Plugins.FindDriver(name)!;
            type = driver.GetType();
            keys = AllKeys(driver.SourceKeys(name)).Concat(AllKeys(driver.TagKeys(name)));
        }
        else
        {
            var plugin = Plugins.Components.Single(p => p.Section == name);
            type = plugin.GetType();
            keys = plugin.Key switch
            {
                MapKey map => AllKeys(map.Section),
                MapListKey list => AllKeys(list.Item),
                NodeKey node => node.Sections.SelectMany(AllKeys),
                _ => [],
            };
        }

        var readme = ReadmeOf(type);
        var text = File.ReadAllText(readme);
        var missing = keys.Distinct()
            .Where(k => !System.Text.RegularExpressions.Regex.IsMatch(text, $@"`([\w.]+\.)?{System.Text.RegularExpressions.Regex.Escape(k)}`|\b{System.Text.RegularExpressions.Regex.Escape(k)}:"))
            .ToList();
        Assert.True(missing.Count == 0, $"{Path.GetRelativePath(Repo.Root, readme)} does not name: {string.Join(", ", missing)}");
    }

    /// <summary>The README.md nearest up from the folder of <paramref name="type"/>'s namespace (namespaces are folders).</summary>
    private static string ReadmeOf(Type type)
    {
        var ns = type.Namespace!;
        var dir = ns.StartsWith("EdgeAgent.Drivers.", StringComparison.Ordinal)
            ? Repo.PathOf(["src", "Drivers", .. ns["EdgeAgent.Drivers.".Length..].Split('.')])
            : Repo.PathOf(["src", "EdgeAgent", .. ns["EdgeAgent.".Length..].Split('.')]);
        for (var d = new DirectoryInfo(dir); d is not null; d = d.Parent)
        {
            var readme = Path.Combine(d.FullName, "README.md");
            if (File.Exists(readme))
            {
                return readme;
            }
        }

        throw new FileNotFoundException($"no README.md above {dir}");
    }

    private static IEnumerable<string> AllKeys(Section section) =>
        section.Keys.SelectMany(k => k switch
        {
            MapKey map => AllKeys(map.Section).Prepend(k.Name),
            MapListKey list => AllKeys(list.Item).Prepend(k.Name),
            NodeKey node => node.Sections.SelectMany(AllKeys).Prepend(k.Name),
            _ => [k.Name],
        });

    private static int FirstDifference(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }

        return n;
    }

    [Fact]
    public void The_schema_rejects_an_unknown_top_level_key_like_the_loader()
    {
        const string text = "sources:\n  - { name: s, driver: simulator, tags: [ { name: a } ] }\nsourcez: []\n";
        Assert.True(ConfigLoader.TryParse(text, "x.yaml").Errors.HasErrors);
        Assert.False(Evaluate(text).IsValid);
    }

    private static EvaluationResults Evaluate(string yaml) =>
        Schema.Evaluate(ToJson(yaml), new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static string Describe(EvaluationResults result) =>
        string.Join("\n", (result.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));

    /// <summary>YAML → JSON the way YAML 1.2 core schema reads plain scalars (quoted scalars stay strings).</summary>
    internal static JsonNode? ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    obj[((YamlScalarNode)k).Value!] = Convert(v);
                }

                return obj;
            case YamlSequenceNode seq:
                var arr = new JsonArray();
                foreach (var item in seq.Children)
                {
                    arr.Add(Convert(item));
                }

                return arr;
            case YamlScalarNode { Style: ScalarStyle.Plain } s:
                var t = s.Value ?? string.Empty;
                if (t is "" or "~" or "null")
                {
                    return null;
                }

                if (t is "true" or "false")
                {
                    return JsonValue.Create(t == "true");
                }

                if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                {
                    return JsonValue.Create(l);
                }

                if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    return JsonValue.Create(d);
                }

                return JsonValue.Create(t);
            case YamlScalarNode s:
                return JsonValue.Create(s.Value);
            default:
                throw new JsonException("unexpected YAML node " + node.NodeType);
        }
    }
}
