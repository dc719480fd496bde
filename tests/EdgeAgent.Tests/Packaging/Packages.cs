using System.Diagnostics;
using System.Text.RegularExpressions;

namespace EdgeAgent.Tests.Packaging;

/// <summary>
/// The gateway packages <c>packaging/build.sh</c> writes to artifacts/packages (test.sh builds them once before the
/// tests). Missing packages, or packages of another commit than the published agent the other tests run, fail with
/// how to build them, so a test never checks yesterday's package.
/// </summary>
internal static class Packages
{
    private const string How = "run ./test.sh, or packaging/build.sh after the build";

    public static string Folder => PathOf(string.Empty);

    /// <summary>The version in Directory.Build.props, the one place it is written.</summary>
    public static string Version { get; } =
        Regex.Match(File.ReadAllText(Repo.PathOf("Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;

    public static string Deb(string arch) => PathOf($"edgeagent_{Version}_{arch}.deb");

    public static string Tarball(string rid) => PathOf($"edgeagent-{Version}-{rid}.tar.gz");

    private static readonly Lazy<string> Checked = new(Check);

    private static string PathOf(string name)
    {
        var folder = Checked.Value;
        return Path.Combine(folder, name);
    }

    private static string Check()
    {
        var folder = Repo.PathOf("artifacts", "packages");
        foreach (var file in new[]
                 {
                     $"edgeagent_{Version}_amd64.deb", $"edgeagent_{Version}_arm64.deb",
                     $"edgeagent-{Version}-linux-x64.tar.gz", $"edgeagent-{Version}-linux-arm64.tar.gz",
                 })
        {
            if (!File.Exists(Path.Combine(folder, file)))
            {
                throw new InvalidOperationException($"the package {Path.Combine(folder, file)} is missing: {How}");
            }
        }

        return folder;
    }

    /// <summary>Throws with <see cref="How"/> when the packaged agent reports another build than the published one.</summary>
    public static void AssertSameBuild(string packagedVersion, string publishedVersion)
    {
        if (packagedVersion != publishedVersion)
        {
            throw new InvalidOperationException(
                $"the packages are stale: the packaged agent says {packagedVersion}, the published agent {publishedVersion}: {How}");
        }
    }

    /// <summary>Runs a tool to completion; returns exit code, stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 2 minutes");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static string RunOk(string file, params string[] args)
    {
        var (code, stdout, stderr) = Run(file, args);
        Assert.True(code == 0, $"{file} {string.Join(' ', args)} exited {code}: {stderr}{stdout}");
        return stdout;
    }
}
