using CsCheck;
using EdgeAgent.Hosting;
using EdgeAgent.Config;

namespace EdgeAgent.Tests.Config;

/// <summary>
/// Each case folder (tests/EdgeAgent.Tests/Config/cases/ for the general ones, a component's own cases/ in src/ for
/// its keys) holds a config.yaml and the exact errors `validate` must print (expected.err, in file order,
/// FILE:LINE:COL: message). A line ending in "..." matches as a prefix (lists that grow as drivers are added).
/// </summary>
public class ConfigCaseTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Repo.ConfigCases())
        {
            data.Add(dir);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_every_error_with_line_and_column(string name)
    {
        var dir = Repo.PathOf(name);
        var text = File.ReadAllText(Path.Combine(dir, "config.yaml"));
        var (_, errors) = ConfigLoader.TryParse(text, "config.yaml");
        var actual = errors.Sorted().Select(e => e.ToString()).ToList();
        var expected = File.ReadAllLines(Path.Combine(dir, "expected.err")).Where(l => l.Length > 0).ToList();

        Assert.True(expected.Count > 0, "a case must expect at least one error");
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            if (expected[i].EndsWith("...", StringComparison.Ordinal))
            {
                Assert.StartsWith(expected[i][..^3], actual[i]);
            }
            else
            {
                Assert.Equal(expected[i], actual[i]);
            }
        }
    }

    [Fact]
    public void There_are_at_least_fifteen_distinct_bad_configs()
    {
        var cases = Repo.ConfigCases().Select(c => (
            Name: Path.GetFileName(c),
            Config: File.ReadAllText(Repo.PathOf(c, "config.yaml")).ReplaceLineEndings("\n").Trim(),
            Expected: File.ReadAllText(Repo.PathOf(c, "expected.err")).ReplaceLineEndings("\n").Trim())).ToList();

        Assert.True(cases.Count >= 15, $"{cases.Count} config cases; at least 15 expected");
        Assert.All(cases, c => Assert.False(c.Expected.Length == 0, $"{c.Name}: expects no error, so it is not a bad config"));
        AssertDistinct(cases.Select(c => (c.Name, c.Name)), "name");
        AssertDistinct(cases.Select(c => (c.Name, c.Config)), "config.yaml");
        AssertDistinct(cases.Select(c => (c.Name, c.Expected)), "expected.err");

        static void AssertDistinct(IEnumerable<(string Name, string Text)> items, string what)
        {
            var same = items.GroupBy(i => i.Text).Where(g => g.Count() > 1).Select(g => string.Join(" = ", g.Select(i => i.Name))).ToList();
            Assert.True(same.Count == 0, $"cases with the same {what}: {string.Join("; ", same)}");
        }
    }

    [Theory]
    [InlineData("100ms", 100)]
    [InlineData("2s", 2000)]
    [InlineData("1.5s", 1500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("500us", 0.5)]
    public void Parses_durations_with_units(string text, double ms)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(ms, value.TotalMilliseconds, 6);
    }

    [Theory]
    [InlineData("100")]
    [InlineData("ms")]
    [InlineData("-5s")]
    [InlineData("5 minutes")]
    [InlineData("1e3ms")]
    public void Rejects_durations_without_a_known_unit(string text) => Assert.False(Durations.TryParse(text, out _));

    [Fact]
    public void Substitutes_environment_variables_and_defaults()
    {
        var environment = new Dictionary<string, string> { ["EDGEAGENT_TEST_SITE"] = "acme/plant-x" };
        var (config, errors) = ConfigLoader.TryParse(
            "agent: { site: '${EDGEAGENT_TEST_SITE}', id: '${EDGEAGENT_TEST_NOT_SET:-gw-default}' }\nsources:\n  - { name: s, driver: simulator, tags: [ { name: a } ] }\n",
            "env.yaml", environment.GetValueOrDefault);
        Assert.False(errors.HasErrors, string.Join("\n", errors.Errors));
        Assert.Equal("acme/plant-x", config!.Agent.Site);
        Assert.Equal("gw-default", config.Agent.Id);
    }

    [Fact]
    public void Data_folder_defaults_to_data_beside_the_config_file()
    {
        var dir = Directory.CreateTempSubdirectory("edgeagent-cfg");
        var path = Path.Combine(dir.FullName, "a.yaml");
        File.WriteAllText(path, "sources:\n  - { name: s, driver: simulator, tags: [ { name: a } ] }\n");
        var (config, errors) = ConfigLoader.TryLoad(path, _ => null); // EDGEAGENT_DATA not set, whatever this process has
        Assert.False(errors.HasErrors, string.Join("\n", errors.Errors));
        Assert.Equal(Path.Combine(dir.FullName, "data"), config!.Agent.Data);
        (config, _) = ConfigLoader.TryLoad(path, name => name == "EDGEAGENT_DATA" ? "/srv/edge" : null);
        Assert.Equal("/srv/edge", config!.Agent.Data);
        dir.Delete(recursive: true);
    }

    [Fact]
    public void Tag_ids_are_dense_in_file_order()
    {
        var (config, errors) = ConfigLoader.TryParse(
            "sources:\n  - { name: a, driver: simulator, tags: [ { name: x }, { name: y } ] }\n  - { name: b, driver: simulator, tags: [ { name: x } ] }\n",
            "ids.yaml");
        Assert.False(errors.HasErrors);
        Assert.Equal(["a.x", "a.y", "b.x"], config!.Tags.Select(t => t.FullName));
        Assert.Equal([0, 1, 2], config.Tags.Select(t => t.Id));
    }

    /// <summary>Arbitrary text, and the demo config with random bytes changed, never crash the loader: errors or a config.</summary>
    [Fact]
    public void Arbitrary_text_never_crashes_the_loader()
    {
        Gen.String.SampleWithDeadline(text => Loads_or_reports(text), iter: 2000);
    }

    [Fact]
    public void Mutated_valid_configs_never_crash_the_loader()
    {
        var demo = File.ReadAllText(Repo.PathOf("config", "demo.yaml"));
        Gen.Select(Gen.Int[0, demo.Length - 1], Gen.Char, Gen.Int[0, 3])
            .Array[1, 8]
            .SampleWithDeadline(edits =>
            {
                var chars = demo.ToCharArray();
                foreach (var (at, c, kind) in edits)
                {
                    chars[at] = kind switch { 0 => c, 1 => ' ', 2 => ':', _ => '\n' };
                }

                Loads_or_reports(new string(chars));
            }, iter: 1000);
    }

    private static void Loads_or_reports(string text)
    {
        var (config, errors) = ConfigLoader.TryParse(text, "fuzz.yaml");
        Assert.True(config is not null || errors.HasErrors, "a failed load must say why");
        foreach (var e in errors.Errors)
        {
            Assert.True(e.Line >= 1 && e.Column >= 1);
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
    }
}
