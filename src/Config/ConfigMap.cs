using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EdgeAgent.Config;

/// <summary>
/// A YAML mapping being bound to options. Every key asked for is remembered, so that after binding
/// <see cref="ReportUnknownKeys"/> can name each key nobody asked for, with a did-you-mean from the keys that exist.
/// Errors carry the position of the offending key or value. Scalars get <c>${NAME}</c> replaced from the environment
/// (<see cref="EnvironmentVariable"/>: the process environment unless the loader was given another lookup).
/// </summary>
public sealed partial class ConfigMap
{
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public ConfigMap(YamlMappingNode node, string path, ConfigErrors errors, Func<string, string?>? environmentVariable = null)
    {
        Node = node;
        Path = path;
        Errors = errors;
        EnvironmentVariable = environmentVariable ?? Environment.GetEnvironmentVariable;
        foreach (var (key, value) in node.Children)
        {
            if (key is not YamlScalarNode scalar || scalar.Value is null)
            {
                errors.Add(key.Start, $"{Describe(path)}: keys must be plain names");
                continue;
            }

            if (!_entries.TryAdd(scalar.Value, (scalar, value)))
            {
                errors.Add(scalar.Start, $"{Describe(path)}: duplicate key '{scalar.Value}'");
            }
        }
    }

    public YamlMappingNode Node { get; }

    /// <summary>Where this mapping is, in the file's own words: <c>sources[0].tags[2]</c>.</summary>
    public string Path { get; }

    public ConfigErrors Errors { get; }

    /// <summary>Looks up <c>${NAME}</c>: null when unset. Shared by every mapping of one file.</summary>
    public Func<string, string?> EnvironmentVariable { get; }

    public Mark Start => Node.Start;

    /// <summary>Key names present in the file (in file order).</summary>
    public IEnumerable<string> Keys => _entries.Keys;

    public string Child(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Declares keys as known without reading them (read elsewhere, or reserved).</summary>
    public void Allow(params string[] keys)
    {
        foreach (var key in keys)
        {
            _known.Add(key);
        }
    }

    public bool Has(string key)
    {
        _known.Add(key);
        return _entries.ContainsKey(key);
    }

    public YamlNode? Raw(string key)
    {
        _known.Add(key);
        return _entries.TryGetValue(key, out var entry) ? entry.Value : null;
    }

    public Mark KeyMark(string key) => _entries.TryGetValue(key, out var e) ? e.Key.Start : Node.Start;

    public Mark ValueMark(string key) => _entries.TryGetValue(key, out var e) ? e.Value.Start : Node.Start;

    public void Error(string key, string message) => Errors.Add(ValueMark(key), $"{Child(key)}: {message}");

    public void ErrorHere(string message) => Errors.Add(Node.Start, $"{Describe(Path)}: {message}");

    // ---- scalars -------------------------------------------------------------------------------------------

    /// <summary>The scalar text of <paramref name="key"/> after ${ENV} substitution; null when absent or not a scalar (reported).</summary>
    public string? String(string key, bool required = false)
    {
        var node = Raw(key);
        if (node is null)
        {
            if (required)
            {
                Errors.Add(Node.Start, $"{Describe(Path)}: missing required key '{key}'");
            }

            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            Error(key, $"expected a single value, found a {KindOf(node)}");
            return null;
        }

        var text = scalar.Value ?? string.Empty;
        if (required && text.Length == 0 && scalar.Style == ScalarStyle.Plain)
        {
            Error(key, "must not be empty");
            return null;
        }

        return Substitute(text, scalar.Start, key);
    }

    public string RequiredString(string key) => String(key, required: true) ?? string.Empty;

    public int? Int(string key, int min = int.MinValue, int max = int.MaxValue, bool required = false)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            && !TryParseHex(text, out value))
        {
            Error(key, $"expected a whole number, found '{text}'");
            return null;
        }

        if (value < min || value > max)
        {
            Error(key, $"must be between {min} and {max}, found {value}");
            return null;
        }

