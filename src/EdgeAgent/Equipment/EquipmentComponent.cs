using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Equipment;

/// <summary>
/// Builds an <see cref="EquipmentMachine"/> per <c>equipment:</c> entry, routes their tags and source state changes to
/// them, and republishes each status (retained, with counters) every <c>report</c> interval.
/// </summary>
public sealed partial class EquipmentComponent : IAgentComponent
{
    private readonly List<EquipmentMachine> _machines = new();
    private readonly CancellationTokenSource _stop = new();
    private TimeProvider _time = TimeProvider.System;
    private string[] _sources = [];
    private Task? _loop;

    private readonly IReadOnlyList<EquipmentConfig> _configs;

    public EquipmentComponent(IReadOnlyList<EquipmentConfig> configs) => _configs = configs;

    public IReadOnlyList<EquipmentMachine> Machines => _machines;

    public void Register(AgentContext context)
    {
        _time = context.Time;
        _sources = context.Directory.Sources;
        foreach (var equipment in _configs)
        {
            context.DeclareProducer(ProducerKind.Equipment, equipment.Name);
            DefineAlarms(equipment, context);
            var machine = new EquipmentMachine(equipment, context.Directory, context.Publish, context.Time);
            _machines.Add(machine);
            foreach (var tagId in machine.Subscriptions)
            {
                context.Subscribe(tagId, machine);
            }
        }

        if (_machines.Count > 0)
        {
            context.AddSink(new SourceStateTap(this));
        }
    }

    /// <summary>The expression alarms of one equipment (<c>equipment[].alarms</c>), each fed by the tags its condition reads.</summary>
    private static void DefineAlarms(EquipmentConfig equipment, AgentContext context)
    {
        foreach (var alarm in equipment.Alarms)
        {
            var condition = context.Alarms.Define(new AlarmDefinition
            {
                Id = alarm.Id,
                Source = equipment.Name,
                Priority = alarm.Priority,
                Rule = alarm.Name,
                Message = alarm.Message ?? alarm.When.Text,
                Context = alarm.Context,
                Actions = alarm.Actions,
                OnDelay = alarm.OnDelay,
                OffDelay = alarm.OffDelay,
            });
            var consumer = new EquipmentAlarm(alarm, condition, context.Directory);
            foreach (var tagId in alarm.When.TagIds)
            {
                context.Subscribe(tagId, consumer);
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_machines.Exists(m => m.Config.Report > TimeSpan.Zero))
        {
            _loop = Task.Run(() => ReportAsync(_stop.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task ReportAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                var now = _time.GetUtcNow().UtcDateTime;
                foreach (var machine in _machines)
                {
                    machine.ReportIfDue(now);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class SourceStateTap(EquipmentComponent owner) : ISink
    {
        public string Name => "equipment";

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void OnSamples(ReadOnlySpan<Sample> samples)
        {
        }

        public void OnEvent(AgentEvent agentEvent)
        {
            if (agentEvent is SourceStateEvent e)
            {
                var index = Array.IndexOf(owner._sources, e.Source);
                foreach (var machine in owner._machines)
                {
                    machine.OnSourceState(index, e.State, e.Ts);
                }
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
