using CsCheck;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using EdgeAgent.Config;
using EdgeAgent.Equipment;
using EdgeAgent.Expressions;

namespace EdgeAgent.Tests.Expressions;

public class ExpressionTests
{
    private static readonly DictionaryTagResolver Tags = new(new Dictionary<string, int>
    {
        ["press1.running"] = 0,
        ["press1.fault_code"] = 1,
        ["press1.temp"] = 2,
        ["press-2.door_open"] = 3,
    });

    private static double Eval(string text, params double[] values) => Expression.Compile(text, Tags, allowFor: true).Evaluate(new SpanValues(values));

    [Theory]
    [InlineData("press1.running == 1", 1)]
    [InlineData("press1.running != 1", 0)]
    [InlineData("press1.temp > 80", 1)]
    [InlineData("press1.temp >= 81.5", 1)]
    [InlineData("press1.temp < 81.5", 0)]
    [InlineData("press1.temp <= 81.5", 1)]
    [InlineData("press1.running == 1 and press1.fault_code == 0", 0)]
    [InlineData("press1.running == 1 && not (press1.fault_code != 0)", 0)]
    [InlineData("press1.running == 1 or press1.fault_code == 0", 1)]
    [InlineData("not press1.running", 0)]
    [InlineData("!press1.running || press-2.door_open", 0)]
    [InlineData("press1.temp - 1.5 * 2 > 78", 1)]
    [InlineData("(press1.temp + 0.5) / 2 == 41", 1)]
    [InlineData("-press1.temp < -80", 1)]
    [InlineData("true and not false", 1)]
    [InlineData("press1.fault_code", 7)]
    [InlineData("1e2 > press1.temp", 1)]
    public void Evaluates_comparisons_logic_and_arithmetic(string text, double expected)
    {
        Assert.Equal(expected, Eval(text, 1, 7, 81.5, 0));
    }

    [Fact]
    public void Comparisons_with_an_unknown_value_are_false()
    {
        Assert.Equal(0, Eval("press1.temp > 80", 1, 0, double.NaN, 0));
        Assert.Equal(0, Eval("press1.temp != 80", 1, 0, double.NaN, 0));
        Assert.Equal(0, Eval("press1.temp <= 80", 1, 0, double.NaN, 0));
    }

    [Fact]
    public void For_clause_is_the_alarm_on_delay()
    {
        var e = Expression.Compile("press1.temp > 80 for 5s", Tags, allowFor: true);
        Assert.Equal(TimeSpan.FromSeconds(5), e.For);
        Assert.Equal([2], e.TagIds);
        Assert.True(e.SupportsDeadband);
        Assert.Equal(1.5, e.Margin(new SpanValues([0, 0, 81.5, 0])));
        Assert.Equal(TimeSpan.FromMilliseconds(250), Expression.Compile("press1.temp < 3 for 250ms", Tags, true).For);
        Assert.Equal(0.5, Expression.Compile("press1.temp < 3", Tags).Margin(new SpanValues([0, 0, 2.5, 0])));
    }

    [Theory]
    [InlineData("press1.running = 1", 15, "'=' is not an operator; compare with '=='")]
    [InlineData("press1.running == ", 18, "expected a tag name (source.tag), a number, 'not' or '(', found the end of the expression")]
    [InlineData("(press1.running == 1", 0, "unclosed '('")]
    [InlineData("press1.running == 1 and", 23, "found the end of the expression")]
    [InlineData("press1.running == 1 press1.temp", 20, "expected and, or, a comparison or the end, found 'press1.temp'")]
    [InlineData("press1.temp > 80 for 5s", 17, "'for DURATION' is only allowed in alarm conditions")]
    [InlineData("press1.temp > 5s", 14, "a duration ('5s') is only allowed after 'for'")]
    [InlineData("1 < press1.temp < 3", 16, "comparisons do not chain")]
    [InlineData("press1.temp $ 3", 12, "unexpected character '$'")]
    [InlineData("press1.temp + 3", 0, "computes a number, not a condition")]
    [InlineData("", 0, "the expression is empty")]
    public void Syntax_errors_name_the_offset_and_what_was_expected(string text, int offset, string message)
    {
        var ex = Assert.Throws<ExpressionException>(() => Expression.Compile(text, Tags));
        Assert.Equal(offset, ex.Offset);
        Assert.Contains(message, ex.Errors[0].Message);
    }

    [Fact]
    public void Unknown_tags_are_all_reported_with_did_you_mean()
    {
        var ex = Assert.Throws<ExpressionException>(() => Expression.Compile("press1.runing == 1 or press1.temperature > 3 or x > 1", Tags));
        Assert.Equal(3, ex.Errors.Count);
        Assert.Equal(0, ex.Errors[0].Offset);
        Assert.Equal("unknown tag 'press1.runing'; did you mean 'press1.running'?", ex.Errors[0].Message);
        Assert.Equal(22, ex.Errors[1].Offset);
        Assert.Equal("unknown tag 'x' (tags are named source.tag)", ex.Errors[2].Message);
    }

