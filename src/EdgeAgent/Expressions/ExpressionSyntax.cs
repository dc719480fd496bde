using System.Globalization;

namespace EdgeAgent.Expressions;

/// <summary>
/// One error in an expression: where (0-based character <see cref="Offset"/> and <see cref="Length"/> inside the
/// expression text) and what. The config binder adds the offset to the YAML scalar's position to print FILE:LINE:COL.
/// </summary>
public readonly record struct ExpressionError(int Offset, int Length, string Message);

/// <summary>Thrown by <see cref="Expression.Compile(string, ITagResolver, bool)"/>: the first error, and all of them.</summary>
public sealed class ExpressionException : Exception
{
    public ExpressionException(string expression, IReadOnlyList<ExpressionError> errors)
        : base($"{errors[0].Message} (at column {errors[0].Offset + 1} of '{expression}')")
    {
        Expression = expression;
        Errors = errors;
    }

    /// <summary>The expression text as written.</summary>
    public string Expression { get; }

    /// <summary>0-based offset of the first error inside <see cref="Expression"/>.</summary>
    public int Offset => Errors[0].Offset;

    public IReadOnlyList<ExpressionError> Errors { get; }
}

internal enum TokenKind : byte
{
    End,
    Number,
    Duration,
    Name,
    LParen,
    RParen,
    And,
    Or,
    Not,
    True,
    False,
    For,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    Error,
}

internal readonly record struct Token(TokenKind Kind, int Offset, int Length, double Number = 0, string? Text = null);

/// <summary>
/// The lexer. Grammar of tokens:
/// <code>
/// number   := digits ['.' digits] [('e'|'E') ['+'|'-'] digits]
/// duration := number unit          unit: us ms s m min h d (only after 'for')
/// name     := (letter|'_') (letter|digit|'_'|'-')* ['.' (letter|digit|'_'|'-')+]   e.g. press1.fault_code
/// keywords := and or not true false for   (also &amp;&amp; || !)
/// ops      := == != &lt; &lt;= &gt; &gt;= + - * / ( )
/// </code>
/// A '-' inside a name belongs to the name (names may contain '-', as YAML names do): write <c>a.b - c.d</c> with spaces
/// to subtract.
/// </summary>
internal struct Lexer
{
    private readonly string _text;
    private int _pos;

    public Lexer(string text)
    {
        _text = text;
        _pos = 0;
    }

    public Token Next()
    {
        var t = _text;
        while (_pos < t.Length && char.IsWhiteSpace(t[_pos]))
        {
            _pos++;
        }

        if (_pos >= t.Length)
        {
            return new Token(TokenKind.End, t.Length, 0);
        }

        var start = _pos;
        var c = t[_pos];
        if (char.IsAsciiDigit(c) || (c == '.' && _pos + 1 < t.Length && char.IsAsciiDigit(t[_pos + 1])))
        {
            return LexNumber(start);
        }

        if (char.IsAsciiLetter(c) || c == '_')
        {
            return LexName(start);
        }

        _pos++;
        var next = _pos < t.Length ? t[_pos] : '\0';
        switch (c)
        {
            case '(': return new Token(TokenKind.LParen, start, 1);
            case ')': return new Token(TokenKind.RParen, start, 1);
            case '+': return new Token(TokenKind.Plus, start, 1);
            case '-': return new Token(TokenKind.Minus, start, 1);
            case '*': return new Token(TokenKind.Star, start, 1);
            case '/': return new Token(TokenKind.Slash, start, 1);
            case '=' when next == '=': _pos++; return new Token(TokenKind.Eq, start, 2);
            case '=': return new Token(TokenKind.Error, start, 1, Text: "'=' is not an operator; compare with '=='");
            case '!' when next == '=': _pos++; return new Token(TokenKind.Ne, start, 2);
            case '!': return new Token(TokenKind.Not, start, 1);
            case '<' when next == '=': _pos++; return new Token(TokenKind.Le, start, 2);
            case '<' when next == '>': _pos++; return new Token(TokenKind.Ne, start, 2);
            case '<': return new Token(TokenKind.Lt, start, 1);
            case '>' when next == '=': _pos++; return new Token(TokenKind.Ge, start, 2);
            case '>': return new Token(TokenKind.Gt, start, 1);
            case '&' when next == '&': _pos++; return new Token(TokenKind.And, start, 2);
            case '|' when next == '|': _pos++; return new Token(TokenKind.Or, start, 2);
            default:
                var shown = char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString();
                return new Token(TokenKind.Error, start, 1, Text: $"unexpected character '{shown}'; expected a tag name, a number, a comparison (== != < <= > >=), and/or/not or parentheses");
        }
    }

