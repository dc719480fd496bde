using System.Net;
using System.Security.Cryptography;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Security;
using EdgeAgent.Drivers.OpcUa.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Drivers.OpcUa.Client;

/// <summary>
/// An OPC UA client session over one secure channel (Part 4 §5.6): CreateSession/ActivateSession, then Read, Write,
/// Browse/BrowseNext, TranslateBrowsePathsToNodeIds and the subscription services. Thread-safe: requests may overlap.
/// A lost connection faults <see cref="Completion"/>; reconnecting is the caller's policy (see <c>OpcUaSource</c>).
/// </summary>
public sealed partial class UaClient : IAsyncDisposable
{
    private readonly UaClientOptions _options;
    private readonly ILogger _logger;
    private UaSecureChannel _channel = null!;
    private ISecurityPolicy _policy = SecurityPolicyNone.Instance;
    private byte[] _clientNonce = [];
    private byte[]? _serverNonce;
    private byte[]? _serverCertificate;
    private NodeId _authenticationToken = NodeId.Null;
    private string[]? _namespaces;

    private UaClient(UaClientOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    public string EndpointUrl => _options.EndpointUrl;
    public UaSecureChannel Channel => _channel;
    public NodeId SessionId { get; private set; } = NodeId.Null;
    public TimeSpan RevisedSessionTimeout { get; private set; }
    public EndpointDescription[] ServerEndpoints { get; private set; } = [];

    /// <summary>Completes when the underlying channel closes or fails.</summary>
    public Task Completion => _channel.Completion;

    /// <summary>Opens a secure channel and an activated session.</summary>
    public static async Task<UaClient> ConnectAsync(UaClientOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var client = new UaClient(options, logger ?? NullLogger.Instance);
        if (options.UserName is not null && !options.Security.IsSecure)
        {
            // Before any I/O: a refused password never leaves the machine.
            client.CheckClearTextPasswordAllowed();
        }

        ISecurityPolicy policy = SecurityPolicyNone.Instance;
        if (options.Security.IsSecure)
        {
            policy = await client.PrepareSecurityAsync(cancellationToken).ConfigureAwait(false);
        }

        client._policy = policy;
        client._channel = await UaSecureChannel.OpenAsync(options.EndpointUrl, policy, options.Transport, client._logger, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.CreateSessionAsync(cancellationToken).ConfigureAwait(false);
            await client.ActivateSessionAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client._channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>GetEndpoints on a channel of its own, without a session (Part 4 §5.4.4).</summary>
    public static async Task<EndpointDescription[]> GetEndpointsAsync(string endpointUrl, UaTransportOptions? transport = null, CancellationToken cancellationToken = default)
    {
        transport ??= new UaTransportOptions();
        await using var channel = await UaSecureChannel.OpenAsync(endpointUrl, SecurityPolicyNone.Instance, transport, null, cancellationToken).ConfigureAwait(false);
        using var w = new UaBinaryWriter(256);
        w.WriteNodeId(new NodeId(0, EncodingIds.GetEndpointsRequest));
        UaSecureChannel.WriteRequestHeader(w, NodeId.Null, channel.NextRequestHandle(), transport.RequestTimeout);
        w.WriteString(endpointUrl);
        w.WriteInt32(0); // LocaleIds
        w.WriteInt32(0); // ProfileUris
        using var response = await channel.RequestAsync(w.WrittenSpan, transport.RequestTimeout, "GetEndpoints", cancellationToken).ConfigureAwait(false);
        var r = Expect(channel, response, EncodingIds.GetEndpointsResponse, "GetEndpoints");
        return ServiceCodec.ReadEndpointDescriptions(ref r);
    }

    // --- plumbing ------------------------------------------------------------------------------------------------

    private UaBinaryWriter Begin(uint requestId, TimeSpan? timeout = null)
    {
        var w = new UaBinaryWriter(512);
        w.WriteNodeId(new NodeId(0, requestId));
        UaSecureChannel.WriteRequestHeader(w, _authenticationToken, _channel.NextRequestHandle(), timeout ?? _options.Transport.RequestTimeout);
        return w;
    }

    private async Task<UaResponse> CallAsync(UaBinaryWriter request, string service, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using (request)
        {
            return await _channel.RequestAsync(request.WrittenSpan, timeout ?? _options.Transport.RequestTimeout, service, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Checks the response type and service result and returns a reader positioned after the ResponseHeader.</summary>
    private static UaBinaryReader Expect(UaSecureChannel channel, UaResponse response, uint expected, string service)
    {
        if (response.TypeId != expected)
        {
            throw channel.UnexpectedResponse(response, expected, service);
        }

        var r = response.CreateReader();
        var header = ResponseHeader.Read(ref r);
        if (header.ServiceResult.IsBad)
        {
            throw new OpcUaException(channel.EndpointUrl, header.ServiceResult.Code, "service failed", UaSecureChannel.IsTransientFault(header.ServiceResult.Code), null, service);
        }

        return r;
    }

    private UaBinaryReader Expect(UaResponse response, uint expected, string service)
    {
        try
        {
            return Expect(_channel, response, expected, service);
        }
        catch (UaDecodingException e)
        {
            throw new OpcUaException(EndpointUrl, e.StatusCode, $"undecodable response: {e.Message}", true, e, service);
        }
    }

    private OpcUaException Undecodable(UaDecodingException e, string service) =>
        new OpcUaException(EndpointUrl, e.StatusCode, $"undecodable response: {e.Message}", true, e, service);

    // --- Session ---------------------------------------------------------------------------------------------------

    private async Task CreateSessionAsync(CancellationToken cancellationToken)
    {
        var w = Begin(EncodingIds.CreateSessionRequest);
        // ClientDescription (ApplicationDescription)
        w.WriteString(ApplicationUri);
        w.WriteString("urn:edgeagent");
        w.WriteLocalizedText(new LocalizedText(null, _options.ApplicationName));
        w.WriteInt32(1); // ApplicationType Client
        w.WriteString(null);
        w.WriteString(null);
        w.WriteInt32(-1);
        w.WriteString(null); // ServerUri
        w.WriteString(EndpointUrl);
        w.WriteString(_options.SessionName);
        _clientNonce = RandomNumberGenerator.GetBytes(32);
        w.WriteByteString(_clientNonce);
        w.WriteByteString(_policy.ClientCertificate);
        w.WriteDouble(_options.SessionTimeout.TotalMilliseconds);
        w.WriteUInt32((uint)_channel.Limits.MaxReceiveMessageSize);
        using var response = await CallAsync(w, "CreateSession", cancellationToken).ConfigureAwait(false);
        try
        {
            var r = Expect(response, EncodingIds.CreateSessionResponse, "CreateSession");
            SessionId = r.ReadNodeId();
            _authenticationToken = r.ReadNodeId();
            RevisedSessionTimeout = TimeSpan.FromMilliseconds(r.ReadDouble());
            var serverNonce = r.ReadByteStringSpan(out var nonceNull);
            _serverNonce = nonceNull ? null : serverNonce.ToArray();
            var serverCertificate = r.ReadByteStringSpan(out var certificateNull);
            _serverCertificate = certificateNull ? null : serverCertificate.ToArray();
            ServerEndpoints = ServiceCodec.ReadEndpointDescriptions(ref r);
            _ = r.ReadInt32(); // ServerSoftwareCertificates (reserved, always empty)
            var algorithm = r.ReadString();
            var signature = r.ReadByteStringSpan(out _);
            if (_policy is RsaSecurityPolicy rsa)
            {
                VerifyServerSignature(rsa, algorithm, signature);
            }
        }
        catch (UaDecodingException e)
        {
            throw Undecodable(e, "CreateSession");
        }
    }

    private async Task ActivateSessionAsync(CancellationToken cancellationToken)
    {
        var user = _options.UserName;
        if (_policy is RsaSecurityPolicy && (user is not null || _options.UserCertificate is not null))
        {
            await ActivateSecuredSessionAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_options.UserCertificate is not null)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadIdentityTokenRejected,
                "an X.509 user certificate needs a secure channel (security.policy other than None)", false, null, "ActivateSession");
        }

        var policyId = ChooseUserTokenPolicy(user is null ? UserTokenType.Anonymous : UserTokenType.UserName);
        var w = Begin(EncodingIds.ActivateSessionRequest);
        WriteClientSignature(w);
        w.WriteInt32(-1); // ClientSoftwareCertificates
        w.WriteInt32(-1); // LocaleIds
        if (user is null)
        {
            w.WriteExtensionObject(EncodingIds.AnonymousIdentityToken, policyId, static (w, id) => w.WriteString(id));
        }
        else
        {
            w.WriteExtensionObject(EncodingIds.UserNameIdentityToken, (policyId, user, _options.Password ?? ""), static (w, s) =>
            {
                w.WriteString(s.policyId);
                w.WriteString(s.user);
                w.WriteByteString(System.Text.Encoding.UTF8.GetBytes(s.Item3));
                w.WriteString(null); // EncryptionAlgorithm: none, the password is in clear (policy None)
            });
        }

        w.WriteString(null); // UserTokenSignature
        w.WriteByteString((byte[]?)null);
        using var response = await CallAsync(w, "ActivateSession", cancellationToken).ConfigureAwait(false);
        Expect(response, EncodingIds.ActivateSessionResponse, "ActivateSession");
    }

    private string? ChooseUserTokenPolicy(UserTokenType type)
    {
        string? fallback = null;
        foreach (var endpoint in ServerEndpoints)
        {
            if (endpoint.SecurityPolicyUri != _policy.PolicyUri || endpoint.SecurityMode != _policy.Mode)
            {
                continue;
            }

            foreach (var policy in endpoint.UserIdentityTokens)
            {
                if (policy.TokenType != type)
                {
                    continue;
                }

                if (type != UserTokenType.UserName || string.IsNullOrEmpty(policy.SecurityPolicyUri) || policy.SecurityPolicyUri == SecurityPolicyNone.Uri)
                {
                    return policy.PolicyId;
                }

                fallback ??= policy.SecurityPolicyUri;
            }
        }

        if (type == UserTokenType.UserName && fallback is not null)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadIdentityTokenRejected,
                $"with security policy None the server accepts user names only with the password encrypted by {fallback}: set security: {{ policy, mode }} to a secure policy", false, null, "ActivateSession");
        }

        if (type == UserTokenType.UserName)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadIdentityTokenRejected, "the server offers no user name login on this endpoint", false, null, "ActivateSession");
        }

        // Anonymous: servers that list no policy still commonly accept the id "anonymous"... or an empty one.
        return ServerEndpoints.Length == 0 ? "anonymous" : throw new OpcUaException(EndpointUrl, StatusCode.BadIdentityTokenRejected,
            "the server does not allow anonymous login: configure auth: { user, password }", false, null, "ActivateSession");
    }

