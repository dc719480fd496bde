using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace EdgeAgent.Architecture.Tests;

/// <summary>
/// Text check over src/**/*.cs: the namespace a file declares must be the one its folder gives — the nearest
/// project's RootNamespace (else its AssemblyName, else its file name) plus the folder path below the project,
/// '/' turned into '.'. With this, a namespace is a folder and the namespace tests are folder tests too.
/// </summary>
public static partial class SourceFolders
{
    public sealed record Mismatch(string File, string Expected, string Found)
    {
        public override string ToString() => $"{File}: expected namespace {Expected}, found {Found}";
    }

    /// <summary>The repository root: the first folder above <paramref name="start"/> holding EdgeAgent.sln and src/.</summary>
    public static string RepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EdgeAgent.sln")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no folder above {start} holds EdgeAgent.sln and src/");
    }

    public static IReadOnlyList<string> SourceFiles(string srcRoot) =>
        Directory.EnumerateFiles(srcRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(srcRoot, f).Split(Path.DirectorySeparatorChar).Any(s => s is "obj" or "bin"))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static IReadOnlyList<Mismatch> Check(string repoRoot)
    {
        var srcRoot = Path.Combine(repoRoot, "src");
        var mismatches = new List<Mismatch>();
        var rootNamespaces = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in SourceFiles(srcRoot))
        {
            var relative = Path.GetRelativePath(repoRoot, file).Replace(Path.DirectorySeparatorChar, '/');
            var folder = Path.GetDirectoryName(file)!;
            var project = NearestProject(folder, srcRoot);
            var found = DeclaredNamespaces(File.ReadAllText(file));
            var foundText = found.Count == 0 ? "(none)" : string.Join(", ", found);
            if (project is null)
            {
                mismatches.Add(new Mismatch(relative, "(no .csproj above the file)", foundText));
                continue;
            }
            if (!rootNamespaces.TryGetValue(project, out var root)) rootNamespaces[project] = root = RootNamespace(project);
            var below = Path.GetRelativePath(Path.GetDirectoryName(project)!, folder);
            var expected = below == "." ? root : root + "." + below.Replace(Path.DirectorySeparatorChar, '.');
            if (found.Count == 0 || found.Any(n => n != expected)) mismatches.Add(new Mismatch(relative, expected, foundText));
        }
        return mismatches;
    }

    /// <summary>The .csproj in <paramref name="folder"/> or the nearest folder above it, not above <paramref name="srcRoot"/>.</summary>
    public static string? NearestProject(string folder, string srcRoot)
    {
        var stop = Path.GetFullPath(srcRoot);
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            var projects = dir.GetFiles("*.csproj");
            if (projects.Length > 0) return projects.OrderBy(p => p.Name, StringComparer.Ordinal).First().FullName;
            if (Path.GetFullPath(dir.FullName).TrimEnd(Path.DirectorySeparatorChar) == stop.TrimEnd(Path.DirectorySeparatorChar)) break;
        }
        return null;
    }

    /// <summary>RootNamespace, else AssemblyName, else the project's file name.</summary>
    public static string RootNamespace(string projectFile)
    {
        var xml = XDocument.Load(projectFile);
        string? Property(string name) => xml.Descendants().FirstOrDefault(e => e.Name.LocalName == name && !string.IsNullOrWhiteSpace(e.Value))?.Value.Trim();
        return Property("RootNamespace") ?? Property("AssemblyName") ?? Path.GetFileNameWithoutExtension(projectFile);
    }

    /// <summary>Assembly name a project builds: AssemblyName, else its file name.</summary>
    public static string AssemblyName(string projectFile)
    {
        var xml = XDocument.Load(projectFile);
        return xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "AssemblyName" && !string.IsNullOrWhiteSpace(e.Value))?.Value.Trim()
            ?? Path.GetFileNameWithoutExtension(projectFile);
    }

    /// <summary>
    /// Every <c>namespace X</c> (file-scoped or block) that starts a line. Not a C# parser: a comment line
    /// starts with // so it never matches; a line of a block comment or raw string starting with "namespace" would.
    /// </summary>
    public static IReadOnlyList<string> DeclaredNamespaces(string source) =>
        NamespaceDeclaration().Matches(source).Select(m => m.Groups[1].Value.Replace("@", "")).ToList();

    [GeneratedRegex(@"^[ \t]*namespace\s+(@?[\w.@]+)\s*[;{]?", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();
}
