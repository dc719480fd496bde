namespace EdgeAgent.Pipeline;

/// <summary>
/// How a component raises alarms: it defines each condition once at start and then feeds it on the router thread.
/// The alarm list behind it (lifecycle, acknowledgement, shelving, persistence, publishing) is the alarms component's.
/// </summary>
public interface IAlarmService
{
    /// <summary>Declares a condition; an id may be defined once. A condition persisted as active starts active.</summary>
    IAlarmCondition Define(AlarmDefinition definition);
}
