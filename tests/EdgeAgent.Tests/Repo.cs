namespace EdgeAgent.Tests;

/// <summary>Locates files of the repository (config/, test cases) from the test binaries.</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

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
