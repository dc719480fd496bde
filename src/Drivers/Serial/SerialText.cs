using System.Globalization;
using System.Text;

namespace EdgeAgent.Drivers.Serial;

/// <summary>Bytes written in YAML: <c>cr</c>, <c>lf</c>, <c>crlf</c>, or text with the escapes \r \n \t \e \\ \xNN.</summary>
public static class SerialText
{
    /// <summary>A terminator name or escaped text as bytes; null with <paramref name="error"/> when it is not valid.</summary>
    public static byte[]? Terminator(string text, out string? error) => text.ToLowerInvariant() switch
    {
        "cr" => Ok("\r"u8, out error),
        "lf" => Ok("\n"u8, out error),
        "crlf" => Ok("\r\n"u8, out error),
        _ => Unescape(text, out error),
    };

    /// <summary>Text with escapes as bytes (Latin-1 for the rest); null with <paramref name="error"/> for a bad escape or empty text.</summary>
    public static byte[]? Unescape(string text, out string? error)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\')
            {
                if (c > 0xFF)
                {
                    error = $"character '{c}' is not a single byte; write it as \\xNN";
                    return null;
                }

                bytes.Add((byte)c);
                continue;
            }

            if (++i == text.Length)
            {
                error = "a lone '\\' at the end; write \\\\ for a backslash";
                return null;
            }

            switch (text[i])
            {
                case 'r': bytes.Add((byte)'\r'); break;
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'e': bytes.Add(0x1B); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case 'x' when i + 2 < text.Length && byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex):
                    bytes.Add(hex);
                    i += 2;
                    break;
                default:
                    error = $"unknown escape '\\{text[i]}' (known: \\r \\n \\t \\e \\\\ \\xNN)";
                    return null;
            }
        }

        if (bytes.Count == 0)
        {
            error = "must not be empty";
            return null;
        }

        error = null;
        return bytes.ToArray();
    }

    private static byte[] Ok(ReadOnlySpan<byte> bytes, out string? error)
    {
        error = null;
        return bytes.ToArray();
    }

    /// <summary>The YAML <c>profile:</c> value: a built-in name or <c>regex:PATTERN</c>.</summary>
    public static (ProfileKind? Kind, string? Pattern, string? Error) Profile(string text)
    {
        if (text.StartsWith("regex:", StringComparison.Ordinal))
        {
            var pattern = text["regex:".Length..];
            return RegexProfile.Check(pattern) is { } problem ? (null, null, problem) : (ProfileKind.Regex, pattern, null);
        }

        return GaugeProfile.KindOf(text) is { } kind
            ? (kind, null, null)
            : (null, null, $"unknown profile '{text}'; expected one of: {string.Join(", ", GaugeProfile.Names)}, or regex:PATTERN");
    }

    internal static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}
