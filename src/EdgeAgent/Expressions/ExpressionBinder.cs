using EdgeAgent.Config;
using EdgeAgent.Pipeline;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EdgeAgent.Expressions;

/// <summary>
/// Compiles an expression held in a YAML scalar at config load and reports its errors at FILE:LINE:COL, where the column
/// is the scalar's own column plus the offset of the error inside the expression (plus one for the opening quote).
/// </summary>
public static class ExpressionBinder
{
    public static Expression? Bind(ConfigMap map, string key, ITagResolver tags, bool allowFor = false, bool required = false)
    {
        var node = map.Raw(key);
        var text = map.String(key, required);
        if (text is null || node is not YamlScalarNode scalar)
        {
            return null;
        }

        return Compile(map.Errors, scalar, text, map.Child(key), tags, allowFor);
    }

    /// <summary>Compiles one scalar (also used for list items).</summary>
    public static Expression? Compile(ConfigErrors errors, YamlScalarNode scalar, string text, string where, ITagResolver tags, bool allowFor)
    {
        var list = new List<ExpressionError>();
        var compiled = Expression.TryCompile(text, tags, allowFor, list);
        foreach (var error in list)
        {
            var (line, column) = Locate(scalar, text, error.Offset);
            errors.Add(line, column, $"{where}: {error.Message}");
        }

        return compiled;
    }

    /// <summary>Line and column in the file of character <paramref name="offset"/> of the scalar's text.</summary>
    public static (int Line, int Column) Locate(YamlScalarNode scalar, string text, int offset)
    {
        var start = scalar.Start;
        var line = (int)start.Line;
        var column = (int)start.Column + (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ? 1 : 0);
        if (scalar.Style is ScalarStyle.Literal or ScalarStyle.Folded)
        {
            // Block scalars start on the next line, indented; the indentation is not known here, so point at the line.
            line++;
            column = 1;
        }

        for (var i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        if (offset > text.Length)
        {
            column += offset - text.Length;
        }

        return (line, column);
    }
}