    [Fact]
    public void Evaluation_does_not_allocate()
    {
        var e = Expression.Compile("(press1.running == 1 and press1.fault_code == 0) or press1.temp > 80 * 2 - 1", Tags);
        var values = new double[] { 1, 0, 3, 0 };
        e.Evaluate(new SpanValues(values));
        var before = GC.GetAllocatedBytesForCurrentThread();
        double sum = 0;
        for (var i = 0; i < 1000; i++)
        {
            sum += e.Evaluate(new SpanValues(values));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000, sum);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        var text = new string('(', 10_000) + "press1.running" + new string(')', 10_000);
        var ex = Assert.Throws<ExpressionException>(() => Expression.Compile(text[..4000], Tags));
        Assert.Contains("nested more than", ex.Message);
        Assert.Contains("longer than", Assert.Throws<ExpressionException>(() => Expression.Compile(text, Tags)).Message);
        Assert.Contains("nested more than", Assert.Throws<ExpressionException>(() => Expression.Compile(new string('!', 3000) + "true", Tags)).Message);
    }

    [Fact]
    public void Arbitrary_text_never_crashes_the_compiler()
    {
        var alphabet = Gen.OneOfConst("press1.running", "press1.temp", "press-2.door_open", "x.y", " ", "(", ")", "==", "!=", "<", "<=", ">", ">=",
            "=", "!", "and", "or", "not", "&&", "||", "true", "false", "for", "5s", "1.5", "1e3", "-", "+", "*", "/", ".", "e", "\t", "$", "\u00b5");
        Gen.Char.Array[0, 40].Select(c => new string(c))
            .SampleWithDeadline(text => CompileOrError(text), iter: 20_000, property: "arbitrary characters never crash the compiler");
        alphabet.Array[0, 30].Select(parts => string.Join(string.Empty, parts))
            .SampleWithDeadline(text => CompileOrError(text), iter: 50_000, property: "arbitrary token sequences never crash the compiler");
    }

    private static void CompileOrError(string text)
    {
        var errors = new List<ExpressionError>();
        var e = Expression.TryCompile(text, Tags, allowFor: true, errors);
        if (e is null)
        {
            Assert.NotEmpty(errors);
            Assert.All(errors, err => Assert.InRange(err.Offset, 0, Math.Max(text.Length, 0) + 1));
        }
        else
        {
            e.Evaluate(new SpanValues([1, 2, 3, 4]));
            if (e.SupportsDeadband)
            {
                e.Margin(new SpanValues([1, 2, 3, 4]));
            }
        }
    }

    [Fact]
    public void Config_errors_point_inside_the_expression_at_file_line_column()
    {
        const string yaml = """
            sources:
              - name: press1
                driver: simulator
                tags:
                  - { name: running, signal: square }
                  - { name: temp, signal: sine }
            equipment:
              - name: press1
                running: press1.running == 1 and press1.tmp > 3
                fault: "press1.temp >> 3"
                alarms:
                  - { name: hot, when: "press1.temp > 80 for 5s", deadband: 2, priority: high, context: [press1.runing] }
                  - { name: eq, when: press1.temp == 80, deadband: 2 }
            """;
        var (_, errors) = ConfigLoader.TryParse(yaml, "line.yaml");
        var lines = errors.Sorted().Select(e => e.ToString()).ToList();
        Assert.Contains("line.yaml:9:38: equipment[0].running: unknown tag 'press1.tmp'; did you mean 'press1.temp'?", lines);
        Assert.Contains("line.yaml:10:26: equipment[0].fault: expected a tag name (source.tag), a number, 'not' or '(', found '>'", lines);
        Assert.Contains(lines, l => l.StartsWith("line.yaml:12:", StringComparison.Ordinal) && l.Contains("unknown tag 'press1.runing'"));
        Assert.Contains(lines, l => l.StartsWith("line.yaml:13:", StringComparison.Ordinal) && l.Contains("a deadband needs a condition"));
        Assert.Equal(4, lines.Count);
    }

    [Fact]
    public void A_valid_config_compiles_its_expressions_and_alarms()
    {
        const string yaml = """
            sources:
              - name: press1
                driver: simulator
                tags:
                  - { name: running, signal: square }
                  - { name: temp, signal: sine }
                  - { name: count, signal: counter }
            equipment:
              - name: press1
                running: press1.running == 1
                fault: press1.temp > 100
                parts: { total: press1.count }
                context: [press1.count]
                alarms:
                  - { name: hot, when: "press1.temp > 80 for 5s", deadband: 2, priority: high }
            """;
        var (config, errors) = ConfigLoader.TryParse(yaml, "ok.yaml");
        Assert.False(errors.HasErrors, string.Join("\n", errors.Errors));
        var eq = config!.Equipment()[0];
        Assert.NotNull(eq.RunningWhen);
        Assert.Equal(["press1"], eq.Sources);
        Assert.Equal(2, eq.PartsTotalTagId);
        var alarm = Assert.Single(eq.Alarms);
        Assert.Equal("press1/hot", alarm.Id);
        Assert.Equal(TimeSpan.FromSeconds(5), alarm.OnDelay);
        Assert.Equal("high", alarm.Priority);
        Assert.Equal([new EdgeAgent.Pipeline.ContextTag("press1.count", 2)], alarm.Context);
    }
}