    private Token LexNumber(int start)
    {
        var t = _text;
        while (_pos < t.Length && char.IsAsciiDigit(t[_pos]))
        {
            _pos++;
        }

        if (_pos < t.Length && t[_pos] == '.')
        {
            _pos++;
            while (_pos < t.Length && char.IsAsciiDigit(t[_pos]))
            {
                _pos++;
            }
        }

        if (_pos + 1 < t.Length && t[_pos] is 'e' or 'E'
            && (char.IsAsciiDigit(t[_pos + 1]) || (t[_pos + 1] is '+' or '-' && _pos + 2 < t.Length && char.IsAsciiDigit(t[_pos + 2]))))
        {
            _pos += 2;
            while (_pos < t.Length && char.IsAsciiDigit(t[_pos]))
            {
                _pos++;
            }
        }

        var numberEnd = _pos;
        if (!double.TryParse(t.AsSpan(start, numberEnd - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            return new Token(TokenKind.Error, start, numberEnd - start, Text: $"'{t[start..numberEnd]}' is not a valid number");
        }

        if (_pos < t.Length && (char.IsAsciiLetter(t[_pos]) || t[_pos] == 'µ'))
        {
            while (_pos < t.Length && (char.IsAsciiLetterOrDigit(t[_pos]) || t[_pos] is '_' or 'µ' or '.'))
            {
                _pos++;
            }

            var text = t[start.._pos];
            if (Config.Durations.TryParse(text, out var duration))
            {
                return new Token(TokenKind.Duration, start, _pos - start, duration.TotalSeconds, text);
            }

            return new Token(TokenKind.Error, start, _pos - start, Text: $"'{text}' is neither a number nor a duration (durations: 500ms, 5s, 2m, 1h)");
        }

        return new Token(TokenKind.Number, start, numberEnd - start, value);
    }

    private Token LexName(int start)
    {
        var t = _text;
        _pos++;
        var dots = 0;
        while (_pos < t.Length)
        {
            var c = t[_pos];
            if (char.IsAsciiLetterOrDigit(c) || c == '_' || (c == '-' && _pos + 1 < t.Length && (char.IsAsciiLetterOrDigit(t[_pos + 1]) || t[_pos + 1] == '_')))
            {
                _pos++;
            }
            else if (c == '.' && _pos + 1 < t.Length && (char.IsAsciiLetterOrDigit(t[_pos + 1]) || t[_pos + 1] == '_'))
            {
                dots++;
                _pos++;
            }
            else
            {
                break;
            }
        }

        var text = t[start.._pos];
        if (dots == 0)
        {
            switch (text)
            {
                case "and" or "AND": return new Token(TokenKind.And, start, text.Length);
                case "or" or "OR": return new Token(TokenKind.Or, start, text.Length);
                case "not" or "NOT": return new Token(TokenKind.Not, start, text.Length);
                case "true" or "TRUE" or "True": return new Token(TokenKind.True, start, text.Length);
                case "false" or "FALSE" or "False": return new Token(TokenKind.False, start, text.Length);
                case "for" or "FOR": return new Token(TokenKind.For, start, text.Length);
            }
        }

        return new Token(TokenKind.Name, start, text.Length, Text: text);
    }
}

/// <summary>Syntax tree node kinds (the compiler flattens them into postfix code).</summary>
internal enum NodeKind : byte
{
    Number,
    Tag,
    Not,
    Negate,
    And,
    Or,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

internal sealed record Node(NodeKind Kind, int Offset, int Length, double Number = 0, string? Name = null, Node? Left = null, Node? Right = null)
{
    public bool IsComparison => Kind is NodeKind.Eq or NodeKind.Ne or NodeKind.Lt or NodeKind.Le or NodeKind.Gt or NodeKind.Ge;

    public bool IsBoolean => IsComparison || Kind is NodeKind.And or NodeKind.Or or NodeKind.Not;
}

/// <summary>
/// Recursive-descent parser. Grammar (lowest precedence first):
/// <code>
/// alarm      := or ['for' duration]
/// or         := and (('or'|'||') and)*
/// and        := not (('and'|'&amp;&amp;') not)*
/// not        := ('not'|'!') not | comparison
/// comparison := sum [('=='|'!='|'&lt;'|'&lt;='|'&gt;'|'&gt;=') sum]
/// sum        := product (('+'|'-') product)*
/// product    := unary (('*'|'/') unary)*
/// unary      := '-' unary | primary
/// primary    := number | name | 'true' | 'false' | '(' or ')'
/// </code>
/// Nesting is limited to <see cref="MaxDepth"/> so hostile input cannot overflow the stack.
/// </summary>
internal sealed class Parser
{
    public const int MaxDepth = 64;
    public const int MaxLength = 4096;

    private readonly string _text;
    private Lexer _lexer;
    private Token _token;
    private int _depth;

    private Parser(string text)
    {
        _text = text;
        _lexer = new Lexer(text);
        _token = _lexer.Next();
    }

    public static (Node? Root, TimeSpan? For, ExpressionError? Error) Parse(string text, bool allowFor)
    {
        if (text.Length > MaxLength)
        {
            return (null, null, new ExpressionError(MaxLength, 0, $"the expression is longer than {MaxLength} characters"));
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null, new ExpressionError(0, 0, "the expression is empty; expected e.g. press1.running == 1"));
        }

        var parser = new Parser(text);
        try
        {
            var root = parser.ParseOr();
            TimeSpan? forDuration = null;
            if (parser._token.Kind == TokenKind.For)
            {
                var forToken = parser._token;
                if (!allowFor)
                {
                    throw new ParseError(forToken.Offset, forToken.Length, "'for DURATION' is only allowed in alarm conditions");
                }

                parser.Advance();
                if (parser._token.Kind != TokenKind.Duration)
                {
                    throw parser.Unexpected("a duration after 'for' (e.g. 5s, 500ms, 2m)");
                }

                forDuration = TimeSpan.FromSeconds(parser._token.Number);
                parser.Advance();
            }

            if (parser._token.Kind != TokenKind.End)
            {
                throw parser.Unexpected(allowFor ? "and, or, a comparison, 'for DURATION' or the end" : "and, or, a comparison or the end");
            }

            if (!root.IsBoolean && root.Kind is not NodeKind.Tag and not NodeKind.Number)
            {
                throw new ParseError(root.Offset, root.Length, "the expression computes a number, not a condition; compare it, e.g. '… > 80'");
            }

            return (root, forDuration, null);
        }
        catch (ParseError e)
        {
            return (null, null, new ExpressionError(e.Offset, e.Length, e.Message));
        }
    }

    private void Advance()
    {
        _token = _lexer.Next();
        if (_token.Kind == TokenKind.Error)
        {
            throw new ParseError(_token.Offset, _token.Length, _token.Text!);
        }
    }

    private ParseError Unexpected(string expected)
    {
        var found = _token.Kind switch
        {
            TokenKind.End => "the end of the expression",
            TokenKind.Error => null,
            _ => $"'{_text.Substring(_token.Offset, _token.Length)}'",
        };
        return found is null
            ? new ParseError(_token.Offset, _token.Length, _token.Text!)
            : new ParseError(_token.Offset, _token.Length, $"expected {expected}, found {found}");
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw new ParseError(_token.Offset, _token.Length, $"the expression is nested more than {MaxDepth} levels deep");
        }
    }

    private static Node Binary(NodeKind kind, Node left, Node right) =>
        new(kind, left.Offset, right.Offset + right.Length - left.Offset, Left: left, Right: right);

    private Node ParseOr()
    {
        Enter();
        var left = ParseAnd();
        while (_token.Kind == TokenKind.Or)
        {
            Advance();
            left = Binary(NodeKind.Or, left, ParseAnd());
        }

        _depth--;
        return left;
    }

    private Node ParseAnd()
    {
        var left = ParseNot();
        while (_token.Kind == TokenKind.And)
        {
            Advance();
            left = Binary(NodeKind.And, left, ParseNot());
        }

        return left;
    }

    private Node ParseNot()
    {
        if (_token.Kind == TokenKind.Not)
        {
            var start = _token.Offset;
            Enter();
            Advance();
            var operand = ParseNot();
            _depth--;
            return new Node(NodeKind.Not, start, operand.Offset + operand.Length - start, Left: operand);
        }

        return ParseComparison();
    }

    private Node ParseComparison()
    {
        var left = ParseSum();
        var kind = _token.Kind switch
        {
            TokenKind.Eq => NodeKind.Eq,
            TokenKind.Ne => NodeKind.Ne,
            TokenKind.Lt => NodeKind.Lt,
            TokenKind.Le => NodeKind.Le,
            TokenKind.Gt => NodeKind.Gt,
            TokenKind.Ge => NodeKind.Ge,
            _ => (NodeKind?)null,
        };
        if (kind is null)
        {
            return left;
        }

        Advance();
        var right = ParseSum();
        if (_token.Kind is TokenKind.Eq or TokenKind.Ne or TokenKind.Lt or TokenKind.Le or TokenKind.Gt or TokenKind.Ge)
        {
            throw new ParseError(_token.Offset, _token.Length, "comparisons do not chain (a < b < c); write 'a < b and b < c'");
        }

        return Binary(kind.Value, left, right);
    }

    private Node ParseSum()
    {
        var left = ParseProduct();
        while (_token.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var kind = _token.Kind == TokenKind.Plus ? NodeKind.Add : NodeKind.Sub;
            Advance();
            left = Binary(kind, left, ParseProduct());
        }

        return left;
    }

    private Node ParseProduct()
    {
        var left = ParseUnary();
        while (_token.Kind is TokenKind.Star or TokenKind.Slash)
        {
            var kind = _token.Kind == TokenKind.Star ? NodeKind.Mul : NodeKind.Div;
            Advance();
            left = Binary(kind, left, ParseUnary());
        }

        return left;
    }

    private Node ParseUnary()
    {
        if (_token.Kind == TokenKind.Minus)
        {
            var start = _token.Offset;
            Enter();
            Advance();
            var operand = ParseUnary();
            _depth--;
            return new Node(NodeKind.Negate, start, operand.Offset + operand.Length - start, Left: operand);
        }

        return ParsePrimary();
    }

    private Node ParsePrimary()
    {
        var token = _token;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Advance();
                return new Node(NodeKind.Number, token.Offset, token.Length, token.Number);
            case TokenKind.True or TokenKind.False:
                Advance();
                return new Node(NodeKind.Number, token.Offset, token.Length, token.Kind == TokenKind.True ? 1 : 0);
            case TokenKind.Name:
                Advance();
                return new Node(NodeKind.Tag, token.Offset, token.Length, Name: token.Text);
            case TokenKind.Duration:
                throw new ParseError(token.Offset, token.Length, $"a duration ('{token.Text}') is only allowed after 'for'");
            case TokenKind.LParen:
                Advance();
                var inner = ParseOr();
                if (_token.Kind != TokenKind.RParen)
                {
                    throw _token.Kind == TokenKind.End
                        ? new ParseError(token.Offset, 1, "unclosed '(': expected ')' before the end of the expression")
                        : Unexpected("')'");
                }

                var close = _token;
                Advance();
                return inner with { Offset = token.Offset, Length = close.Offset + 1 - token.Offset };
            default:
                throw Unexpected("a tag name (source.tag), a number, 'not' or '('");
        }
    }

    private sealed class ParseError(int offset, int length, string message) : Exception(message)
    {
        public int Offset { get; } = offset;
        public int Length { get; } = length;
    }
}
