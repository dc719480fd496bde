using EdgeAgent.Config;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Expressions;

/// <summary>Where an evaluation reads tag values from (a struct or ref struct, so evaluation does not allocate or box).</summary>
public interface ITagValues
{
    /// <summary>The tag's current value; NaN when unknown or of Bad quality (every comparison with NaN is false).</summary>
    double Value(int tagId);
}

/// <summary>Latest values of the pipeline's <see cref="TagDirectory"/> (Bad quality reads as NaN).</summary>
public readonly struct DirectoryValues(TagDirectory directory) : ITagValues
{
    public double Value(int tagId)
    {
        ref readonly var s = ref directory.Latest(tagId);
        return s.Quality == Drivers.Quality.Bad ? double.NaN : s.Value;
    }
}

/// <summary>Values from a span indexed by tag id (tests, benchmarks).</summary>
public readonly ref struct SpanValues(ReadOnlySpan<double> values) : ITagValues
{
    private readonly ReadOnlySpan<double> _values = values;

    public double Value(int tagId) => (uint)tagId < (uint)_values.Length ? _values[tagId] : double.NaN;
}

/// <summary>
/// A boolean expression over tags, compiled at config load into postfix code that evaluates without allocating:
/// <c>press1.running == 1 and not (press1.fault_code != 0)</c>, optionally with an alarm on-delay
/// <c>press1.temp &gt; 80 for 5s</c>. The language has comparisons, and/or/not, + - * /, parentheses, numbers,
/// true/false and tag names; nothing else (no calls, no code execution). A value is true when it is neither 0 nor NaN.
/// </summary>
public sealed class Expression
{
    private readonly Instruction[] _code;
    private readonly int _stackDepth;
    private readonly NodeKind _rootKind;

    private Expression(string text, Instruction[] code, int stackDepth, int[] tags, NodeKind rootKind, TimeSpan? forDuration)
    {
        Text = text;
        _code = code;
        _stackDepth = stackDepth;
        TagIds = tags;
        _rootKind = rootKind;
        For = forDuration;
    }

    /// <summary>The expression as written (including any 'for').</summary>
    public string Text { get; }

    /// <summary>Distinct tag ids the expression reads, in order of first use.</summary>
    public int[] TagIds { get; }

    /// <summary>The <c>for DURATION</c> on-delay of an alarm condition, when written.</summary>
    public TimeSpan? For { get; }

    /// <summary>True when the top of the expression is an ordering comparison (&lt; &lt;= &gt; &gt;=), so a deadband applies.</summary>
    public bool SupportsDeadband => _rootKind is NodeKind.Lt or NodeKind.Le or NodeKind.Gt or NodeKind.Ge;

    /// <summary>True when the top comparison includes equality (&lt;= or &gt;=): a margin of 0 is inside the true region.</summary>
    public bool IsInclusive => _rootKind is NodeKind.Le or NodeKind.Ge;

    public override string ToString() => Text;

    /// <summary>Compiles <paramref name="text"/>; throws <see cref="ExpressionException"/> with every error.</summary>
    public static Expression Compile(string text, ITagResolver tags, bool allowFor = false)
    {
        var errors = new List<ExpressionError>();
        return TryCompile(text, tags, allowFor, errors) ?? throw new ExpressionException(text, errors);
    }

    /// <summary>Compiles <paramref name="text"/>, or returns null and adds every error (syntax, unknown tags) to <paramref name="errors"/>.</summary>
    public static Expression? TryCompile(string text, ITagResolver tags, bool allowFor, List<ExpressionError> errors)
    {
        var (root, forDuration, error) = Parser.Parse(text, allowFor);
        if (error is { } e)
        {
            errors.Add(e);
            return null;
        }

        var code = new List<Instruction>();
        var tagIds = new List<int>();
        var before = errors.Count;
        var depth = Emit(root!, code, tagIds, tags, errors, 0);
        if (errors.Count > before)
        {
            return null;
        }

        return new Expression(text, code.ToArray(), depth, tagIds.ToArray(), root!.Kind, forDuration);
    }

