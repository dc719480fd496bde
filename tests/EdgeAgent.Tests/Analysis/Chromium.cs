using System.Diagnostics;

namespace EdgeAgent.Tests.Analysis;

/// <summary>
/// Debian's <c>chromium</c>, headless, as a test peer: one process per call with its own profile folder, stopped by its
/// process id if it has not finished within a generous deadline. Fails with a clear message when chromium is not
/// installed (tests/peers/install.sh installs it).
/// </summary>
internal static class Chromium
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    public static string Executable { get; } =
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("chromium is not installed; run tests/peers/install.sh");

    /// <summary>Renders <paramref name="page"/> into a PNG of <paramref name="width"/> x <paramref name="height"/> CSS pixels.</summary>
    public static async Task ScreenshotAsync(string page, string png, int width, int height)
    {
        await RunAsync([$"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars", new Uri(page).AbsoluteUri]);
        Assert.True(File.Exists(png), $"chromium wrote no screenshot {png}");
    }

    /// <summary>The DOM of <paramref name="page"/> after its scripts ran.</summary>
    public static Task<string> DumpDomAsync(string page) => RunAsync(["--dump-dom", "--virtual-time-budget=5000", new Uri(page).AbsoluteUri]);

    private static async Task<string> RunAsync(string[] args)
    {
        var profile = Directory.CreateTempSubdirectory("chromium-").FullName;
        try
        {
            var info = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };

            // --no-sandbox: the tests run as root, where chromium's sandbox refuses to start.
            foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", $"--user-data-dir={profile}" }.Concat(args))
            {
                info.ArgumentList.Add(a);
            }

            using var process = Process.Start(info) ?? throw new InvalidOperationException("chromium did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Deadline);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium {string.Join(' ', args)} did not finish within {Deadline.TotalSeconds} s");
            }

            var output = await stdout;
            Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {await stderr}");
            return output;
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // A helper process of chromium still closing a file in its profile: the folder is in the temp dir.
            }
        }
    }
}
