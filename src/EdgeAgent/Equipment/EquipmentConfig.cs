using EdgeAgent.Expressions;
using EdgeAgent.Pipeline;
using YamlDotNet.Core;

namespace EdgeAgent.Equipment;

/// <summary><c>equipment:</c> — one machine's state machine over tag expressions.</summary>
public sealed record EquipmentConfig
{
    public required string Name { get; init; }
    public string? Running { get; init; }
    public string? Fault { get; init; }
    public string? Idle { get; init; }
    public string? Setup { get; init; }

    /// <summary>The four conditions compiled at load (null when not given). Priority: fault &gt; setup &gt; running &gt; idle.</summary>
    public Expression? RunningWhen { get; init; }
    public Expression? FaultWhen { get; init; }
    public Expression? IdleWhen { get; init; }
    public Expression? SetupWhen { get; init; }

    /// <summary>Sources whose loss makes the equipment offline: the sources of the tags its conditions read.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary><c>parts: { total: tag, good: tag }</c>: part counters (tags counting up) for OEE; -1 when not given.</summary>
    public int PartsTotalTagId { get; init; } = -1;
    public int PartsGoodTagId { get; init; } = -1;

    /// <summary><c>report:</c> republish the (retained) status with its counters this often (default 60s; 0 = only on change).</summary>
    public TimeSpan Report { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>alarms:</c> expression alarms on this equipment's tags.</summary>
    public IReadOnlyList<EquipmentAlarmConfig> Alarms { get; init; } = [];

    /// <summary><c>context:</c> tags read when an alarm of this equipment activates (default for its alarms).</summary>
    public IReadOnlyList<ContextTag> Context { get; init; } = [];

    public Mark At { get; init; }
}