    /// <summary>Emits postfix code for <paramref name="node"/>; returns the stack depth it needs.</summary>
    private static int Emit(Node node, List<Instruction> code, List<int> tagIds, ITagResolver tags, List<ExpressionError> errors, int level)
    {
        switch (node.Kind)
        {
            case NodeKind.Number:
                code.Add(new Instruction(NodeKind.Number, 0, node.Number));
                return 1;
            case NodeKind.Tag:
                var id = tags.Resolve(node.Name!);
                if (id < 0)
                {
                    var hint = Suggest.Closest(node.Name!, tags.Names);
                    var shape = node.Name!.Contains('.') ? string.Empty : " (tags are named source.tag)";
                    errors.Add(new ExpressionError(node.Offset, node.Length,
                        $"unknown tag '{node.Name}'{shape}{(hint is null ? string.Empty : $"; did you mean '{hint}'?")}"));
                    return 1;
                }

                if (!tagIds.Contains(id))
                {
                    tagIds.Add(id);
                }

                code.Add(new Instruction(NodeKind.Tag, id, 0));
                return 1;
            case NodeKind.Not or NodeKind.Negate:
                var d = Emit(node.Left!, code, tagIds, tags, errors, level + 1);
                code.Add(new Instruction(node.Kind, 0, 0));
                return d;
            default:
                var left = Emit(node.Left!, code, tagIds, tags, errors, level + 1);
                var right = Emit(node.Right!, code, tagIds, tags, errors, level + 1);
                code.Add(new Instruction(node.Kind, 0, 0));
                return Math.Max(left, right + 1);
        }
    }

    public static bool IsTrue(double value) => value != 0 && !double.IsNaN(value);

    /// <summary>True when the condition holds for the latest values in <paramref name="directory"/>.</summary>
    public bool IsTrue(TagDirectory directory) => IsTrue(Evaluate(new DirectoryValues(directory)));

    public bool IsTrue<T>(in T values)
        where T : ITagValues, allows ref struct => IsTrue(Evaluate(values));

    /// <summary>The expression's value (1/0 for conditions; NaN when a tag it needs is unknown).</summary>
    public double Evaluate<T>(in T values)
        where T : ITagValues, allows ref struct
    {
        Span<double> stack = _stackDepth <= 32 ? stackalloc double[32] : new double[_stackDepth];
        var sp = Run(values, stack, _code.Length);
        return sp == 1 ? stack[0] : double.NaN;
    }

    /// <summary>
    /// How far the top comparison is into its true region: for <c>a &gt; b</c> it is a − b, for <c>a &lt; b</c> it is b − a
    /// (NaN when a tag is unknown). An alarm with a deadband clears only once the margin falls below −deadband.
    /// Only valid when <see cref="SupportsDeadband"/>.
    /// </summary>
    public double Margin<T>(in T values)
        where T : ITagValues, allows ref struct
    {
        Span<double> stack = _stackDepth <= 32 ? stackalloc double[32] : new double[_stackDepth];
        var sp = Run(values, stack, _code.Length - 1);
        if (sp != 2)
        {
            return double.NaN;
        }

        var a = stack[0];
        var b = stack[1];
        return _rootKind is NodeKind.Gt or NodeKind.Ge ? a - b : b - a;
    }

    private int Run<T>(in T values, Span<double> stack, int count)
        where T : ITagValues, allows ref struct
    {
        var code = _code;
        var sp = 0;
        for (var i = 0; i < count; i++)
        {
            ref readonly var ins = ref code[i];
            switch (ins.Op)
            {
                case NodeKind.Number:
                    stack[sp++] = ins.Number;
                    break;
                case NodeKind.Tag:
                    stack[sp++] = values.Value(ins.TagId);
                    break;
                case NodeKind.Not:
                    stack[sp - 1] = IsTrue(stack[sp - 1]) ? 0 : 1;
                    break;
                case NodeKind.Negate:
                    stack[sp - 1] = -stack[sp - 1];
                    break;
                default:
                    var b = stack[--sp];
                    var a = stack[sp - 1];
                    stack[sp - 1] = ins.Op switch
                    {
                        NodeKind.And => IsTrue(a) && IsTrue(b) ? 1 : 0,
                        NodeKind.Or => IsTrue(a) || IsTrue(b) ? 1 : 0,
                        NodeKind.Eq => a == b ? 1 : 0,
                        NodeKind.Ne => !double.IsNaN(a) && !double.IsNaN(b) && a != b ? 1 : 0,
                        NodeKind.Lt => a < b ? 1 : 0,
                        NodeKind.Le => a <= b ? 1 : 0,
                        NodeKind.Gt => a > b ? 1 : 0,
                        NodeKind.Ge => a >= b ? 1 : 0,
                        NodeKind.Add => a + b,
                        NodeKind.Sub => a - b,
                        NodeKind.Mul => a * b,
                        NodeKind.Div => a / b,
                        _ => double.NaN,
                    };
                    break;
            }
        }

        return sp;
    }

    private readonly record struct Instruction(NodeKind Op, int TagId, double Number);
}
