using System.Text.Json;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Alarms;

/// <summary>
/// The alarm part of the agent: the <see cref="AlarmEngine"/> (list, lifecycle, persistence), the commands
/// <c>alarm/ack</c> <c>{"id","by","comment"}</c>, <c>alarm/shelve</c> <c>{"id","by","for":"1h"}</c> and
/// <c>alarm/unshelve</c> <c>{"id"}</c>, the expression alarms of <c>equipment[].alarms</c>, and a communication-loss
/// alarm per source (<c>{source}/comm-loss</c>, high) driven by <see cref="SourceStateEvent"/>s, with the actions
/// <c>alarms.commLoss</c> gives it.
/// A background task writes the list when it changes, applies CLI requests and ends expired shelves.
/// </summary>
public sealed partial class AlarmComponent(AlarmsOptions options) : IAgentComponent
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, IAlarmCondition> _commLoss = new(StringComparer.Ordinal);
    private AlarmEngine? _engine;
    private ILogger? _logger;
    private AgentMetrics.Counter? _unreadable;
    private Task? _loop;

    public AlarmEngine Engine => _engine ?? throw new InvalidOperationException("not registered");

    public void Register(AgentContext context)
    {
        var engine = new AlarmEngine(context.Agent.Data, context.Directory, context.Publish, context.Time, context.Metrics, context.Loggers.CreateLogger("EdgeAgent.Alarms"), context.Writes);
        _engine = engine;
        context.ProvideAlarms(engine);
        _logger = context.Loggers.CreateLogger("EdgeAgent.Alarms");
        _unreadable = context.Metrics.DroppedTotal("alarm-requests");
        context.Commands.Register("alarm/ack", (payload, _) => Task.FromResult(Ack(engine, payload)));
        context.Commands.Register("alarm/shelve", (payload, _) => Task.FromResult(Shelve(engine, payload)));
        context.Commands.Register("alarm/unshelve", (payload, _) => Task.FromResult(Unshelve(engine, payload)));

        foreach (var source in context.Directory.Sources)
        {
            _commLoss[source] = engine.Define(new AlarmDefinition
            {
                Id = $"{source}/comm-loss",
                Source = source,
                Priority = "high",
                Rule = "comm-loss",
                Message = $"communication with source '{source}' lost",
                Actions = options.CommLossActions.GetValueOrDefault(source) ?? [],
            });
        }

        context.AddSink(new SourceStateTap(this));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var engine = Engine;
        _loop = Task.Run(() => HousekeepingAsync(engine, _stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (_engine is not null)
        {
            TryPersist(_engine);
        }

        _stop.Dispose();
    }

    private void OnSourceState(SourceStateEvent e)
    {
        if (!_commLoss.TryGetValue(e.Source, out var condition) || e.State == SourceState.Starting)
        {
            return;
        }

        lock (condition)
        {
            condition.Update(e.State == SourceState.Down, double.NaN, e.Ts.Ticks);
        }
    }

    private async Task HousekeepingAsync(AlarmEngine engine, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await engine.Dirty.WaitAsync(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                foreach (var request in AlarmStore.Dequeue(engine.DataDir, OnUnreadable))
                {
                    var result = engine.Apply(request);
                    if (!result.Ok)
                    {
                        LogRequestFailed(_logger!, request.Action, request.Id, result.Error ?? string.Empty);
                    }
                }

                engine.ExpireShelves();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogPersistFailed(_logger!, ex);
            }

            TryPersist(engine);
        }
    }

    private void OnUnreadable(string file, Exception ex)
    {
        _unreadable!.Inc();
        LogRequestUnreadable(_logger!, ex, file);
    }

    private void TryPersist(AlarmEngine engine)
    {
        try
        {
            engine.Persist();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogPersistFailed(_logger!, ex);
        }
    }

    internal static CommandResult Ack(AlarmEngine engine, ReadOnlyMemory<byte> payload)
    {
        if (!TryRead(payload, out var root, out var error))
        {
            return CommandResult.Fail(error);
        }

        var id = Text(root, "id");
        return id is null
            ? CommandResult.Fail("alarm/ack: expected {\"id\":\"…\",\"by\":\"…\",\"comment\":\"…\"}; 'id' is missing")
            : engine.Acknowledge(id, Text(root, "by"), Text(root, "comment"));
    }

    private static CommandResult Shelve(AlarmEngine engine, ReadOnlyMemory<byte> payload)
    {
        if (!TryRead(payload, out var root, out var error))
        {
            return CommandResult.Fail(error);
        }

        var id = Text(root, "id");
        var text = Text(root, "for") ?? "1h";
        if (id is null)
        {
            return CommandResult.Fail("alarm/shelve: expected {\"id\":\"…\",\"by\":\"…\",\"for\":\"1h\"}; 'id' is missing");
        }

        return Durations.TryParse(text, out var duration)
            ? engine.Shelve(id, duration, Text(root, "by"))
            : CommandResult.Fail($"alarm/shelve: 'for' must be a duration such as 30m or 2h, found '{text}'");
    }

    private static CommandResult Unshelve(AlarmEngine engine, ReadOnlyMemory<byte> payload)
    {
        if (!TryRead(payload, out var root, out var error))
        {
            return CommandResult.Fail(error);
        }

        var id = Text(root, "id");
        return id is null ? CommandResult.Fail("alarm/unshelve: 'id' is missing") : engine.Unshelve(id);
    }

    private static bool TryRead(ReadOnlyMemory<byte> payload, out JsonElement root, out string error)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            root = doc.RootElement.Clone();
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = $"expected a JSON object, found {root.ValueKind}";
                return false;
            }

            error = string.Empty;
            return true;
        }
        catch (JsonException ex)
        {
            root = default;
            error = $"payload is not JSON: {ex.Message}";
            return false;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [LoggerMessage(EventId = 810, Level = LogLevel.Error, Message = "Cannot write the alarm list")]
    private static partial void LogPersistFailed(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 812, Level = LogLevel.Warning, Message = "Alarm request {File} is not readable and was dropped (counted in edgeagent_dropped_total{{queue=\"alarm-requests\"}})")]
    private static partial void LogRequestUnreadable(ILogger logger, Exception ex, string file);

    [LoggerMessage(EventId = 811, Level = LogLevel.Warning, Message = "Alarm request {Action} {AlarmId} failed: {Reason}")]
    private static partial void LogRequestFailed(ILogger logger, string action, string alarmId, string reason);

    /// <summary>Receives events from the pipeline (any thread) and passes source state changes on.</summary>
    private sealed class SourceStateTap(AlarmComponent owner) : ISink
    {
        public string Name => "alarms";

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void OnSamples(ReadOnlySpan<Sample> samples)
        {
        }

        public void OnEvent(AgentEvent agentEvent)
        {
            if (agentEvent is SourceStateEvent state)
            {
                owner.OnSourceState(state);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
