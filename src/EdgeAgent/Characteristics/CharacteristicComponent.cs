using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeAgent.Alarms;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;
using EdgeAgent.Spc;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Characteristics;

/// <summary>
/// One <c>characteristics:</c> entry on the live stream (router thread): each Good sample of its tag (or, with
/// <c>trigger:</c>, the tag's latest value at each rising edge of the part-complete tag) is a measurement. It is checked
/// against the spec (LSL/USL alarms with deadband) and fed to the src/Spc streaming chart; each completed subgroup
/// updates one alarm per enabled run rule (active on a violating point, cleared on the next point without it) and is
/// published as an <see cref="SpcPointEvent"/> with capability over the rolling window.
/// Per measurement that completes no subgroup and changes no alarm: O(1), no allocation.
/// </summary>
public sealed class Characteristic : ISampleConsumer
{
    private static readonly string[] NoViolations = [];

    private readonly CharacteristicConfig _config;
    private readonly TagDirectory _directory;
    private readonly Action<AgentEvent> _publish;
    private readonly bool _attribute;
    private readonly double _size;
    private readonly AlarmCondition? _usl;
    private readonly AlarmCondition? _lsl;
    private readonly (SpcRules Bit, string Name, AlarmCondition Condition)[] _rules;
    private readonly bool _hasSpec;
    private SpcChart _chart;
    private PendingLimits? _pending;
    private double _lastTrigger;
    private bool _hadLimits;
    private long _lastSaveTicks;

    public Characteristic(CharacteristicConfig config, SpcChart chart, AlarmEngine alarms, TagDirectory directory, Action<AgentEvent> publish)
    {
        _config = config;
        _chart = chart;
        _directory = directory;
        _publish = publish;
        _attribute = chart.Spec.Chart is ChartType.P or ChartType.Np or ChartType.U;
        _size = config.Subgroup;
        _hadLimits = chart.HasLimits;
        _hasSpec = config.Lsl is not null || config.Usl is not null;
        var source = (uint)config.TagId < (uint)directory.Count ? directory.Tags[config.TagId].Source : config.Tag;
        AlarmDefinition Define(string rule, string priority, string message) => new()
        {
            Id = $"{config.Name}/{rule}",
            Source = source,
            Characteristic = config.Name,
            Rule = rule,
            Priority = priority,
            Message = message,
            Context = config.Context,
        };

        if (config.Usl is { } usl)
        {
            _usl = alarms.Define(Define("usl", config.SpecPriority, $"{config.Name} above the upper spec limit {usl}"));
        }

        if (config.Lsl is { } lsl)
        {
            _lsl = alarms.Define(Define("lsl", config.SpecPriority, $"{config.Name} below the lower spec limit {lsl}"));
        }

        _rules = SpcRuleNames.Each(chart.Spec.Rules)
            .Select(bit => (bit, SpcRuleNames.Name(bit), alarms.Define(Define(SpcRuleNames.Name(bit), config.Priority, $"{config.Name}: rule {SpcRuleNames.Name(bit)}"))))
            .ToArray();
    }

    public CharacteristicConfig Config => _config;

    public SpcChart Chart => _chart;

    /// <summary>Set when the chart's limits changed or 10 s passed since the last save with new points: the component persists it.</summary>
    public Action<Characteristic>? SaveRequested { get; set; }

    /// <summary>False to leave out the <see cref="SpcPointEvent"/> (benchmarks of the decision path alone).</summary>
    public bool PublishPoints { get; set; } = true;

    public void OnSample(in Sample sample)
    {
        if (_pending is not null)
        {
            ApplyPending();
        }

        if (_config.TriggerTagId >= 0)
        {
            if (sample.TagId != _config.TriggerTagId)
            {
                return;
            }

            var rising = Expressions.Expression.IsTrue(sample.Value) && !Expressions.Expression.IsTrue(_lastTrigger);
            _lastTrigger = sample.Quality == Quality.Bad ? 0 : sample.Value;
            if (!rising || sample.Quality == Quality.Bad)
            {
                return;
            }

            ref readonly var measured = ref _directory.Latest(_config.TagId);
            if (measured.Quality != Quality.Bad && measured.SourceTicks != 0)
            {
                Measure(measured.Value, sample.ReceiveTicks);
            }

            return;
        }

        if (sample.Quality != Quality.Bad)
        {
            Measure(sample.Value, sample.ReceiveTicks);
        }
    }

