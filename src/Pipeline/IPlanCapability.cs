namespace EdgeAgent.Pipeline;

/// <summary><c>edgeagent validate --plan</c> for a driver: the requests one poll of a source sends, as lines for people.</summary>
public interface IPlanCapability
{
    IEnumerable<string> DescribePlan(SourceConfig source);
}
