using EdgeAgent.Drivers;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Receives the samples of the tags it subscribed to, on the router thread. Must be O(1), non-blocking and
/// allocation-free per sample (SPC characteristic, equipment state machine, expression alarm).
/// </summary>
public interface ISampleConsumer
{
    void OnSample(in Sample sample);
}