    /// <summary>One measurement (public for tests and benchmarks).</summary>
    public void Measure(double value, long ticks)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        if (_hasSpec)
        {
            _usl?.UpdateMargin(value - _config.Usl!.Value, inclusive: false, _config.Deadband, value, ticks);
            _lsl?.UpdateMargin(_config.Lsl!.Value - value, inclusive: false, _config.Deadband, value, ticks);
        }

        SubgroupResult point;
        if (_attribute)
        {
            if (!_chart.Add(value, _size, out point))
            {
                return;
            }
        }
        else if (!_chart.Add(value, out point))
        {
            return;
        }

        OnPoint(point, ticks);
    }

    private void OnPoint(in SubgroupResult point, long ticks)
    {
        var violations = point.Violations;
        string[]? names = null;
        if (violations != SpcRules.None)
        {
            names = SpcRuleNames.Each(violations).Select(SpcRuleNames.Name).ToArray();
        }

        foreach (var (bit, name, condition) in _rules)
        {
            if ((violations & bit) != 0)
            {
                if (!condition.IsActive)
                {
                    condition.Raise(point.Value, ticks, $"{_config.Name}: rule {name} violated at point {point.Index} (value {point.Value:G6}, center {point.Center:G6}, ucl {point.Ucl:G6}, lcl {point.Lcl:G6})");
                }
            }
            else if (condition.IsActive)
            {
                condition.Normal(point.Value, ticks);
            }
        }

        if (PublishPoints)
        {
            _publish(ToEvent(point, ticks, names ?? NoViolations));
        }

        if (point.HasLimits != _hadLimits || (ticks - _lastSaveTicks > TimeSpan.TicksPerSecond * 10))
        {
            _hadLimits = point.HasLimits;
            _lastSaveTicks = ticks;
            SaveRequested?.Invoke(this);
        }
    }

    private SpcPointEvent ToEvent(in SubgroupResult p, long ticks, string[] violations)
    {
        var secondary = _chart.Spec.Chart.SecondaryKey();
        CapabilitySnapshot? capability = null;
        if (_hasSpec && !_attribute)
        {
            var c = _chart.GetCapability();
            capability = new CapabilitySnapshot(Num(c.Cp), Num(c.Cpk), Num(c.Pp), Num(c.Ppk), Num(c.Cpm), (int)Math.Min(c.N, int.MaxValue));
        }

        return new SpcPointEvent(new DateTime(ticks, DateTimeKind.Utc), _config.Name, _config.Chart, p.Index, p.Value, p.Center, p.Ucl, p.Lcl, violations)
        {
            SecondaryChart = secondary,
            Secondary = secondary is null ? null : Num(p.Secondary),
            SecondaryCenter = secondary is null ? null : Num(p.SecondaryCenter),
            SecondaryUcl = secondary is null ? null : Num(p.SecondaryUcl),
            SecondaryLcl = secondary is null ? null : Num(p.SecondaryLcl),
            Size = (int)p.Size,
            Baseline = !p.HasLimits,
            Capability = capability,
        };
    }

    private static double? Num(double v) => double.IsFinite(v) ? v : null;

    /// <summary>Limits pushed by the QMS (any thread): applied on the router thread before the next measurement.</summary>
    public void Push(PendingLimits limits)
    {
        Volatile.Write(ref _pending, limits);
    }

    private void ApplyPending()
    {
        var pending = Interlocked.Exchange(ref _pending, null);
        if (pending is null)
        {
            return;
        }

        if (pending.RestartBaseline)
        {
            _chart.RestartBaseline();
        }
        else
        {
            _chart.SetLimits(pending.Ucl, pending.Cl, pending.Lcl);
        }

        _hadLimits = _chart.HasLimits;
        SaveRequested?.Invoke(this);
    }
}

/// <summary>A <c>limits</c> command: fixed limits (ucl, cl, lcl) or a restarted baseline.</summary>
public sealed record PendingLimits(string Chart, double Ucl, double Cl, double Lcl, bool RestartBaseline);

