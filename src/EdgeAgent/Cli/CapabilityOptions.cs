using System.CommandLine;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Cli;

/// <summary>
/// Turns the <see cref="CommandOption"/>s drivers declare for their capabilities (probe, browse) into System.CommandLine
/// options, and the parsed values back into <see cref="CommandArguments"/>. Options of the same name declared by
/// several drivers are one option (the first declaration's description and default).
/// </summary>
internal sealed class CapabilityOptions
{
    private readonly List<(CommandOption Declared, Option Option)> _options = new();

    public CapabilityOptions(IEnumerable<IReadOnlyList<CommandOption>> declared)
    {
        foreach (var option in declared.SelectMany(d => d))
        {
            if (_options.Exists(o => o.Declared.Name == option.Name))
            {
                continue;
            }

            Option built = option.IsFlag
                ? new Option<bool>(option.Name, option.Aliases) { Description = option.Description }
                : new Option<string>(option.Name, option.Aliases)
                {
                    Description = option.Description,
                    DefaultValueFactory = option.Default is { } d ? _ => d : null!,
                };
            _options.Add((option, built));
        }
    }

    public IEnumerable<Option> All => _options.Select(o => o.Option);

    public CommandArguments Read(ParseResult parse)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (declared, option) in _options)
        {
            values[declared.Name] = option switch
            {
                Option<bool> flag => parse.GetValue(flag) ? "true" : null,
                Option<string> text => parse.GetValue(text),
                _ => null,
            };
        }

        return new CommandArguments(values);
    }

    /// <summary>The URL scheme (text before <c>://</c>), lower-cased; empty when there is none.</summary>
    public static string SchemeOf(string url)
    {
        var end = url.IndexOf("://", StringComparison.Ordinal);
        return end <= 0 ? string.Empty : url[..end].ToLowerInvariant();
    }
}
