using EdgeAgent.Drivers.OpcUa.SecureChannel;
using System.Diagnostics;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.Services;

namespace EdgeAgent.Drivers.OpcUa;

/// <summary>What a server delivered to the probe.</summary>
public sealed record OpcUaProbeResult(int Items, long Notifications, double PerSecond, double CpuMicrosecondsPerNotification, long Lost, double Seconds, double AllocatedBytesPerNotification);

/// <summary>
/// Commissioning probe: subscribes every Variable below a node and counts what the server delivers for a while, with
/// the CPU this process spent per notification and the sequence gaps Republish could not fill.
/// </summary>
public static class OpcUaProbe
{
    /// <summary>Time between subscribing and the start of the measurement, unless the caller gives one.</summary>
    public static readonly TimeSpan DefaultWarmup = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Subscribes every Variable below <paramref name="below"/>, waits <paramref name="warmup"/> (the CLI uses
    /// <see cref="DefaultWarmup"/>), then counts for <paramref name="duration"/>.
    /// </summary>
    public static async Task<OpcUaProbeResult> RunAsync(UaClientOptions options, ExpandedNodeId below, TimeSpan sampling, TimeSpan duration, TimeSpan publishingInterval, TimeSpan warmup, CancellationToken cancellationToken)
    {
        await using var client = await UaClient.ConnectAsync(options, null, cancellationToken).ConfigureAwait(false);
        var root = await client.ResolveAsync(below, cancellationToken).ConfigureAwait(false);
        var variables = new List<NodeId>();
        await CollectAsync(client, root, variables, new HashSet<NodeId>(), 0, cancellationToken).ConfigureAwait(false);
        if (variables.Count == 0)
        {
            throw new OpcUaException(options.EndpointUrl, StatusCode.BadNothingToDo, $"no Variable below {below}", false, null, "Browse");
        }

        var counter = new Counter();
        await using var subscriptions = new UaSubscriptions(client, counter, 5);
        var items = variables.Select((n, i) => new MonitoredItemRequest(n, (uint)i, sampling.TotalMilliseconds, 1000)).ToArray();
        var publishing = publishingInterval.TotalMilliseconds;
        var keepAlive = (uint)Math.Clamp(5000 / Math.Max(publishing, 1), 1, 1000);
        var (_, results) = await subscriptions.AddAsync(new SubscriptionParameters(publishing, keepAlive * 3, keepAlive), items, cancellationToken).ConfigureAwait(false);
        var good = results.Count(r => r.StatusCode.IsGood);
        subscriptions.Start();

        // Let the initial values arrive and the JIT promote the hot path (tiered compilation) before measuring:
        // the probe reports the steady state an agent runs in.
        await Task.Delay(warmup, cancellationToken).ConfigureAwait(false);
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var n0 = Interlocked.Read(ref counter.Count);
        var lost0 = subscriptions.Lost;
        var allocated0 = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        var done = await Task.WhenAny(Task.Delay(duration, cancellationToken), subscriptions.Completion).ConfigureAwait(false);
        await done.ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var notifications = Interlocked.Read(ref counter.Count) - n0;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalMicroseconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocated0;
        return new OpcUaProbeResult(good, notifications, notifications / seconds, notifications == 0 ? 0 : cpu / notifications, subscriptions.Lost - lost0, seconds,
            notifications == 0 ? 0 : (double)allocated / notifications);
    }

    private static async Task CollectAsync(UaClient client, NodeId node, List<NodeId> variables, HashSet<NodeId> seen, int depth, CancellationToken ct)
    {
        if (depth > 10 || !seen.Add(node))
        {
            return;
        }

        var refs = await client.BrowseAllAsync(new BrowseDescription(node, NodeClassMask: (uint)(NodeClass.Object | NodeClass.Variable)), 5000, ct).ConfigureAwait(false);
        foreach (var r in refs)
        {
            if (!r.NodeId.IsLocal || r.NodeId.NamespaceUri is not null)
            {
                continue;
            }

            if (r.NodeClass == NodeClass.Variable)
            {
                if (seen.Add(r.NodeId.NodeId))
                {
                    variables.Add(r.NodeId.NodeId);
                }
            }
            else
            {
                await CollectAsync(client, r.NodeId.NodeId, variables, seen, depth + 1, ct).ConfigureAwait(false);
            }
        }
    }

    private sealed class Counter : INotificationHandler
    {
        public long Count;

        public void OnDataChange(uint subscriptionId, uint sequenceNumber, DateTime publishTime, ReadOnlySpan<MonitoredItemNotification> items) =>
            Interlocked.Add(ref Count, items.Length);
    }
}
