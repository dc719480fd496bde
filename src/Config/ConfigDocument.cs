using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EdgeAgent.Config;

/// <summary>
/// Reads one YAML configuration file into its top-level <see cref="ConfigMap"/>. Every problem becomes a positioned
/// <see cref="ConfigError"/>: unreadable files, binary garbage (a NUL byte), empty files, several documents, a root that is
/// not a mapping, YAML syntax errors. Never throws for bad input.
/// </summary>
public static class ConfigDocument
{
    /// <summary>Reads <paramref name="path"/>; null (with errors) when the file cannot be read or parsed.</summary>
    public static ConfigMap? Load(string path, ConfigErrors errors, string expectedKeys, Func<string, string?>? environmentVariable = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add(1, 1, $"cannot read the file: {ex.Message}");
            return null;
        }

        return Parse(text, errors, expectedKeys, environmentVariable);
    }

    /// <summary>
    /// Parses <paramref name="text"/>; null (with errors) when it is not one YAML mapping. <paramref name="expectedKeys"/>
    /// names the top-level keys in the messages ("expected a mapping with keys …"). <paramref name="environmentVariable"/>
    /// resolves <c>${NAME}</c> (default: the process environment).
    /// </summary>
    public static ConfigMap? Parse(string text, ConfigErrors errors, string expectedKeys, Func<string, string?>? environmentVariable = null)
    {
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            var (line, col) = Position(text, nul);
            errors.Add(line, col, "the file is not text (it contains a NUL byte); expected a YAML configuration");
            return null;
        }

        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || ConfigMap.IsNull(stream.Documents[0].RootNode))
            {
                errors.Add(1, 1, "the file is empty; expected at least 'sources:' (see config/demo.yaml)");
                return null;
            }

            if (stream.Documents.Count > 1)
            {
                errors.Add(stream.Documents[1].RootNode.Start, "only one YAML document is allowed per file");
            }

            if (stream.Documents[0].RootNode is not YamlMappingNode map)
            {
                errors.Add(stream.Documents[0].RootNode.Start, $"expected a mapping with keys {expectedKeys}; found a {ConfigMap.KindOf(stream.Documents[0].RootNode)}");
                return null;
            }

            return new ConfigMap(map, string.Empty, errors, environmentVariable);
        }
        catch (YamlException ex)
        {
            var message = CleanYamlMessage(ex);
            errors.Add(ex.Start, "YAML syntax: " + (message.StartsWith("Duplicate key", StringComparison.Ordinal)
                ? "duplicate key (a key may appear once in a mapping)"
                : message));
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // YamlDotNet surfaces some malformed input as other exception types without a position: find the
            // last event the parser accepted and report there.
            var at = LastGoodMark(text);
            errors.Add(at.Line, at.Column, $"YAML syntax: the document is not well formed after this point ({ex.GetType().Name}); check brackets, quotes and indentation");
            return null;
        }
    }

    private static (int Line, int Column) LastGoodMark(string text)
    {
        var parser = new Parser(new StringReader(text));
        (int, int) last = (1, 1);
        try
        {
            while (parser.MoveNext())
            {
                if (parser.Current is { } e)
                {
                    last = ((int)e.Start.Line, (int)e.Start.Column);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (ex is YamlException y)
            {
                return ((int)y.Start.Line, (int)y.Start.Column);
            }
        }

        return last;
    }

    private static (int Line, int Column) Position(string text, int index)
    {
        int line = 1, col = 1;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                col = 1;
            }
            else
            {
                col++;
            }
        }

        return (line, col);
    }

    /// <summary>YamlDotNet prefixes messages with "(Line: …, Col: …, Idx: …) - (…): "; the position is ours to print.</summary>
    private static string CleanYamlMessage(YamlException ex)
    {
        var message = ex.Message;
        var dash = message.IndexOf("): ", StringComparison.Ordinal);
        return dash >= 0 && message.StartsWith('(') ? message[(dash + 3)..] : message;
    }
}
