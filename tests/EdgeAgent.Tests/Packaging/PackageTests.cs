using System.Runtime.Versioning;
using EdgeAgent.Tests.Mqtt;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Packaging;

/// <summary>
/// The packages packaging/build.sh makes, as an automation engineer installs them: the Debian control fields and paths,
/// the config and unit inside a throwaway root (validate, systemd-analyze verify), and both builds really running:
/// x64 natively, arm64 under Debian's qemu-user with the arm64 libraries named in Depends.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PackageTests(UnpackedPackages unpacked) : IClassFixture<UnpackedPackages>
{
    /// <summary>qemu-user-static (or qemu-user) runs the arm64 agent; tests/peers/install.sh installs it with the arm64 libraries.</summary>
    private static readonly string Qemu = new[] { "/usr/bin/qemu-aarch64-static", "/usr/bin/qemu-aarch64" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("qemu-aarch64 is missing: run tests/peers/install.sh");

    public static TheoryData<string> Architectures => new() { "amd64", "arm64" };

    public static TheoryData<string> Rids => new() { "linux-x64", "linux-arm64" };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Deb_control_names_the_package_version_architecture_and_the_libraries_it_loads(string arch)
    {
        var field = (string name) => Packages.RunOk("dpkg-deb", "--field", Packages.Deb(arch), name).Trim();
        Assert.Equal("edgeagent", field("Package"));
        Assert.Equal(Packages.Version, field("Version"));
        Assert.Equal(arch, field("Architecture"));
        Assert.NotEmpty(field("Maintainer"));
        Assert.NotEmpty(field("Description"));
        Assert.True(int.Parse(field("Installed-Size"), System.Globalization.CultureInfo.InvariantCulture) > 10_000, "Installed-Size below 10 MB: the runtime is missing");
        var depends = field("Depends").Split(',', StringSplitOptions.TrimEntries);
        Assert.Matches(@"^libc6 \(>= 2\.\d+\)$", depends[0]);
        Assert.Contains("libgcc-s1", depends);
        Assert.Contains("libstdc++6", depends);
        Assert.Contains("libssl3 | libssl3t64 | libssl1.1", depends);
        Assert.Contains("adduser", depends);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Deb_holds_the_agent_the_command_link_the_conffile_the_unit_and_no_state(string arch)
    {
        var lines = Packages.RunOk("dpkg-deb", "--contents", Packages.Deb(arch)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string Entry(string path) => lines.SingleOrDefault(l => l.EndsWith(" " + path, StringComparison.Ordinal) || l.Contains(" " + path + " -> ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"{path} not in {Packages.Deb(arch)}");

        Assert.StartsWith("-rwxr-xr-x root/root", Entry("./usr/lib/edgeagent/edgeagent"));
        Assert.StartsWith("-rw-r--r-- root/root", Entry("./usr/lib/edgeagent/edgeagent.dll"));
        Assert.StartsWith("-rwxr-xr-x root/root", Entry("./usr/lib/edgeagent/libcoreclr.so"));
        Assert.EndsWith("./usr/bin/edgeagent -> ../lib/edgeagent/edgeagent", Entry("./usr/bin/edgeagent"));
        Assert.StartsWith("-rw-r--r-- root/root", Entry("./etc/edgeagent/edgeagent.yaml"));
        Assert.StartsWith("-rw-r--r-- root/root", Entry("./lib/systemd/system/edgeagent.service"));
        Assert.StartsWith("-rw-r--r-- root/root", Entry("./usr/share/doc/edgeagent/README.md"));

        // The LTTng provider would need liblttng-ust (not in Depends); the data folder belongs to postinst and the admin.
        Assert.DoesNotContain(lines, l => l.Contains("libcoreclrtraceptprovider.so", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("./var/", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Contains("root/root", l));
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Deb_config_is_a_conffile_and_the_maintainer_scripts_are_executable_shell(string arch)
    {
        var control = Path.Combine(unpacked.DebRoot(arch), "DEBIAN");
        Assert.Equal("/etc/edgeagent/edgeagent.yaml", File.ReadAllText(Path.Combine(control, "conffiles")).Trim());
        foreach (var script in new[] { "postinst", "prerm", "postrm" })
        {
            var path = Path.Combine(control, script);
            Assert.True(File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), $"{script} is not executable");
            Packages.RunOk("sh", "-n", path);
        }

        var postinst = File.ReadAllText(Path.Combine(control, "postinst"));
        Assert.Contains("adduser --system --group --home /var/lib/edgeagent", postinst);
        Assert.Contains("adduser edgeagent dialout", postinst);
        Assert.Contains("deb-systemd-helper enable edgeagent.service", postinst);
        Assert.Contains("[ -d /run/systemd/system ]", postinst); // start only where systemd runs
        var postrm = File.ReadAllText(Path.Combine(control, "postrm"));
        Assert.Matches(@"purge\)[\s\S]*rm -rf /var/lib/edgeagent /etc/edgeagent", postrm);
        Assert.DoesNotMatch(@"remove\)[^;]*rm -rf", postrm);
    }

    [Fact]
    public void Unpacked_deb_agent_reports_this_build_and_validates_its_config()
    {
        var root = unpacked.DebRoot("amd64");
        var agent = Path.Combine(root, "usr", "lib", "edgeagent", "edgeagent");
        Packages.AssertSameBuild(Packages.RunOk(agent, "--version").Trim(), Packages.RunOk(Repo.PublishedAgent, "--version").Trim());
        Assert.StartsWith(Packages.Version + "+", Packages.RunOk(agent, "--version"));
        Packages.RunOk(agent, "validate", "--config", Path.Combine(root, "etc", "edgeagent", "edgeagent.yaml"));
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Unpacked_deb_unit_passes_systemd_analyze_verify_without_a_warning(string arch)
    {
        // systemd-analyze verify reports unknown keys and bad values as warnings and still exits 0: both must be clean.
        var (code, stdout, stderr) = Packages.Run("systemd-analyze", "verify", "--root=" + unpacked.DebRoot(arch), "/lib/systemd/system/edgeagent.service");
        Assert.True(code == 0 && stderr.Trim().Length == 0 && stdout.Trim().Length == 0, $"systemd-analyze verify exited {code}: {stderr}{stdout}");
    }

    [Fact]
    public void Unit_is_notify_with_watchdog_restart_state_config_user_dialout_and_hardening()
    {
        var unit = File.ReadAllLines(Path.Combine(unpacked.DebRoot("amd64"), "lib", "systemd", "system", "edgeagent.service"))
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .ToList();
        foreach (var line in new[]
                 {
                     "Type=notify", "WatchdogSec=30s", "Restart=on-failure", "StateDirectory=edgeagent", "ConfigurationDirectory=edgeagent",
                     "Environment=EDGEAGENT_DATA=/var/lib/edgeagent", "ExecStart=/usr/bin/edgeagent run --config /etc/edgeagent/edgeagent.yaml",
                     "User=edgeagent", "SupplementaryGroups=dialout", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
                     "PrivateTmp=yes", "CapabilityBoundingSet=", "WantedBy=multi-user.target",
                 })
        {
            Assert.Contains(line, unit);
        }

        // The .NET JIT writes code and serial ports are devices: either setting would break the agent.
        Assert.DoesNotContain(unit, l => l.StartsWith("MemoryDenyWriteExecute=", StringComparison.Ordinal) || l.StartsWith("PrivateDevices=", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Rids))]
    public void Tarball_is_one_folder_with_the_agent_the_starting_config_and_the_unit(string rid)
    {
        var top = Assert.Single(Directory.GetDirectories(unpacked.TarRoot(rid)));
        Assert.Equal($"edgeagent-{Packages.Version}-{rid}", Path.GetFileName(top));
        Assert.True(File.GetUnixFileMode(Path.Combine(top, "edgeagent")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal(File.ReadAllText(Repo.PathOf("packaging", "edgeagent.yaml")), File.ReadAllText(Path.Combine(top, "edgeagent.yaml")));
        Assert.Equal(File.ReadAllText(Repo.PathOf("packaging", "edgeagent.service")), File.ReadAllText(Path.Combine(top, "edgeagent.service")));
        Assert.False(File.Exists(Path.Combine(top, "libcoreclrtraceptprovider.so")));
    }

    [Fact]
    public void Arm64_agent_under_qemu_reports_this_build_and_validates_the_packaged_config()
    {
        var root = unpacked.DebRoot("arm64");
        var agent = Path.Combine(root, "usr", "lib", "edgeagent", "edgeagent");
        Packages.AssertSameBuild(Packages.RunOk(Qemu, agent, "--version").Trim(), Packages.RunOk(Repo.PublishedAgent, "--version").Trim());
        Packages.RunOk(Qemu, agent, "validate", "--config", Path.Combine(root, "etc", "edgeagent", "edgeagent.yaml"));
    }

    /// <summary>
    /// The tarball's agent draws a PNG with text through the native Skia library of its own architecture (arm64 under
    /// qemu-user): the package carries libSkiaSharp.so for it, and it finds the system fonts.
    /// </summary>
    [Theory]
    [MemberData(nameof(Rids))]
    public void Tarball_agent_draws_the_piston_ring_figures_with_their_text(string rid)
    {
        var dir = Directory.CreateTempSubdirectory("edgeagent-package-plot").FullName;
        try
        {
            var csv = Path.Combine(dir, "piston.csv");
            File.WriteAllText(csv, Spc.SpcAnalyzeCommandTests.PistonRings);
            var png = Path.Combine(dir, "piston.png");
            var agent = Path.Combine(unpacked.TarRoot(rid), $"edgeagent-{Packages.Version}-{rid}", "edgeagent");
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(agent)!, "libSkiaSharp.so")), $"no libSkiaSharp.so beside {agent}");
            string[] args = ["spc", "analyze", "--chart", "xbar-r", "--lsl", "73.95", "--usl", "74.05", "--plot", png, csv];
            var stdout = rid == "linux-arm64"
                ? Packages.RunOk("env", ["DOTNET_EnableWriteXorExecute=0", Qemu, agent, .. args])
                : Packages.RunOk(agent, args);
            Assert.Contains("\"chart\":\"xbar-r\"", stdout);
            using var bitmap = SkiaSharp.SKBitmap.Decode(png);
            Assert.Equal((960, 1060), (bitmap.Width, bitmap.Height));

            // The top 30 px hold only the title: its text is drawn.
            var ink = 0;
            for (var y = 0; y < 30; y++)
            {
                for (var x = 0; x < bitmap.Width; x++)
                {
                    ink += bitmap.GetPixel(x, y).Red < 128 ? 1 : 0;
                }
            }

            Assert.True(ink > 200, $"{ink} dark pixels in the title band");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The self-contained build from the tarball runs the demo and its samples reach a mosquitto subscriber.</summary>
    [Theory]
    [MemberData(nameof(Rids))]
    public async Task Tarball_agent_runs_the_demo_publishing_to_a_mosquitto_subscriber(string rid)
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, "acme/#");
        var dir = Directory.CreateTempSubdirectory("edgeagent-package-demo").FullName;
        var config = Path.Combine(dir, "demo.yaml");
        await File.WriteAllTextAsync(config, await File.ReadAllTextAsync(Repo.PathOf("config", "demo.yaml"))
            + $"\noutputs:\n  mqtt: {{ broker: {broker.Url}, format: json }}\n");
        var agent = Path.Combine(unpacked.TarRoot(rid), $"edgeagent-{Packages.Version}-{rid}", "edgeagent");
        string[] args = ["run", "--config", config];
        // Under qemu-user the runtime's double-mapped W^X code pages are not supported: the documented switch turns them off.
        await using var process = rid == "linux-arm64"
            ? new ChildProcess(Qemu, [agent, .. args], env: new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0" })
            : new ChildProcess(agent, args);

        await subscriber.WaitUntilAsync(
            m => m.Any(x => x.Topic.StartsWith("acme/plant-a/area-2/line-1/data/press1/", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(120),
            $"samples of the demo from the {rid} package; agent output: {process.Stdout}{process.Stderr}");
        process.Signal("TERM");
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }
}
