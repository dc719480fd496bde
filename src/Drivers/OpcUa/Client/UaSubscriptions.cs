using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Drivers.OpcUa.Client;

/// <summary>
/// The subscriptions of one session and their publish loop (Part 4 §5.13.1): keeps several Publish requests
/// outstanding so the server always has one to answer with, processes the responses in the order they were sent
/// (the server answers Publish requests first in, first out), acknowledges every NotificationMessage with the next
/// Publish, and recovers a missing sequence number with Republish before delivering the message after it. What
/// Republish cannot recover is reported through <see cref="INotificationHandler.OnLost"/> and counted in <see cref="Lost"/>.
/// </summary>
public sealed partial class UaSubscriptions : IAsyncDisposable
{
    private readonly UaClient _client;
    private readonly INotificationHandler _handler;
    private readonly ILogger _logger;
    private readonly NotificationDecoder _decoder = new();
    private readonly Dictionary<uint, SubscriptionState> _subscriptions = [];
    private readonly List<(uint, uint)> _acks = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _outstanding;

    public UaSubscriptions(UaClient client, INotificationHandler handler, int outstandingPublishRequests = 3, ILogger? logger = null)
    {
        _client = client;
        _handler = handler;
        _outstanding = Math.Clamp(outstandingPublishRequests, 1, 20);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Completes when the publish loop stops; faulted with the reason when it failed (connection lost, subscription timed out).</summary>
    public Task Completion => _loop;

    /// <summary>Notification messages neither received in order nor recovered by Republish.</summary>
    public long Lost { get; private set; }

    /// <summary>Notification messages recovered by Republish.</summary>
    public long Republished { get; private set; }

    public long KeepAlives { get; private set; }
    public long DataMessages { get; private set; }

    public IReadOnlyCollection<uint> SubscriptionIds => _subscriptions.Keys;

    /// <summary>Creates a subscription with its monitored items. Call before <see cref="Start"/>.</summary>
    public async Task<(SubscriptionRevised Subscription, MonitoredItemResult[] Items)> AddAsync(
        SubscriptionParameters parameters, IReadOnlyList<MonitoredItemRequest> items, CancellationToken cancellationToken = default)
    {
        var revised = await _client.CreateSubscriptionAsync(parameters, cancellationToken).ConfigureAwait(false);
        _subscriptions[revised.SubscriptionId] = new SubscriptionState(revised);
        var results = new List<MonitoredItemResult>(items.Count);
        // Stay well below common per-call operation limits.
        for (var i = 0; i < items.Count; i += 1000)
        {
            var batch = items.Skip(i).Take(1000).ToArray();
            results.AddRange(await _client.CreateMonitoredItemsAsync(revised.SubscriptionId, batch, TimestampsToReturn.Both, cancellationToken).ConfigureAwait(false));
        }

        return (revised, results.ToArray());
    }

    public void Start()
    {
        if (_subscriptions.Count == 0)
        {
            throw new InvalidOperationException("add a subscription before starting the publish loop");
        }

        _loop = Task.Run(() => PublishLoopAsync(_stop.Token));
    }

    private TimeSpan PublishTimeout()
    {
        var longest = TimeSpan.Zero;
        foreach (var s in _subscriptions.Values)
        {
            var keepAlive = TimeSpan.FromMilliseconds(s.Revised.PublishingInterval * Math.Max(1, s.Revised.MaxKeepAliveCount));
            longest = keepAlive > longest ? keepAlive : longest;
        }

        // A queued Publish may wait a keep-alive interval for each request queued before it.
        return (longest * (_outstanding + 1)) + TimeSpan.FromSeconds(10);
    }

    private Task<UaResponse> SendPublish(CancellationToken token)
    {
        Span<(uint, uint)> acks = _acks.Count <= 64 ? stackalloc (uint, uint)[_acks.Count] : new (uint, uint)[_acks.Count];
        for (var i = 0; i < _acks.Count; i++)
        {
            acks[i] = _acks[i];
        }

        _acks.Clear();
        return _client.PublishAsync(acks, PublishTimeout(), token);
    }

    private async Task PublishLoopAsync(CancellationToken token)
    {
        var inflight = new Queue<Task<UaResponse>>();
        try
        {
            while (!token.IsCancellationRequested)
            {
                while (inflight.Count < _outstanding)
                {
                    inflight.Enqueue(SendPublish(token));
                }

                UaResponse response;
                try
                {
                    response = await inflight.Dequeue().ConfigureAwait(false);
                }
                catch (OpcUaException e) when (e.StatusCode.Code == StatusCode.BadTimeout && e.Service == "Publish" && _client.Channel.IsOpen)
                {
                    continue; // our own timeout on a queued Publish: ask again
                }

                using (response)
                {
                    await HandleAsync(response, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var t in inflight)
            {
                _ = t.ContinueWith(static t => { if (t.IsCompletedSuccessfully) { t.Result.Dispose(); } else { _ = t.Exception; } }, TaskScheduler.Default);
            }
        }
    }

    private async Task HandleAsync(UaResponse response, CancellationToken token)
    {
        if (response.TypeId != EncodingIds.PublishResponse)
        {
            var fault = _client.Channel.UnexpectedResponse(response, EncodingIds.PublishResponse, "Publish");
            switch (fault.StatusCode.Code)
            {
                case StatusCode.BadTooManyPublishRequests:
                    _outstanding = Math.Max(1, _outstanding - 1);
                    return;
                case StatusCode.BadTimeout:
                    return; // the server let a queued Publish expire (its TimeoutHint): the loop sends another
                case StatusCode.BadNoSubscription when _subscriptions.Count == 0:
                    return;
                default:
                    throw fault;
            }
        }

        var (subscriptionId, sequence, isKeepAlive) = Peek(response);
        if (!_subscriptions.TryGetValue(subscriptionId, out var state))
        {
            return; // a subscription we deleted
        }

        if (state.HasExpected && sequence != state.Expected && SequenceAfter(sequence, state.Expected))
        {
            await RecoverAsync(subscriptionId, state, sequence, token).ConfigureAwait(false);
        }

        Deliver(response);
        if (isKeepAlive)
        {
            KeepAlives++;
            state.Expected = sequence;
        }
        else
        {
            DataMessages++;
            state.Expected = sequence + 1;
            _acks.Add((subscriptionId, sequence));
        }

        state.HasExpected = true;
    }

    private void Deliver(UaResponse response)
    {
        var r = response.CreateReader();
        try
        {
            _decoder.DecodePublishResponse(ref r, _handler);
        }
        catch (UaDecodingException e)
        {
            throw new OpcUaException(_client.EndpointUrl, e.StatusCode, $"undecodable Publish response: {e.Message}", true, e, "Publish");
        }
    }

    /// <summary>Reads the subscription id, sequence number and whether it is a keep-alive, to recover gaps before delivering.</summary>
    private (uint SubscriptionId, uint Sequence, bool KeepAlive) Peek(UaResponse response)
    {
        try
        {
            var r = response.CreateReader();
            var header = ResponseHeader.Read(ref r);
            if (header.ServiceResult.IsBad)
            {
                throw new OpcUaException(_client.EndpointUrl, header.ServiceResult.Code, "service failed", UaSecureChannel.IsTransientFault(header.ServiceResult.Code), null, "Publish");
            }

            var subscriptionId = r.ReadUInt32();
            var n = r.ReadArrayLength(4);
            r.Skip(Math.Max(n, 0) * 4);
            _ = r.ReadBoolean();
            var sequence = r.ReadUInt32();
            _ = r.ReadDateTime();
            return (subscriptionId, sequence, r.ReadArrayLength(3) <= 0);
        }
        catch (UaDecodingException e)
        {
            throw new OpcUaException(_client.EndpointUrl, e.StatusCode, $"undecodable Publish response: {e.Message}", true, e, "Publish");
        }
    }

    private static bool SequenceAfter(uint a, uint b) => (int)(a - b) > 0;

    private async Task RecoverAsync(uint subscriptionId, SubscriptionState state, uint received, CancellationToken token)
    {
        uint lostFrom = 0, lostCount = 0;
        for (var s = state.Expected; s != received; s++)
        {
            bool ok;
            try
            {
                ok = await _client.RepublishAsync(subscriptionId, s, _decoder, _handler, token).ConfigureAwait(false);
            }
            catch (OpcUaException e) when (e.Service == "Republish" && _client.Channel.IsOpen)
            {
                ok = false;
            }

            if (ok)
            {
                Republished++;
                _acks.Add((subscriptionId, s));
                continue;
            }

            if (lostCount == 0)
            {
                lostFrom = s;
            }

            lostCount++;
        }

        if (lostCount > 0)
        {
            Lost += lostCount;
            Log.Lost(_logger, _client.EndpointUrl, subscriptionId, lostCount, lostFrom);
            _handler.OnLost(subscriptionId, lostFrom, lostCount);
        }
    }

    /// <summary>Stops the publish loop and deletes the subscriptions (best effort).</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OpcUaException or OperationCanceledException)
        {
        }

        if (_subscriptions.Count > 0 && _client.Channel.IsOpen)
        {
            try
            {
                await _client.DeleteSubscriptionsAsync(_subscriptions.Keys.ToArray(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (OpcUaException)
            {
            }
        }

        _subscriptions.Clear();
        _stop.Dispose();
    }

    private sealed class SubscriptionState(SubscriptionRevised revised)
    {
        public SubscriptionRevised Revised { get; } = revised;
        public uint Expected { get; set; }
        public bool HasExpected { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "{Endpoint}: subscription {SubscriptionId} lost {Count} notification messages from sequence number {First} (not available for Republish)")]
        public static partial void Lost(ILogger logger, string endpoint, uint subscriptionId, uint count, uint first);
    }
}
