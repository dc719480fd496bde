using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Services;

namespace EdgeAgent.Drivers.OpcUa.Tests.Peer;

[Collection(OpcUaServerCollection.Name)]
public sealed class ClientTests(OpcUaServerFixture fixture)
{
    private Task<UaClient> Connect(string? user = null, string? password = null) =>
        UaClient.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.EndpointUrl, UserName = user, Password = password });

    [Fact]
    public async Task Get_endpoints_lists_the_none_endpoint()
    {
        var endpoints = await UaClient.GetEndpointsAsync(fixture.EndpointUrl);
        Assert.Contains(endpoints, e => e.SecurityPolicyUri == SecurityPolicyNone.Uri && e.SecurityMode == MessageSecurityMode.None);
    }

    public static TheoryData<string, BuiltInType, object> Scalars => new()
    {
        { "Boolean", BuiltInType.Boolean, true },
        { "SByte", BuiltInType.SByte, (sbyte)-5 },
        { "Byte", BuiltInType.Byte, (byte)200 },
        { "Int16", BuiltInType.Int16, (short)-1234 },
        { "UInt16", BuiltInType.UInt16, (ushort)54321 },
        { "Int32", BuiltInType.Int32, -123456 },
        { "UInt32", BuiltInType.UInt32, 3000000000u },
        { "Int64", BuiltInType.Int64, -123L },
        { "UInt64", BuiltInType.UInt64, 4294967298UL },
        { "Float", BuiltInType.Float, 3.5f },
        { "Double", BuiltInType.Double, 10.01 },
        { "String", BuiltInType.String, "héllo wörld" },
        { "DateTime", BuiltInType.DateTime, new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc) },
        { "Guid", BuiltInType.Guid, Guid.Parse("09087E75-8E5E-499B-954F-F2A9603DB28A") },
        { "XmlElement", BuiltInType.XmlElement, "<a>1</a>" },
        { "NodeId", BuiltInType.NodeId, new NodeId(2, "Demo.Double") },
        { "StatusCode", BuiltInType.StatusCode, new StatusCode(StatusCode.UncertainLastUsableValue) },
        { "QualifiedName", BuiltInType.QualifiedName, new QualifiedName(2, "Bore") },
        { "LocalizedText", BuiltInType.LocalizedText, new LocalizedText("en", "Bore diameter") },
    };

    [Theory]
    [MemberData(nameof(Scalars))]
    public async Task Reads_every_built_in_scalar_type(string name, BuiltInType type, object expected)
    {
        await using var client = await Connect();
        var value = await client.ReadValueAsync(new NodeId(2, "Demo." + name));
        Assert.True(value.StatusCode.IsGood, value.StatusCode.ToString());
        Assert.Equal(type, value.Value.Type);
        Assert.Equal(expected, value.Value.Value);
    }

    [Fact]
    public async Task Reads_byte_strings_arrays_and_every_node_id_form()
    {
        await using var client = await Connect();
        var values = await client.ReadAsync([
            new ReadValueId(NodeId.Parse("ns=2;s=Demo.ByteString")),
            new ReadValueId(NodeId.Parse("ns=2;s=Demo.DoubleArray")),
            new ReadValueId(NodeId.Parse("ns=2;s=Demo.Int32Array")),
            new ReadValueId(NodeId.Parse("ns=2;s=Demo.StringArray")),
            new ReadValueId(NodeId.Parse("ns=2;s=Demo.BooleanArray")),
            new ReadValueId(NodeId.Parse("ns=2;i=1001")),
            new ReadValueId(NodeId.Parse("ns=2;g=5BC5B0B1-4A13-4F63-B5D3-0AA3A0A4B6C7")),
            new ReadValueId(NodeId.Parse("ns=2;b=AQIDBA==")),
            new ReadValueId(await client.ResolveAsync(ExpandedNodeId.Parse("nsu=urn:edgeagent:second;s=Second.Value"))),
        ]);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, values[0].Value.Value);
        Assert.Equal(new[] { 1.5, 2.5, 3.5 }, values[1].Value.Value);
        Assert.Equal(new[] { 1, -2, 3 }, values[2].Value.Value);
        Assert.Equal(new[] { "a", "b", "c" }, values[3].Value.Value);
        Assert.Equal(new[] { true, false }, values[4].Value.Value);
        Assert.Equal(1001, values[5].Value.Value);
        Assert.Equal(7.25, values[6].Value.Value);
        Assert.Equal(8.5, values[7].Value.Value);
        Assert.Equal(42.5, values[8].Value.Value);
    }

    [Fact]
    public async Task Unknown_nodes_and_bad_values_read_with_their_status()
    {
        await using var client = await Connect();
        var values = await client.ReadAsync([new ReadValueId(new NodeId(2, "Nope")), new ReadValueId(new NodeId(2, "Demo.Bad"))]);
        Assert.Equal(StatusCode.BadNodeIdUnknown, values[0].StatusCode.Code);
        Assert.Equal(Quality.Bad, values[1].StatusCode.ToQuality());
    }

    [Fact]
    public async Task Writes_a_value_and_reads_it_back()
    {
        await using var client = await Connect();
        var node = new NodeId(2, "Demo.Writable");
        var results = await client.WriteAsync([new WriteValue(node, new DataValue(Variant.From(12.75)))]);
        Assert.True(results[0].IsGood, results[0].ToString());
        Assert.Equal(12.75, (await client.ReadValueAsync(node)).Value.Value);
    }

    [Fact]
    public async Task Browse_follows_continuation_points_past_the_servers_maximum()
    {
        await using var client = await Connect();
        // Ask for more than the server gives: node-opcua returns at most 9876 references per node and a continuation point.
        var first = (await client.BrowseAsync([new BrowseDescription(new NodeId(2, "Big"))], 100_000))[0];
        Assert.NotNull(first.ContinuationPoint);
        Assert.True(first.References.Length < 10050);
        var all = await client.BrowseAllAsync(new BrowseDescription(new NodeId(2, "Big")), 100_000);
        var items = all.Where(r => r.BrowseName.Name!.StartsWith("Item", StringComparison.Ordinal)).Select(r => r.BrowseName.Name).ToHashSet();
        Assert.Equal(10050, items.Count);
    }

    [Fact]
    public async Task Browse_with_a_small_page_and_release_of_the_continuation_point()
    {
        await using var client = await Connect();
        var all = await client.BrowseAllAsync(new BrowseDescription(new NodeId(2, "Demo")), maxReferencesPerNode: 5);
        Assert.Contains(all, r => r.BrowseName.Name == "Double" && r.NodeClass == NodeClass.Variable);
        Assert.Contains(all, r => r.NodeId.NodeId == new NodeId(2, 1001u));
        var page = (await client.BrowseAsync([new BrowseDescription(new NodeId(2, "Demo"))], 5))[0];
        Assert.Equal(5, page.References.Length);
        var released = await client.BrowseNextAsync([page.ContinuationPoint!], release: true);
        Assert.Empty(released[0].References);
    }

    [Fact]
    public async Task Translates_a_browse_path_to_a_node_id()
    {
        await using var client = await Connect();
        var results = await client.TranslateBrowsePathsAsync([
            new BrowsePath(WellKnownNodes.ObjectsFolder, [new RelativePathElement(new QualifiedName(2, "Demo")), new RelativePathElement(new QualifiedName(2, "Double"))]),
        ]);
        Assert.True(results[0].StatusCode.IsGood, results[0].StatusCode.ToString());
        Assert.Equal(new NodeId(2, "Demo.Double"), results[0].Targets[0].TargetId.NodeId);
    }

    [Fact]
    public async Task Logs_in_with_user_name_and_password_over_loopback()
    {
        await using var client = await Connect("edge", "secret");
        Assert.Equal(10.01, (await client.ReadValueAsync(new NodeId(2, "Demo.Double"))).Value.Value);
        var e = await Assert.ThrowsAsync<OpcUaException>(() => Connect("edge", "wrong"));
        Assert.Equal("ActivateSession", e.Service);
        Assert.True(e.StatusCode.IsBad);
    }

    [Fact]
    public async Task Refuses_a_clear_text_password_to_a_remote_host_unless_opted_in()
    {
        // The check runs before any I/O, so the documentation address (RFC 5737) is never contacted.
        var remote = new UaClientOptions { EndpointUrl = "opc.tcp://192.0.2.10:4840", UserName = "edge", Password = "secret" };
        var e = await Assert.ThrowsAsync<OpcUaException>(() => UaClient.ConnectAsync(remote));
        Assert.Contains("clear text", e.Message);
    }

    [Fact]
    public async Task Large_requests_are_split_into_chunks()
    {
        await using var client = await UaClient.ConnectAsync(new UaClientOptions
        {
            EndpointUrl = fixture.EndpointUrl,
            Transport = new UaTransportOptions { SendBufferSize = 8192, ReceiveBufferSize = 8192 },
        });
        var nodes = Enumerable.Range(0, 2000).Select(i => new ReadValueId(new NodeId(2, "Big." + i), AttributeId.BrowseName)).ToArray();
        var values = await client.ReadAsync(nodes);
        Assert.Equal("Item1999", ((QualifiedName)values[1999].Value.Value!).Name);
    }

    [Fact]
    public async Task Reports_a_timeout_as_bad_timeout_naming_the_service()
    {
        await using var client = await Connect();

        // A subscription without items sends its first message (a keep-alive) after one publishing interval: 10 s.
        // Until then the server holds the Publish, so a 200 ms timeout is the client's own, every time.
        var sub = await client.CreateSubscriptionAsync(new SubscriptionParameters(10_000, 30, 3));
        Assert.True(sub.PublishingInterval >= 1000, $"the server revised the publishing interval to {sub.PublishingInterval} ms");
        var e = await Assert.ThrowsAsync<OpcUaException>(() => client.PublishAsync([], TimeSpan.FromMilliseconds(200), CancellationToken.None));
        Assert.Equal(StatusCode.BadTimeout, e.StatusCode.Code);
        Assert.Equal("Publish", e.Service);
        Assert.Contains("no response within 0.2 s", e.Message);
        Assert.True(e.IsTransient);
    }
}