/// <summary>What is persisted per characteristic in <c>{agent.data}/spc/{name}.json</c>: the chart's state and the config it belongs to.</summary>
public sealed record CharacteristicState
{
    /// <summary>Chart, subgroup, baseline and fixed limits as configured: a change of these re-baselines.</summary>
    public required string Fingerprint { get; init; }
    public required SpcState Chart { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(CharacteristicState))]
internal sealed partial class CharacteristicJson : JsonSerializerContext;

/// <summary>
/// Builds a <see cref="Characteristic"/> per <c>characteristics:</c> entry, restores each chart from
/// <c>{agent.data}/spc/</c> (so a restart does not re-baseline), saves it when its limits change and every 10 s of
/// points, and handles the <c>limits</c> command:
/// <c>{"characteristic":"press1.diameter","ucl":10.03,"cl":10.0,"lcl":9.97}</c> or <c>{"characteristic":"…","baseline":"restart"}</c>.
/// </summary>
public sealed partial class CharacteristicComponent : IAgentComponent
{
    private readonly List<Characteristic> _characteristics = new();
    private readonly Dictionary<string, SpcState> _toSave = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private string _folder = string.Empty;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private Task? _loop;

    public IReadOnlyList<Characteristic> Characteristics => _characteristics;

    public void Register(AgentContext context)
    {
        _folder = Path.Combine(context.Config.Agent.Data, "spc");
        _logger = context.Loggers.CreateLogger("EdgeAgent.Spc");
        var alarms = AlarmEngine.For(context);
        foreach (var config in context.Config.Characteristics)
        {
            if (config.TagId < 0)
            {
                continue;
            }

            var spec = SpecOf(config);
            var chart = Restore(config, spec) ?? SpcChart.Create(spec);
            var characteristic = new Characteristic(config, chart, alarms, context.Directory, context.Publish)
            {
                SaveRequested = RequestSave,
            };
            _characteristics.Add(characteristic);
            context.Subscribe(config.TriggerTagId >= 0 ? config.TriggerTagId : config.TagId, characteristic);
        }

        context.Commands.Register("limits", (payload, _) => Task.FromResult(PushLimits(payload)));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => SaveLoopAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        // The router has stopped: the charts can be read here.
        foreach (var c in _characteristics)
        {
            RequestSave(c);
        }

        Flush();
        _stop.Dispose();
    }

    /// <summary>The src/Spc chart spec of a configured characteristic.</summary>
    public static ChartSpec SpecOf(CharacteristicConfig c)
    {
        ChartTypes.TryParse(c.Chart, out var type);
        return new ChartSpec
        {
            Chart = type,
            SubgroupSize = type.IsSubgrouped() ? c.Subgroup : 1,
            Rules = SpcRuleNames.Parse(c.Rules),
            Baseline = c.Baseline ?? 25,
            Limits = c.Ucl is { } ucl && c.Cl is { } cl && c.Lcl is { } lcl ? new FixedLimits(ucl, cl, lcl) : null,
            Lsl = c.Lsl,
            Usl = c.Usl,
            Target = c.Target,
            Lambda = c.Lambda,
            L = c.L,
            K = c.K,
            H = c.H,
            CapabilityWindow = c.CapabilityWindow,
        };
    }

    private static string Fingerprint(CharacteristicConfig c) =>
        FormattableString.Invariant($"{c.Chart}|{c.Subgroup}|{c.Baseline}|{c.Ucl}|{c.Cl}|{c.Lcl}|{c.CapabilityWindow}|{c.Lambda}|{c.L}|{c.K}|{c.H}");

    private string FileOf(string name)
    {
        var safe = new string(name.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_').ToArray());
        return Path.Combine(_folder, safe + ".json");
    }

    private SpcChart? Restore(CharacteristicConfig config, ChartSpec spec)
    {
        var path = FileOf(config.Name);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var state = JsonSerializer.Deserialize(File.ReadAllText(path), CharacteristicJson.Default.CharacteristicState);
            if (state is null || state.Fingerprint != Fingerprint(config))
            {
                LogRebaseline(_logger, config.Name, "its chart configuration changed");
                return null;
            }

            var chart = SpcChart.Restore(spec, state.Chart);
            LogRestored(_logger, config.Name, chart.Count, chart.HasLimits);
            return chart;
        }
        catch (Exception ex) when (ex is JsonException or IOException or ArgumentException)
        {
            LogRebaseline(_logger, config.Name, $"its saved state cannot be used ({ex.Message})");
            return null;
        }
    }

