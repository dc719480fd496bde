namespace EdgeAgent.Pipeline;

/// <summary>
/// A component cannot start for a reason the operator must fix on the machine or in the file (an address already in
/// use, a folder that cannot be written): the agent stops at start and <c>edgeagent run</c> exits 2, as for a bad config.
/// The message names the key and the resource, e.g. "outputs.prometheus: cannot listen on 127.0.0.1:9464: Address already in use".
/// </summary>
public sealed class AgentStartException(string message, Exception? inner = null) : Exception(message, inner);
