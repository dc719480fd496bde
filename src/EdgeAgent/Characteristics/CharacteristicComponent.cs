using System.Text.Json;
using EdgeAgent.Config;
using EdgeAgent.Pipeline;
using EdgeAgent.Spc;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Characteristics;

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

    private readonly IReadOnlyList<CharacteristicConfig> _configs;

    public CharacteristicComponent(IReadOnlyList<CharacteristicConfig> configs) => _configs = configs;

    public IReadOnlyList<Characteristic> Characteristics => _characteristics;

    public void Register(AgentContext context)
    {
        _folder = Path.Combine(context.Agent.Data, "spc");
        _logger = context.Loggers.CreateLogger("EdgeAgent.Spc");
        var alarms = context.Alarms;
        foreach (var config in _configs)
        {
            context.DeclareProducer(ProducerKind.Characteristic, config.Name);
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
                LogSaveFailed(_logger, ex, name);
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

    [LoggerMessage(EventId = 902, Level = LogLevel.Error, Message = "Cannot save the chart of {Characteristic}")]
    private static partial void LogSaveFailed(ILogger logger, Exception ex, string characteristic);

    [LoggerMessage(EventId = 903, Level = LogLevel.Information, Message = "Limits pushed to {Characteristic}: ucl {Ucl} cl {Cl} lcl {Lcl}")]
    private static partial void LogLimitsPushed(ILogger logger, string characteristic, double ucl, double cl, double lcl);
}
