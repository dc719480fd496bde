using EdgeAgent.Expressions;
using EdgeAgent.Pipeline;
using YamlDotNet.Core;

namespace EdgeAgent.Equipment;

/// <summary>
/// One expression alarm (<c>equipment[i].alarms[j]</c>):
/// <code>
/// - name: overtemp
///   when: press1.temp > 80 for 5s     # condition; 'for' is the on-delay
///   priority: high                    # critical, high, medium (default), low
///   deadband: 2                       # clears only at temp &lt;= 78 (top-level &lt; &lt;= &gt; &gt;= only)
///   off_delay: 2s                     # must stay clear this long before it clears
///   message: Press 1 over temperature
///   context: [press1.serial, press1.batch]
/// </code>
/// </summary>
public sealed record EquipmentAlarmConfig
{
    /// <summary>Name, unique within its equipment.</summary>
    public required string Name { get; init; }

    /// <summary>Alarm id: <c>{equipment}/{name}</c>; one alarm per id at a time (dedupe).</summary>
    public required string Id { get; init; }

    public required Expression When { get; init; }
    public string Priority { get; init; } = "medium";
    public double Deadband { get; init; }
    public TimeSpan OnDelay { get; init; }
    public TimeSpan OffDelay { get; init; }
    public string? Message { get; init; }
    public IReadOnlyList<ContextTag> Context { get; init; } = [];
    /// <summary><c>actions:</c> writes made when this alarm is active, acknowledged or cleared.</summary>
    public IReadOnlyList<WriteAction> Actions { get; init; } = [];

    public Mark At { get; init; }
}