    /// <summary>Router thread (or after it stopped): snapshots the chart and hands it to the writer.</summary>
    private void RequestSave(Characteristic c)
    {
        var state = c.Chart.Save();
        lock (_toSave)
        {
            _toSave[c.Config.Name] = state;
        }

        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    private async Task SaveLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Flush();
        }
    }

    private void Flush()
    {
        List<(string, SpcState)> batch;
        lock (_toSave)
        {
            batch = _toSave.Select(kv => (kv.Key, kv.Value)).ToList();
            _toSave.Clear();
        }

        foreach (var (name, state) in batch)
        {
            var config = _characteristics.First(c => c.Config.Name == name).Config;
            try
            {
                Directory.CreateDirectory(_folder);
                var path = FileOf(name);
                var temp = path + ".tmp";
                File.WriteAllText(temp, JsonSerializer.Serialize(new CharacteristicState { Fingerprint = Fingerprint(config), Chart = state }, CharacteristicJson.Default.CharacteristicState));
                File.Move(temp, path, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogSaveFailed(_logger, name, ex.Message);
            }
        }
    }

    private CommandResult PushLimits(ReadOnlyMemory<byte> payload)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("characteristic", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
            {
                return CommandResult.Fail("limits: expected {\"characteristic\":\"…\",\"ucl\":…,\"cl\":…,\"lcl\":…} or {\"characteristic\":\"…\",\"baseline\":\"restart\"}");
            }

            var name = nameElement.GetString()!;
            var target = _characteristics.Find(c => c.Config.Name == name);
            if (target is null)
            {
                var hint = Suggest.Closest(name, _characteristics.Select(c => c.Config.Name));
                return CommandResult.Fail($"limits: no characteristic '{name}'{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}");
            }

            if (root.TryGetProperty("baseline", out var baseline))
            {
                if (target.Config.Baseline is null && target.Chart.IsFixed)
                {
                    return CommandResult.Fail($"limits: '{name}' has fixed limits in its configuration; it has no baseline to restart");
                }

                target.Push(new PendingLimits(name, 0, 0, 0, RestartBaseline: true));
                return CommandResult.Success;
            }

            double Get(string key) =>
                root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
            var (ucl, cl, lcl) = (Get("ucl"), Get("cl"), Get("lcl"));
            if (!(double.IsFinite(ucl) && double.IsFinite(cl) && double.IsFinite(lcl) && lcl <= cl && cl <= ucl && lcl < ucl))
            {
                return CommandResult.Fail($"limits: need numbers lcl ≤ cl ≤ ucl with lcl < ucl, found ucl={ucl} cl={cl} lcl={lcl}");
            }

            target.Push(new PendingLimits(name, ucl, cl, lcl, RestartBaseline: false));
            LogLimitsPushed(_logger, name, ucl, cl, lcl);
            return CommandResult.Success;
        }
        catch (JsonException ex)
        {
            return CommandResult.Fail($"limits: payload is not JSON: {ex.Message}");
        }
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Characteristic {Characteristic} restored: {Points} points, limits known: {HasLimits}")]
    private static partial void LogRestored(ILogger logger, string characteristic, long points, bool hasLimits);

    [LoggerMessage(EventId = 901, Level = LogLevel.Warning, Message = "Characteristic {Characteristic} starts a new baseline: {Reason}")]
    private static partial void LogRebaseline(ILogger logger, string characteristic, string reason);

    [LoggerMessage(EventId = 902, Level = LogLevel.Error, Message = "Cannot save the chart of {Characteristic}: {Reason}")]
    private static partial void LogSaveFailed(ILogger logger, string characteristic, string reason);

    [LoggerMessage(EventId = 903, Level = LogLevel.Information, Message = "Limits pushed to {Characteristic}: ucl {Ucl} cl {Cl} lcl {Lcl}")]
    private static partial void LogLimitsPushed(ILogger logger, string characteristic, double ucl, double cl, double lcl);
}
