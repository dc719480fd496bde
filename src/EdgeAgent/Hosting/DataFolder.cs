namespace EdgeAgent.Hosting;

/// <summary>
/// The check of <c>agent.data</c> before anything starts: the folder is created when missing and a file is written
/// and removed in it. An unusable folder (its parent is a file, no permission, read-only or full disk) is one clear
/// error naming the path and the cause, instead of every component failing in its own way later.
/// </summary>
public static class DataFolder
{
    /// <summary>Null when <paramref name="path"/> is usable, else what is wrong with it.</summary>
    public static string? Problem(string path)
    {
        var probe = Path.Combine(path, $".write-check-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(path);
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return $"agent.data '{path}' cannot be used as the agent's data folder: {ex.Message}";
        }
    }
}
