namespace EdgeAgent.Tests.Packaging;

/// <summary>
/// Both .deb packages unpacked (dpkg-deb -x, no maintainer scripts) into throwaway roots, once per test class, and
/// both tarballs unpacked beside them. Each deb root also gets this machine's systemd units (sysinit.target,
/// multi-user.target, …) so <c>systemd-analyze verify --root</c> can resolve the unit's dependencies there.
/// </summary>
public sealed class UnpackedPackages : IDisposable
{
    private readonly string _top = Directory.CreateTempSubdirectory("edgeagent-packages").FullName;

    public UnpackedPackages()
    {
        foreach (var arch in new[] { "amd64", "arm64" })
        {
            var root = DebRoot(arch);
            Directory.CreateDirectory(root);
            Packages.RunOk("dpkg-deb", "-x", Packages.Deb(arch), root);
            Packages.RunOk("dpkg-deb", "-e", Packages.Deb(arch), Path.Combine(root, "DEBIAN"));
            var units = Path.Combine(root, "lib", "systemd", "system");
            if (Directory.Exists("/lib/systemd/system"))
            {
                foreach (var unit in Directory.GetFileSystemEntries("/lib/systemd/system"))
                {
                    var target = Path.Combine(units, Path.GetFileName(unit));
                    if (!Path.Exists(target) && File.Exists(unit))
                    {
                        File.Copy(unit, target);
                    }
                }
            }
        }

        foreach (var rid in new[] { "linux-x64", "linux-arm64" })
        {
            Directory.CreateDirectory(TarRoot(rid));
            Packages.RunOk("tar", "-xzf", Packages.Tarball(rid), "-C", TarRoot(rid));
        }
    }

    public string DebRoot(string arch) => Path.Combine(_top, "deb-" + arch);

    public string TarRoot(string rid) => Path.Combine(_top, "tar-" + rid);

    public void Dispose() => Directory.Delete(_top, recursive: true);
}
