using System.Collections.Concurrent;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Services;

namespace EdgeAgent.Drivers.OpcUa.Tests.Peer;

[Collection(OpcUaServerCollection.Name)]
public sealed class SubscriptionTests(OpcUaServerFixture fixture)
{
    private sealed class Collector(int wanted) : INotificationHandler
    {
        public readonly ConcurrentQueue<double> Values = new();
        public readonly TaskCompletionSource Enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int KeepAlives;
        public uint Lost;

        public void OnDataChange(uint subscriptionId, uint sequenceNumber, DateTime publishTime, ReadOnlySpan<MonitoredItemNotification> items)
        {
            foreach (var item in items)
            {
                Values.Enqueue(item.Value.Value.ToDouble());
            }

            if (Values.Count >= wanted)
            {
                Enough.TrySetResult();
            }
        }

        public void OnKeepAlive(uint subscriptionId, uint nextSequenceNumber) => Interlocked.Increment(ref KeepAlives);

        public void OnLost(uint subscriptionId, uint firstSequenceNumber, uint count) => Lost += count;
    }

    [Fact]
    public async Task Receives_250_consecutive_changes_of_a_20_ms_variable_in_order_with_none_missing()
    {
        await using var client = await UaClient.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.EndpointUrl });
        var collector = new Collector(250); // 5 s of changes
        await using (var subscriptions = new UaSubscriptions(client, collector))
        {
            var (revised, items) = await subscriptions.AddAsync(
                new SubscriptionParameters(100, 300, 10),
                [new MonitoredItemRequest(new NodeId(2, "Demo.Fast"), 1, SamplingInterval: 0, QueueSize: 1000)]);
            Assert.True(items[0].StatusCode.IsGood, items[0].StatusCode.ToString());
            subscriptions.Start();
            await collector.Enough.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, subscriptions.Lost);
        }

        // Demo.Fast counts up by one per change: what arrived is one unbroken run, first value to last.
        var values = collector.Values.ToArray();
        Assert.True(values.Length >= 250, $"collected {values.Length}");
        var expected = Enumerable.Range(0, values.Length).Select(i => values[0] + i).ToArray();
        Assert.Equal(expected, values);
    }

    [Fact]
    public async Task A_quiet_subscription_sends_keep_alives()
    {
        await using var client = await UaClient.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.EndpointUrl });
        var collector = new Collector(1);
        await using var subscriptions = new UaSubscriptions(client, collector);
        await subscriptions.AddAsync(new SubscriptionParameters(50, 30, 2), [new MonitoredItemRequest(new NodeId(2, "Demo.Double"), 7, 50)]);
        subscriptions.Start();
        await collector.Enough.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the initial value
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref collector.KeepAlives) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "no keep-alive within 30 s");
            await Task.Delay(20);
        }

        Assert.Equal(10.01, Assert.Single(collector.Values));
    }

    [Fact]
    public async Task An_absolute_deadband_filters_small_changes()
    {
        await using var client = await UaClient.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.EndpointUrl });
        var collector = new Collector(5);
        await using var subscriptions = new UaSubscriptions(client, collector);
        var (_, items) = await subscriptions.AddAsync(new SubscriptionParameters(50, 300, 10), [
            new MonitoredItemRequest(new NodeId(2, "Demo.Fast"), 1, 0, 100, true, new DataChangeFilter(DataChangeTrigger.StatusValue, DeadbandType.Absolute, 9.5)),
        ]);
        Assert.True(items[0].StatusCode.IsGood, items[0].StatusCode.ToString());
        subscriptions.Start();
        await collector.Enough.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var values = collector.Values.ToArray();
        for (var i = 1; i < values.Length; i++)
        {
            Assert.True(values[i] - values[i - 1] >= 10, $"{values[i - 1]} → {values[i]} passed a deadband of 9.5");
        }
    }

    [Fact]
    public async Task Delete_subscriptions_ends_them_on_the_server()
    {
        await using var client = await UaClient.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.EndpointUrl });
        var sub = await client.CreateSubscriptionAsync(new SubscriptionParameters(100, 300, 10));
        var results = await client.DeleteSubscriptionsAsync([sub.SubscriptionId]);
        Assert.True(results[0].IsGood);
        results = await client.DeleteSubscriptionsAsync([sub.SubscriptionId]);
        Assert.Equal(StatusCode.BadSubscriptionIdInvalid, results[0].Code);
    }

    [Fact]
    public async Task The_channel_renews_its_security_token_before_expiry_and_keeps_working()
    {
        await using var client = await UaClient.ConnectAsync(new UaClientOptions
        {
            EndpointUrl = fixture.EndpointUrl,
            Transport = new UaTransportOptions { TokenLifetime = TimeSpan.FromSeconds(1) }, // node-opcua revises to 2.5 s
        });
        var renewed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Channel.TokenRenewed += c =>
        {
            if (c.RenewCount >= 2)
            {
                renewed.TrySetResult();
            }
        };
        var token = client.Channel.TokenId;
        await renewed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(token, client.Channel.TokenId);
        Assert.Equal(10.01, (await client.ReadValueAsync(new NodeId(2, "Demo.Double"))).Value.Value);
    }
}

[Collection(OpcUaServerCollection.Name)]
public sealed class RepublishTests(OpcUaServerFixture fixture)
{
    private sealed class Last : INotificationHandler
    {
        public uint Sequence;
        public int Values;

        public void OnDataChange(uint subscriptionId, uint sequenceNumber, DateTime publishTime, ReadOnlySpan<MonitoredItemNotification> items)
        {
            Sequence = sequenceNumber;
            Values += items.Length;
        }
    }

    [Fact]
    public async Task Republish_returns_an_unacknowledged_message_and_reports_a_missing_one_as_unavailable()
    {
        await using var client = await UaClient.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.EndpointUrl });
        var sub = await client.CreateSubscriptionAsync(new SubscriptionParameters(50, 300, 10));
        await client.CreateMonitoredItemsAsync(sub.SubscriptionId, [new MonitoredItemRequest(new NodeId(2, "Demo.Fast"), 1, 0, 100)]);
        var decoder = new NotificationDecoder();
        var received = new Last();
        for (var i = 0; i < 20 && received.Values == 0; i++)
        {
            using var response = await client.PublishAsync([], TimeSpan.FromSeconds(30), CancellationToken.None);
            Assert.Equal(EncodingIds.PublishResponse, response.TypeId);
            var r = response.CreateReader();
            decoder.DecodePublishResponse(ref r, received);
        }

        Assert.True(received.Values > 0, "no data change within 20 publishes");
        var again = new Last();
        Assert.True(await client.RepublishAsync(sub.SubscriptionId, received.Sequence, decoder, again, CancellationToken.None));
        Assert.Equal((received.Sequence, received.Values), (again.Sequence, again.Values));
        Assert.False(await client.RepublishAsync(sub.SubscriptionId, received.Sequence + 1000, decoder, again, CancellationToken.None));
    }
}
