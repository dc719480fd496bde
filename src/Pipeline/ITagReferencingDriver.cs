using EdgeAgent.Config;

namespace EdgeAgent.Pipeline;

/// <summary>
/// A driver whose source keys name tags of the agent (<c>source.tag</c>, e.g. a serial gauge's <c>part:</c>): checked at
/// load, once every source is bound, so a misspelt name is a <c>FILE:LINE:COL</c> error with a did-you-mean instead of
/// a log line when the source starts.
/// </summary>
public interface ITagReferencingDriver
{
    void CheckReferences(SourceConfig source, ConfigMap map, ITagResolver tags);
}
