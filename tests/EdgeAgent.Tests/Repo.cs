namespace EdgeAgent.Tests;

/// <summary>Locates files of the repository (config/, test cases) from the test binaries.</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>
    /// The agent as it ships: <c>artifacts/publish/edgeagent</c>, the output of the same <c>dotnet publish</c> the
    /// Dockerfile runs (test.sh publishes it after the build). Every test that runs the agent as a process runs this.
    /// A missing or stale publish output (its assemblies differ from the build the tests reference) fails with how to
    /// make it, so a test never runs yesterday's agent.
    /// </summary>
    public static string PublishedAgent => Published.Value;

    private static readonly Lazy<string> Published = new(FindPublished);

    private static string FindPublished()
    {
        var folder = PathOf("artifacts", "publish");
        var exe = Path.Combine(folder, "edgeagent");
        const string how = "run ./test.sh, or dotnet publish src/EdgeAgent/EdgeAgent.csproj -c Release -o artifacts/publish --no-build after the build";
        if (!File.Exists(exe))
        {
            throw new InvalidOperationException($"the published agent {exe} is missing: {how}");
        }

        foreach (var built in Directory.GetFiles(AppContext.BaseDirectory, "EdgeAgent*.dll").Append(Path.Combine(AppContext.BaseDirectory, "edgeagent.dll")))
        {
            var name = Path.GetFileName(built);
            if (name.Contains(".Tests", StringComparison.Ordinal))
            {
                continue;
            }

            var shipped = Path.Combine(folder, name);
            if (!File.Exists(shipped) || !File.ReadAllBytes(shipped).AsSpan().SequenceEqual(File.ReadAllBytes(built)))
            {
                throw new InvalidOperationException($"the published agent is stale: {shipped} differs from the build {built}: {how}");
            }
        }

        return exe;
    }

    /// <summary>
    /// Every config case folder (<c>cases/NAME/config.yaml</c> + <c>expected.err</c>), repository-relative: the general
    /// ones under tests/EdgeAgent.Tests/Config/cases and each component's own under its folder in src/.
    /// </summary>
    public static IEnumerable<string> ConfigCases() =>
        new[] { PathOf("tests", "EdgeAgent.Tests", "Config"), PathOf("src") }
            .SelectMany(top => Directory.GetDirectories(top, "cases", SearchOption.AllDirectories))
            .Where(dir => !IsBuildOutput(dir))
            .SelectMany(Directory.GetDirectories)
            .Where(dir => File.Exists(Path.Combine(dir, "config.yaml")))
            .Select(dir => Path.GetRelativePath(Root, dir))
            .Order(StringComparer.Ordinal);

    /// <summary>The case folder named <paramref name="name"/>, wherever its component keeps it.</summary>
    public static string ConfigCase(string name) =>
        PathOf(ConfigCases().Single(c => Path.GetFileName(c) == name));

    /// <summary>Every example configuration: config/**/*.yaml and each component's example*.yaml in src/.</summary>
    public static IEnumerable<string> Examples() =>
        Directory.GetFiles(PathOf("config"), "*.yaml", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(PathOf("src"), "example*.yaml", SearchOption.AllDirectories))
            .Where(f => !IsBuildOutput(f))
            .Select(f => Path.GetRelativePath(Root, f))
            .Order(StringComparer.Ordinal);

    private static bool IsBuildOutput(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeAgent.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("EdgeAgent.sln not found above " + AppContext.BaseDirectory);
    }
}
