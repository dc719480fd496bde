using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeAgent.Config;

/// <summary>Values with a shape of their own: names used in topics, byte sizes, URLs and files next to the config.</summary>
public sealed partial class ConfigMap
{
    [GeneratedRegex(@"^[A-Za-z0-9_\-]+$")]
    private static partial Regex NamePattern();

    /// <summary>Letters, digits, '_' and '-': names end up in MQTT topics and metric labels.</summary>
    public static bool IsName(string text) => NamePattern().IsMatch(text);

    /// <summary>
    /// Checks that <paramref name="name"/> (already read from <paramref name="key"/>) is a name; false when empty (already
    /// reported as missing) or invalid (reported here, saying what it is used for).
    /// </summary>
    public bool CheckName(string key, string? name, string usedIn = "it is used in MQTT topics")
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        if (!IsName(name))
        {
            Error(key, $"'{name}' may contain only letters, digits, '_' and '-' ({usedIn})");
            return false;
        }

        return true;
    }

    /// <summary>A byte size: <c>1048576</c>, <c>512KB</c>, <c>100MB</c>, <c>2GB</c> (powers of 1024).</summary>
    public long? Size(string key, long min)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        var t = text.Trim();
        long unit = 1;
        foreach (var (suffix, factor) in (ReadOnlySpan<(string, long)>)[("KB", 1L << 10), ("MB", 1L << 20), ("GB", 1L << 30), ("TB", 1L << 40), ("B", 1)])
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                unit = factor;
                t = t[..^suffix.Length].TrimEnd();
                break;
            }
        }

        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number) || number < 0)
        {
            Error(key, $"expected a size such as 512MB or 2GB, found '{text}'");
            return null;
        }

        var bytes = (long)Math.Min(number * unit, long.MaxValue);
        if (bytes < min)
        {
            Error(key, $"must be at least {min} bytes, found {text}");
            return null;
        }

        return bytes;
    }

    /// <summary>An absolute URL with one of <paramref name="schemes"/>.</summary>
    public Uri? Url(string key, IReadOnlyList<string> schemes, bool required = false)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !schemes.Contains(uri.Scheme))
        {
            Error(key, $"expected a URL such as {schemes[0]}://host:port, found '{text}'");
            return null;
        }

        return uri;
    }

    /// <summary>A file that must exist, relative to the config file's folder; the full path, or null (reported).</summary>
    public string? ExistingFile(string key)
    {
        var path = String(key);
        if (path is null)
        {
            return null;
        }

        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(ConfigFolder, path));
        if (!File.Exists(full))
        {
            Error(key, $"file not found: {full}");
            return null;
        }

        return full;
    }

    /// <summary>The folder of the file being read: relative paths in it are relative to this.</summary>
    public string ConfigFolder => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Errors.File)) ?? ".";
}