    private void CheckClearTextPasswordAllowed()
    {
        if (_options.AllowClearTextPassword)
        {
            return;
        }

        var (host, _) = UaSecureChannel.ParseEndpoint(EndpointUrl);
        var loopback = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
        if (!loopback)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadSecurityPolicyRejected,
                "with security policy None the password would cross the network in clear text; use loopback, a secure policy (security: { policy: Basic256Sha256, mode: SignAndEncrypt }), or set auth.allowClearTextPassword: true", false, null, "ActivateSession");
        }
    }

    /// <summary>CloseSession (deleting subscriptions) then CloseSecureChannel.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_channel is null)
        {
            return;
        }

        if (_channel.IsOpen && !_authenticationToken.IsNull)
        {
            try
            {
                var w = Begin(EncodingIds.CloseSessionRequest, TimeSpan.FromSeconds(2));
                w.WriteBoolean(true);
                using var response = await CallAsync(w, "CloseSession", CancellationToken.None, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (OpcUaException)
            {
            }
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
    }

    // --- Attribute services ----------------------------------------------------------------------------------------

    /// <summary>Read (Part 4 §5.10.2): one DataValue per node, in order.</summary>
    public async Task<DataValue[]> ReadAsync(IReadOnlyList<ReadValueId> nodes, CancellationToken cancellationToken = default, TimestampsToReturn timestamps = TimestampsToReturn.Both)
    {
        var w = Begin(EncodingIds.ReadRequest);
        w.WriteDouble(0); // MaxAge: current value
        w.WriteInt32((int)timestamps);
        w.WriteInt32(nodes.Count);
        foreach (var n in nodes)
        {
            w.WriteNodeId(n.NodeId);
            w.WriteUInt32(n.AttributeId);
            w.WriteString(n.IndexRange);
            w.WriteQualifiedName(default);
        }

        using var response = await CallAsync(w, "Read", cancellationToken).ConfigureAwait(false);
        try
        {
            var r = Expect(response, EncodingIds.ReadResponse, "Read");
            var values = ServiceCodec.ReadDataValues(ref r);
            if (values.Length != nodes.Count)
            {
                throw new OpcUaException(EndpointUrl, StatusCode.BadUnknownResponse, $"asked for {nodes.Count} values, got {values.Length}", true, null, "Read");
            }

            return values;
        }
        catch (UaDecodingException e)
        {
            throw Undecodable(e, "Read");
        }
    }

    public async Task<DataValue> ReadValueAsync(NodeId node, CancellationToken cancellationToken = default) =>
        (await ReadAsync([new ReadValueId(node)], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Write (Part 4 §5.10.4): one status per value.</summary>
    public async Task<StatusCode[]> WriteAsync(IReadOnlyList<WriteValue> values, CancellationToken cancellationToken = default)
    {
        var w = Begin(EncodingIds.WriteRequest);
        w.WriteInt32(values.Count);
        foreach (var v in values)
        {
            w.WriteNodeId(v.NodeId);
            w.WriteUInt32(v.AttributeId);
            w.WriteString(v.IndexRange);
            w.WriteDataValue(v.Value);
        }

        using var response = await CallAsync(w, "Write", cancellationToken).ConfigureAwait(false);
        try
        {
            var r = Expect(response, EncodingIds.WriteResponse, "Write");
            return r.ReadStatusCodeArray();
        }
        catch (UaDecodingException e)
        {
            throw Undecodable(e, "Write");
        }
    }

    /// <summary>The server's namespace array (Server.NamespaceArray, i=2255), read once and cached.</summary>
    public async Task<string[]> GetNamespaceArrayAsync(bool refresh = false, CancellationToken cancellationToken = default)
    {
        if (_namespaces is not null && !refresh)
        {
            return _namespaces;
        }

        var value = await ReadValueAsync(WellKnownNodes.Server_NamespaceArray, cancellationToken).ConfigureAwait(false);
        if (value.Value.Value is not string?[] array)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadTypeMismatch, $"NamespaceArray is {value.Value.Type}, expected String[]", false, null, "Read");
        }

        _namespaces = array.Select(s => s ?? "").ToArray();
        return _namespaces;
    }

    /// <summary>A node id from its text form; <c>nsu=URI;…</c> is resolved through the namespace array.</summary>
    public async Task<NodeId> ResolveAsync(ExpandedNodeId id, CancellationToken cancellationToken = default)
    {
        if (id.NamespaceUri is null)
        {
            return id.NodeId;
        }

        var table = await GetNamespaceArrayAsync(false, cancellationToken).ConfigureAwait(false);
        try
        {
            return id.Resolve(table);
        }
        catch (FormatException e)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadNodeIdUnknown, e.Message, false, e, "Resolve");
        }
    }

    // --- View services -----------------------------------------------------------------------------------------

    /// <summary>Browse (Part 4 §5.8.2). <paramref name="maxReferencesPerNode"/> 0 lets the server choose.</summary>
    public async Task<BrowseResult[]> BrowseAsync(IReadOnlyList<BrowseDescription> nodes, uint maxReferencesPerNode = 0, CancellationToken cancellationToken = default)
    {
        var w = Begin(EncodingIds.BrowseRequest);
        w.WriteNodeId(NodeId.Null); // View.ViewId
        w.WriteDateTime(DateTime.MinValue);
        w.WriteUInt32(0);
        w.WriteUInt32(maxReferencesPerNode);
        w.WriteInt32(nodes.Count);
        foreach (var n in nodes)
        {
            ServiceCodec.WriteBrowseDescription(w, n);
        }

        using var response = await CallAsync(w, "Browse", cancellationToken).ConfigureAwait(false);
        try
        {
            var r = Expect(response, EncodingIds.BrowseResponse, "Browse");
            return ServiceCodec.ReadBrowseResults(ref r);
        }
        catch (UaDecodingException e)
        {
            throw Undecodable(e, "Browse");
        }
    }

    /// <summary>BrowseNext (Part 4 §5.8.3): continues, or with <paramref name="release"/> frees, continuation points.</summary>
    public async Task<BrowseResult[]> BrowseNextAsync(IReadOnlyList<byte[]> continuationPoints, bool release = false, CancellationToken cancellationToken = default)
    {
        var w = Begin(EncodingIds.BrowseNextRequest);
        w.WriteBoolean(release);
        w.WriteInt32(continuationPoints.Count);
        foreach (var cp in continuationPoints)
        {
            w.WriteByteString(cp);
        }

        using var response = await CallAsync(w, "BrowseNext", cancellationToken).ConfigureAwait(false);
        try
        {
            var r = Expect(response, EncodingIds.BrowseNextResponse, "BrowseNext");
            return ServiceCodec.ReadBrowseResults(ref r);
        }
        catch (UaDecodingException e)
        {
            throw Undecodable(e, "BrowseNext");
        }
    }

    /// <summary>Every reference of one node, following continuation points until the server has no more.</summary>
    public async Task<List<ReferenceDescription>> BrowseAllAsync(BrowseDescription node, uint maxReferencesPerNode = 0, CancellationToken cancellationToken = default)
    {
        var all = new List<ReferenceDescription>();
        var result = (await BrowseAsync([node], maxReferencesPerNode, cancellationToken).ConfigureAwait(false))[0];
        while (true)
        {
            if (result.StatusCode.IsBad)
            {
                throw new OpcUaException(EndpointUrl, result.StatusCode.Code, $"cannot browse {node.NodeId}", false, null, "Browse");
            }

            all.AddRange(result.References);
            if (result.ContinuationPoint is null)
            {
                return all;
            }

            result = (await BrowseNextAsync([result.ContinuationPoint], false, cancellationToken).ConfigureAwait(false))[0];
        }
    }

    /// <summary>TranslateBrowsePathsToNodeIds (Part 4 §5.8.4).</summary>
    public async Task<BrowsePathResult[]> TranslateBrowsePathsAsync(IReadOnlyList<BrowsePath> paths, CancellationToken cancellationToken = default)
    {
        var w = Begin(EncodingIds.TranslateBrowsePathsToNodeIdsRequest);
        w.WriteInt32(paths.Count);
        foreach (var p in paths)
        {
            w.WriteNodeId(p.StartingNode);
            w.WriteInt32(p.Elements.Count);
            foreach (var e in p.Elements)
            {
                w.WriteNodeId(e.ReferenceTypeId ?? WellKnownNodes.HierarchicalReferences);
                w.WriteBoolean(e.IsInverse);
                w.WriteBoolean(e.IncludeSubtypes);
                w.WriteQualifiedName(e.TargetName);
            }
        }

        using var response = await CallAsync(w, "TranslateBrowsePathsToNodeIds", cancellationToken).ConfigureAwait(false);
        try
        {
            var r = Expect(response, EncodingIds.TranslateBrowsePathsToNodeIdsResponse, "TranslateBrowsePathsToNodeIds");
            var n = r.ReadArrayLength();
            var results = new BrowsePathResult[Math.Max(n, 0)];
            for (var i = 0; i < n; i++)
            {
                var status = r.ReadStatusCode();
                var m = r.ReadArrayLength();
                var targets = new BrowsePathTarget[Math.Max(m, 0)];
                for (var j = 0; j < m; j++)
                {
                    var target = r.ReadExpandedNodeId();
                    targets[j] = new BrowsePathTarget(target, r.ReadUInt32());
                }

                results[i] = new BrowsePathResult(status, targets);
            }

            return results;
        }
        catch (UaDecodingException e)
        {
            throw Undecodable(e, "TranslateBrowsePathsToNodeIds");
        }
    }

    // --- Subscription services ---------------------------------------------------------------------------------

    /// <summary>CreateSubscription (Part 4 §5.13.2), publishing enabled.</summary>
    public async Task<SubscriptionRevised> CreateSubscriptionAsync(SubscriptionParameters p, CancellationToken cancellationToken = default)
    {
        var w = Begin(EncodingIds.CreateSubscriptionRequest);
        w.WriteDouble(p.PublishingInterval);
        w.WriteUInt32(p.LifetimeCount);
        w.WriteUInt32(p.MaxKeepAliveCount);
        w.WriteUInt32(p.MaxNotificationsPerPublish);
        w.WriteBoolean(true);
        w.WriteByte(p.Priority);
        using var response = await CallAsync(w, "CreateSubscription", cancellationToken).ConfigureAwait(false);
        try
        {
            var r = Expect(response, EncodingIds.CreateSubscriptionResponse, "CreateSubscription");
            return new SubscriptionRevised(r.ReadUInt32(), r.ReadDouble(), r.ReadUInt32(), r.ReadUInt32());
        }
        catch (UaDecodingException e)
        {
            throw Undecodable(e, "CreateSubscription");
        }
    }

    /// <summary>CreateMonitoredItems (Part 4 §5.12.2) in reporting mode; one result per item.</summary>
    public async Task<MonitoredItemResult[]> CreateMonitoredItemsAsync(uint subscriptionId, IReadOnlyList<MonitoredItemRequest> items, TimestampsToReturn timestamps = TimestampsToReturn.Both, CancellationToken cancellationToken = default)
    {
        var w = Begin(EncodingIds.CreateMonitoredItemsRequest);
        w.WriteUInt32(subscriptionId);
        w.WriteInt32((int)timestamps);
        w.WriteInt32(items.Count);
        foreach (var item in items)
        {
            ServiceCodec.WriteMonitoredItemCreateRequest(w, item);
        }

        using var response = await CallAsync(w, "CreateMonitoredItems", cancellationToken).ConfigureAwait(false);
        try
        {
            var r = Expect(response, EncodingIds.CreateMonitoredItemsResponse, "CreateMonitoredItems");
            var n = r.ReadArrayLength();
            var results = new MonitoredItemResult[Math.Max(n, 0)];
            for (var i = 0; i < n; i++)
            {
                var status = r.ReadStatusCode();
                var id = r.ReadUInt32();
                var sampling = r.ReadDouble();
                var queue = r.ReadUInt32();
                r.ReadExtensionObjectBody(out _); // FilterResult
                results[i] = new MonitoredItemResult(status, id, sampling, queue);
            }

            return results;
        }
        catch (UaDecodingException e)
        {
            throw Undecodable(e, "CreateMonitoredItems");
        }
    }

    /// <summary>DeleteSubscriptions (Part 4 §5.13.8).</summary>
    public async Task<StatusCode[]> DeleteSubscriptionsAsync(IReadOnlyList<uint> subscriptionIds, CancellationToken cancellationToken = default)
    {
        var w = Begin(EncodingIds.DeleteSubscriptionsRequest);
        w.WriteInt32(subscriptionIds.Count);
        foreach (var id in subscriptionIds)
        {
            w.WriteUInt32(id);
        }

        using var response = await CallAsync(w, "DeleteSubscriptions", cancellationToken).ConfigureAwait(false);
        try
        {
            var r = Expect(response, EncodingIds.DeleteSubscriptionsResponse, "DeleteSubscriptions");
            return r.ReadStatusCodeArray();
        }
        catch (UaDecodingException e)
        {
            throw Undecodable(e, "DeleteSubscriptions");
        }
    }

    /// <summary>Publish (Part 4 §5.13.5) with acknowledgements; the raw response is returned for the publish loop to decode.</summary>
    internal Task<UaResponse> PublishAsync(ReadOnlySpan<(uint SubscriptionId, uint Sequence)> acks, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var w = Begin(EncodingIds.PublishRequest, timeout);
        w.WriteInt32(acks.Length);
        foreach (var (sub, seq) in acks)
        {
            w.WriteUInt32(sub);
            w.WriteUInt32(seq);
        }

        return CallAsync(w, "Publish", cancellationToken, timeout);
    }

    /// <summary>Republish (Part 4 §5.13.6): the NotificationMessage of one sequence number, if the server still has it.</summary>
    internal async Task<bool> RepublishAsync(uint subscriptionId, uint sequence, NotificationDecoder decoder, INotificationHandler handler, CancellationToken cancellationToken)
    {
        var w = Begin(EncodingIds.RepublishRequest);
        w.WriteUInt32(subscriptionId);
        w.WriteUInt32(sequence);
        using var response = await CallAsync(w, "Republish", cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.TypeId != EncodingIds.RepublishResponse)
            {
                var fault = _channel.UnexpectedResponse(response, EncodingIds.RepublishResponse, "Republish");
                if (fault.StatusCode.Code is StatusCode.BadMessageNotAvailable or StatusCode.BadSequenceNumberUnknown)
                {
                    return false;
                }

                throw fault;
            }

            var r = response.CreateReader();
            var header = ResponseHeader.Read(ref r);
            if (header.ServiceResult.IsBad)
            {
                if (header.ServiceResult.Code is StatusCode.BadMessageNotAvailable or StatusCode.BadSequenceNumberUnknown)
                {
                    return false;
                }

                throw new OpcUaException(EndpointUrl, header.ServiceResult.Code, "service failed", true, null, "Republish");
            }

            decoder.DecodeNotificationMessage(ref r, subscriptionId, handler);
            return true;
        }
        catch (UaDecodingException e)
        {
            throw Undecodable(e, "Republish");
        }
    }
}