        return (int)value;
    }

    public double? Double(string key, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool required = false)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            Error(key, $"expected a number, found '{text}'");
            return null;
        }

        if (value < min || value > max)
        {
            // A bound that is infinite is no bound: say only the one that is.
            Error(key, double.IsPositiveInfinity(max) ? $"must be at least {min.ToString(CultureInfo.InvariantCulture)}, found {text}"
                : double.IsNegativeInfinity(min) ? $"must be at most {max.ToString(CultureInfo.InvariantCulture)}, found {text}"
                : $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, found {text}");
            return null;
        }

        return value;
    }

    public bool? Bool(string key, bool required = false)
    {
        var text = String(key, required);
        switch (text)
        {
            case null: return null;
            case "true" or "True" or "TRUE" or "yes" or "on": return true;
            case "false" or "False" or "FALSE" or "no" or "off": return false;
            default:
                Error(key, $"expected true or false, found '{text}'");
                return null;
        }
    }

    /// <summary>A duration such as <c>100ms</c>, <c>2s</c>, <c>5m</c>, <c>1h</c>, <c>1.5s</c>.</summary>
    public TimeSpan? Duration(string key, TimeSpan? min = null, TimeSpan? max = null, bool required = false)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }

        if (!Durations.TryParse(text, out var value))
        {
            Error(key, $"expected a duration such as 100ms, 2s, 5m or 1h, found '{text}'");
            return null;
        }

        if (min is { } lo && value < lo)
        {
            Error(key, $"must be at least {Durations.Format(lo)}, found {text}");
            return null;
        }

        if (max is { } hi && value > hi)
        {
            Error(key, $"must be at most {Durations.Format(hi)}, found {text}");
            return null;
        }

        return value;
    }

    /// <summary>One of <paramref name="allowed"/> (case-sensitive, as the docs spell them), with a did-you-mean.</summary>
    public string? Choice(string key, IReadOnlyCollection<string> allowed, bool required = false)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }

        if (allowed.Contains(text))
        {
            return text;
        }

        var hint = Suggest.Closest(text, allowed);
        Error(key, $"unknown value '{text}'{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; expected one of: {string.Join(", ", allowed)}");
        return null;
    }

    // ---- structure -----------------------------------------------------------------------------------------

    public ConfigMap? Map(string key, bool required = false)
    {
        var node = Raw(key);
        if (node is null)
        {
            if (required)
            {
                Errors.Add(Node.Start, $"{Describe(Path)}: missing required key '{key}'");
            }

            return null;
        }

        if (IsNull(node))
        {
            return null;
        }

        if (node is not YamlMappingNode map)
        {
            Error(key, $"expected a mapping of keys, found a {KindOf(node)}");
            return null;
        }

        return new ConfigMap(map, Child(key), Errors, EnvironmentVariable);
    }

    /// <summary>A list of mappings (sources, tags, …); each item's path is <c>key[i]</c>.</summary>
    public List<ConfigMap> MapList(string key, bool required = false)
    {
        var result = new List<ConfigMap>();
        var node = Raw(key);
        if (node is null || IsNull(node))
        {
            if (required)
            {
                Errors.Add(node?.Start ?? Node.Start, $"{Describe(Path)}: missing required key '{key}'");
            }

            return result;
        }

        if (node is not YamlSequenceNode seq)
        {
            Error(key, $"expected a list, found a {KindOf(node)}");
            return result;
        }

        var i = 0;
        foreach (var item in seq.Children)
        {
            if (item is YamlMappingNode map)
            {
                result.Add(new ConfigMap(map, $"{Child(key)}[{i}]", Errors, EnvironmentVariable));
            }
            else
            {
                Errors.Add(item.Start, $"{Child(key)}[{i}]: expected a mapping of keys, found a {KindOf(item)}");
            }

            i++;
        }

        return result;
    }

    /// <summary>A list of scalars; a single scalar is accepted as a list of one.</summary>
    public List<(string Value, Mark At)> StringList(string key)
    {
        var result = new List<(string, Mark)>();
        var node = Raw(key);
        switch (node)
        {
            case null:
                return result;
            case YamlScalarNode scalar when !IsNull(scalar):
                result.Add((Substitute(scalar.Value ?? string.Empty, scalar.Start, key) ?? string.Empty, scalar.Start));
                return result;
            case YamlSequenceNode seq:
                var i = 0;
                foreach (var item in seq.Children)
                {
                    if (item is YamlScalarNode s)
                    {
                        result.Add((Substitute(s.Value ?? string.Empty, s.Start, key) ?? string.Empty, s.Start));
                    }
                    else
                    {
                        Errors.Add(item.Start, $"{Child(key)}[{i}]: expected a single value, found a {KindOf(item)}");
                    }

                    i++;
                }

                return result;
            default:
                if (!IsNull(node))
                {
                    Error(key, $"expected a list, found a {KindOf(node)}");
                }

                return result;
        }
    }

    /// <summary>Reports every key present that no binder asked for, with the closest known key as a hint.</summary>
    public void ReportUnknownKeys()
    {
        foreach (var (name, (key, _)) in _entries)
        {
            if (_known.Contains(name))
            {
                continue;
            }

            var hint = Suggest.Closest(name, _known);
            Errors.Add(key.Start, $"{Child(name)}: unknown key '{name}'{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public static string KindOf(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        _ => "single value",
    };

    public static string Describe(string path) => path.Length == 0 ? "top level" : path;

    private static bool TryParseHex(string text, out long value)
    {
        value = 0;
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")]
    private static partial Regex EnvPattern();

    /// <summary><c>${NAME}</c> from the environment; <c>${NAME:-default}</c> when unset. A missing variable is an error naming it.</summary>
    private string? Substitute(string text, Mark at, string key)
    {
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            return text;
        }

        var missing = new StringBuilder();
        var result = EnvPattern().Replace(text, m =>
        {
            var value = EnvironmentVariable(m.Groups[1].Value);
            if (value is not null)
            {
                return value;
            }

            if (m.Groups[2].Success)
            {
                return m.Groups[2].Value;
            }

            if (missing.Length > 0)
            {
                missing.Append(", ");
            }

            missing.Append(m.Groups[1].Value);
            return string.Empty;
        });
        if (missing.Length > 0)
        {
            Errors.Add(at, $"{Child(key)}: environment variable {missing} is not set");
            return null;
        }

        return result;
    }
}
