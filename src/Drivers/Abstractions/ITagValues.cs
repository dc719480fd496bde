namespace EdgeAgent.Drivers;

/// <summary>
/// The latest sample of any tag of the agent, offered by the pipeline's <see cref="ISampleWriter"/> to a source that
/// needs another tag's value (a serial gauge stamping each reading with the current part). Best effort: the latest
/// sample as the router last saw it. A writer that is not the pipeline's (tests, <c>edgeagent read</c>) may not offer it.
/// </summary>
public interface ITagValues
{
    /// <summary>The id of tag <paramref name="fullName"/> (<c>source.tag</c>), or -1.</summary>
    int IdOf(string fullName);

    /// <summary>The tag's latest sample (SourceTicks 0: none yet).</summary>
    Sample Latest(int tagId);
}
