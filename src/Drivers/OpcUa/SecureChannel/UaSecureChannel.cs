using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using EdgeAgent.Drivers.OpcUa.Encoding;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Drivers.OpcUa.SecureChannel;

/// <summary>
/// A UA TCP connection with a secure channel on it (Part 6 §6.7 and §7.1): Hello/Acknowledge, OpenSecureChannel,
/// chunked MSG requests and responses matched by request id, token renewal at 75 % of the token lifetime, and
/// CloseSecureChannel. One receive loop reads chunks; any number of requests may be outstanding.
/// The cryptography is the <see cref="ISecurityPolicy"/>'s; this class only lays out chunks.
/// </summary>
public sealed partial class UaSecureChannel : IAsyncDisposable
{
    private const uint OpenSecureChannelRequestId = 446;
    private const uint OpenSecureChannelResponseId = 449;
    private const uint CloseSecureChannelRequestId = 452;
    internal const uint ServiceFaultId = 397;

    // Sequence numbers wrap to a value below 1024 after UInt32.MaxValue - 1024 (Part 6 §6.7.2.4).
    private const uint SequenceWrapLimit = uint.MaxValue - 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly ISecurityPolicy _policy;
    private readonly UaTransportOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, Pending> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _sendBuffer = [];
    private uint _sendSequence;
    private uint _receiveSequence;
    private bool _receivedAny;
    private int _requestId;
    private int _requestHandle;
    private uint _channelId;
    private uint _tokenId;
    private uint _previousTokenId;
    private TimeSpan _tokenLifetime;
    private Task _receiveLoop = Task.CompletedTask;
    private Task _renewLoop = Task.CompletedTask;
    private volatile Exception? _fault;

    private UaSecureChannel(string endpointUrl, Socket socket, ISecurityPolicy policy, UaTransportOptions options, ILogger logger)
    {
        EndpointUrl = endpointUrl;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _policy = policy;
        _options = options;
        _logger = logger;
        Limits = new UaTransportLimits(options.SendBufferSize, options.ReceiveBufferSize, 0, 0, options.MaxMessageSize, options.MaxChunkCount);
    }

    public string EndpointUrl { get; }
    public uint ChannelId => _channelId;
    public uint TokenId => _tokenId;
    public UaTransportLimits Limits { get; private set; }
    public ISecurityPolicy Policy => _policy;
    public UaDecodingLimits DecodingLimits => _options.DecodingLimits;

    /// <summary>Completes when the channel is closed or fails; faulted with the reason (a <see cref="OpcUaException"/>).</summary>
    public Task Completion => _completion.Task;

    public bool IsOpen => !_completion.Task.IsCompleted;

    /// <summary>Number of security token renewals so far (observable for tests).</summary>
    public int RenewCount { get; private set; }

    /// <summary>Raised after each security token renewal (on the renewal task).</summary>
    public event Action<UaSecureChannel>? TokenRenewed;

    /// <summary>Next RequestHeader.RequestHandle.</summary>
    public uint NextRequestHandle() => (uint)Interlocked.Increment(ref _requestHandle);

    /// <summary>Connects, exchanges Hello/Acknowledge and opens the secure channel.</summary>
    public static async Task<UaSecureChannel> OpenAsync(
        string endpointUrl, ISecurityPolicy policy, UaTransportOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        options ??= new UaTransportOptions();
        var (host, port) = ParseEndpoint(endpointUrl);
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        UaSecureChannel? channel = null;
        try
        {
            try
            {
                await socket.ConnectAsync(host, port, connectTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new OpcUaException(endpointUrl, StatusCode.BadTimeout, $"no TCP connection within {options.ConnectTimeout.TotalSeconds:0.#} s", true, new TimeoutException());
            }
            catch (SocketException e)
            {
                throw new OpcUaException(endpointUrl, StatusCode.BadServerNotConnected, $"cannot connect to {host}:{port}: {e.Message}", true, e);
            }

            channel = new UaSecureChannel(endpointUrl, socket, policy, options, logger ?? NullLogger.Instance);
            await channel.HelloAsync(connectTimeout.Token, cancellationToken).ConfigureAwait(false);
            channel._receiveLoop = Task.Run(channel.ReceiveLoopAsync, CancellationToken.None);
            await channel.OpenSecureChannelAsync(renew: false, cancellationToken).ConfigureAwait(false);
            channel._renewLoop = Task.Run(channel.RenewLoopAsync, CancellationToken.None);
            Log.Opened(channel._logger, endpointUrl, channel._channelId, channel._tokenLifetime.TotalSeconds, channel.Limits.SendChunkSize, channel.Limits.ReceiveChunkSize);
            return channel;
        }
        catch
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            throw;
        }
    }

    /// <summary>Splits opc.tcp://host:port[/path]; the default port is 4840.</summary>
    public static (string Host, int Port) ParseEndpoint(string endpointUrl)
    {
        if (!Uri.TryCreate(endpointUrl, UriKind.Absolute, out var uri) || !string.Equals(uri.Scheme, "opc.tcp", StringComparison.OrdinalIgnoreCase))
        {
            throw new OpcUaException(endpointUrl, StatusCode.BadTcpEndpointUrlInvalid, "expected an endpoint like opc.tcp://host:4840[/path]", false);
        }

        return (uri.IdnHost, uri.Port > 0 ? uri.Port : 4840);
    }

    private async Task HelloAsync(CancellationToken timeout, CancellationToken user)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(EndpointUrl) > UaTcp.MaxEndpointUrlLength)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadTcpEndpointUrlInvalid, "endpoint URL longer than 4096 bytes", false);
        }

        try
        {
            await _stream.WriteAsync(UaTcp.EncodeHello(_options, EndpointUrl), timeout).ConfigureAwait(false);
            var header = new byte[UaTcp.HeaderSize];
            await ReadExactlyAsync(header, timeout, "Acknowledge").ConfigureAwait(false);
            var type = UaTcp.MessageType(header);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
            if (type != UaTcp.Ack && type != UaTcp.Err)
            {
                throw Protocol(StatusCode.BadTcpMessageTypeInvalid, $"expected ACK or ERR after Hello, found {UaTcp.Describe(header)}", "HEL");
            }

            if (size < UaTcp.HeaderSize + 8 || size > UaTcp.MinBufferSize)
            {
                throw Protocol(StatusCode.BadTcpMessageTooLarge, $"{(type == UaTcp.Ack ? "ACK" : "ERR")} of {size} bytes (expected 28 to {UaTcp.MinBufferSize})", "HEL");
            }

            var body = new byte[size - UaTcp.HeaderSize];
            await ReadExactlyAsync(body, timeout, "Acknowledge").ConfigureAwait(false);
            if (type == UaTcp.Err)
            {
                throw ErrorMessage(body, "HEL");
            }

            var r = new UaBinaryReader(body);
            if (body.Length < 20)
            {
                throw Protocol(StatusCode.BadDecodingError, $"ACK body has {body.Length} bytes, expected 20", "HEL");
            }

            _ = r.ReadUInt32(); // ProtocolVersion: 0 is the only one
            var serverReceive = r.ReadUInt32();
            var serverSend = r.ReadUInt32();
            var serverMaxMessage = r.ReadUInt32();
            var serverMaxChunks = r.ReadUInt32();
            if (serverReceive < UaTcp.MinBufferSize || serverSend < UaTcp.MinBufferSize)
            {
                throw Protocol(StatusCode.BadTcpInternalError, $"server buffer sizes {serverReceive}/{serverSend} are below the minimum {UaTcp.MinBufferSize}", "HEL");
            }

            if (serverSend > _options.ReceiveBufferSize)
            {
                throw Protocol(StatusCode.BadTcpInternalError, $"server SendBufferSize {serverSend} exceeds our ReceiveBufferSize {_options.ReceiveBufferSize}", "HEL");
            }

            var sendChunk = (int)Math.Min(serverReceive, (uint)_options.SendBufferSize);
            Limits = new UaTransportLimits(
                sendChunk,
                (int)serverSend,
                serverMaxMessage == 0 ? int.MaxValue : (int)Math.Min(serverMaxMessage, int.MaxValue),
                serverMaxChunks == 0 ? int.MaxValue : (int)Math.Min(serverMaxChunks, int.MaxValue),
                _options.MaxMessageSize == 0 ? int.MaxValue : _options.MaxMessageSize,
                _options.MaxChunkCount == 0 ? int.MaxValue : _options.MaxChunkCount);
            _sendBuffer = ArrayPool<byte>.Shared.Rent(sendChunk);
        }
        catch (OperationCanceledException) when (!user.IsCancellationRequested)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadTimeout, $"no Acknowledge within {_options.ConnectTimeout.TotalSeconds:0.#} s", true, new TimeoutException(), "HEL");
        }
    }

    private OpcUaException ErrorMessage(ReadOnlySpan<byte> body, string? step)
    {
        try
        {
            var r = new UaBinaryReader(body);
            var code = r.ReadUInt32();
            var reason = r.ReadString();
            return new OpcUaException(EndpointUrl, code, $"server sent ERR: {(string.IsNullOrEmpty(reason) ? "(no reason)" : reason)}", true, null, step);
        }
        catch (UaDecodingException e)
        {
            return new OpcUaException(EndpointUrl, StatusCode.BadDecodingError, $"server sent an unreadable ERR message: {e.Message}", true, e, step);
        }
    }

    private OpcUaException Protocol(uint code, string message, string? step = null, Exception? inner = null) =>
        new OpcUaException(EndpointUrl, code, message, true, inner, step);

    private async ValueTask ReadExactlyAsync(Memory<byte> into, CancellationToken token, string what)
    {
        var read = 0;
        while (read < into.Length)
        {
            var n = await _stream.ReadAsync(into[read..], token).ConfigureAwait(false);
            if (n == 0)
            {
                throw Protocol(
                    StatusCode.BadConnectionClosed,
                    read == 0 && what != "chunk body" ? $"server closed the connection (waiting for {what})" : $"server closed the connection mid-{what} ({read} of {into.Length} bytes)");
            }

            read += n;
        }
    }

    // --- OpenSecureChannel -------------------------------------------------------------------------------------

    private async Task OpenSecureChannelAsync(bool renew, CancellationToken cancellationToken)
    {
        var clientNonce = _policy.CreateClientNonce();
        using var body = new UaBinaryWriter(256);
        body.WriteNodeId(new NodeId(0, OpenSecureChannelRequestId));
        WriteRequestHeader(body, NodeId.Null, NextRequestHandle(), _options.RequestTimeout);
        body.WriteUInt32(0); // ClientProtocolVersion
        body.WriteInt32(renew ? 1 : 0); // SecurityTokenRequestType Issue/Renew
        body.WriteInt32((int)_policy.Mode);
        body.WriteByteString(clientNonce);
        body.WriteUInt32((uint)Math.Clamp(_options.TokenLifetime.TotalMilliseconds, 1000, uint.MaxValue));
        // The response is applied on the receive loop, before it reads the next chunk: a server may send the next
        // MSG with the new token right after the OPN response, before this method's continuation would run.
        using var response = await SendAsync(UaTcp.Opn, body.WrittenSpan, _options.RequestTimeout, "OpenSecureChannel", cancellationToken,
            r => ApplyOpenResponse(r, clientNonce)).ConfigureAwait(false);
        var tokenId = _tokenId;
        if (renew)
        {
            RenewCount++;
            Log.Renewed(_logger, EndpointUrl, _channelId, tokenId, _tokenLifetime.TotalSeconds);
            TokenRenewed?.Invoke(this);
        }
    }

    /// <summary>OpenSecureChannelResponse (Part 4 §5.5.2): the channel id, the new token and its keys.</summary>
    private void ApplyOpenResponse(UaResponse response, byte[] clientNonce)
    {
        if (response.TypeId != OpenSecureChannelResponseId)
        {
            throw UnexpectedResponse(response, OpenSecureChannelResponseId, "OpenSecureChannel");
        }

        var r = response.CreateReader();
        var header = ResponseHeader.Read(ref r);
        if (header.ServiceResult.IsBad)
        {
            throw new OpcUaException(EndpointUrl, header.ServiceResult.Code, "OpenSecureChannel rejected", true, null, "OPN");
        }

        _ = r.ReadUInt32(); // ServerProtocolVersion
        var channelId = r.ReadUInt32();
        var tokenId = r.ReadUInt32();
        _ = r.ReadDateTime(); // CreatedAt
        var lifetime = r.ReadUInt32();
        var serverNonce = r.ReadByteStringSpan(out _);
        _policy.OnTokenIssued(tokenId, clientNonce, serverNonce);
        _channelId = channelId;
        _previousTokenId = _tokenId;
        _tokenId = tokenId;
        _tokenLifetime = TimeSpan.FromMilliseconds(Math.Max(lifetime, 1000));
    }

    private async Task RenewLoopAsync()
    {
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                await Task.Delay(_tokenLifetime * 0.75, _closing.Token).ConfigureAwait(false);
                await OpenSecureChannelAsync(renew: true, _closing.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            Fail(e as OpcUaException ?? Protocol(StatusCode.BadSecureChannelClosed, $"security token renewal failed: {e.Message}", "OPN", e));
        }
    }

    internal OpcUaException UnexpectedResponse(UaResponse response, uint expected, string service)
    {
        if (response.TypeId == ServiceFaultId)
        {
            var r = response.CreateReader();
            var header = ResponseHeader.Read(ref r);
            return new OpcUaException(EndpointUrl, header.ServiceResult.Code, "service fault", IsTransientFault(header.ServiceResult.Code), null, service);
        }

        return new OpcUaException(EndpointUrl, StatusCode.BadUnknownResponse, $"expected response type i={expected}, found i={response.TypeId}", true, null, service);
    }

    internal static bool IsTransientFault(uint code) => (code & 0xFFFF0000) is StatusCode.BadTimeout or StatusCode.BadTooManyOperations
        or StatusCode.BadServerHalted or StatusCode.BadShutdown or StatusCode.BadSessionIdInvalid or StatusCode.BadSessionClosed
        or StatusCode.BadSecureChannelIdInvalid or StatusCode.BadCommunicationError or StatusCode.BadConnectionClosed
        or StatusCode.BadRequestTimeout or StatusCode.BadSessionNotActivated or StatusCode.BadTcpServerTooBusy;

    /// <summary>RequestHeader (Part 4 §7.28).</summary>
    public static void WriteRequestHeader(UaBinaryWriter w, NodeId authenticationToken, uint requestHandle, TimeSpan timeoutHint)
    {
        w.WriteNodeId(authenticationToken);
        w.WriteDateTime(DateTime.UtcNow);
        w.WriteUInt32(requestHandle);
        w.WriteUInt32(0); // ReturnDiagnostics
        w.WriteString(null); // AuditEntryId
        w.WriteUInt32((uint)Math.Clamp(timeoutHint.TotalMilliseconds, 0, uint.MaxValue));
        w.WriteExtensionObject(ExtensionObject.Null); // AdditionalHeader
    }

    // --- Requests ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Sends a service request (the body starts with the request's encoding id) and waits for the response.
    /// Throws a <see cref="OpcUaException"/> BadTimeout after <paramref name="timeout"/>, BadConnectionClosed when the
    /// channel fails, and <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public Task<UaResponse> RequestAsync(ReadOnlySpan<byte> body, TimeSpan timeout, string service, CancellationToken cancellationToken) =>
        SendAsync(UaTcp.Msg, body, timeout, service, cancellationToken);

    private Task<UaResponse> SendAsync(uint messageType, ReadOnlySpan<byte> body, TimeSpan timeout, string service, CancellationToken cancellationToken, Action<UaResponse>? onReceive = null)
    {
        if (_fault is { } fault)
        {
            return Task.FromException<UaResponse>(fault);
        }

        if (body.Length > Limits.MaxSendMessageSize)
        {
            return Task.FromException<UaResponse>(new OpcUaException(EndpointUrl, StatusCode.BadRequestTooLarge, $"request of {body.Length} bytes exceeds the server's MaxMessageSize {Limits.MaxSendMessageSize}", false, null, service));
        }

        var requestId = NextRequestId();
        var pending = new Pending(onReceive);
        _pending[requestId] = pending;

        // The body is copied into chunks synchronously (the span cannot cross an await) by one sender at a time.
        var copy = ArrayPool<byte>.Shared.Rent(body.Length);
        body.CopyTo(copy);
        return CompleteAsync(messageType, copy, body.Length, requestId, pending, timeout, service, cancellationToken);
    }

    private uint NextRequestId()
    {
        var id = (uint)Interlocked.Increment(ref _requestId);
        return id == 0 ? (uint)Interlocked.Increment(ref _requestId) : id;
    }

    private async Task<UaResponse> CompleteAsync(uint messageType, byte[] body, int length, uint requestId, Pending pending, TimeSpan timeout, string service, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            try
            {
                await SendChunksAsync(messageType, body, length, requestId, timer.Token).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(body);
            }

            if (messageType == UaTcp.Clo)
            {
                _pending.TryRemove(requestId, out _);
                return null!;
            }

            return await pending.Task.WaitAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadTimeout, $"no response within {timeout.TotalSeconds:0.###} s", true, new TimeoutException(), service);
        }
        catch (IOException e)
        {
            var fault = Protocol(StatusCode.BadConnectionClosed, $"sending failed: {e.Message}", service, e);
            Fail(fault);
            throw fault;
        }
        catch (OpcUaException e) when (e.Service is null)
        {
            throw new OpcUaException(EndpointUrl, e.StatusCode.Code, e.Message, e.IsTransient, e, service);
        }
        finally
        {
            if (_pending.TryRemove(requestId, out var left))
            {
                left.Release();
            }
        }
    }

    private async Task SendChunksAsync(uint messageType, byte[] body, int length, uint requestId, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_fault is { } fault)
            {
                throw fault;
            }

            var offset = 0;
            var chunks = 0;
            do
            {
                var chunkLength = BuildChunk(messageType, body, length, requestId, ref offset, ++chunks);
                await _stream.WriteAsync(_sendBuffer.AsMemory(0, chunkLength), CancellationToken.None).ConfigureAwait(false);
            }
            while (offset < length);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Lays out one chunk in the send buffer: header | security header | sequence header | body part.</summary>
    private int BuildChunk(uint messageType, byte[] body, int length, uint requestId, ref int offset, int chunkNumber)
    {
        var asymmetric = messageType == UaTcp.Opn;
        var buffer = _sendBuffer;
        var w = new ChunkWriter(buffer) { Position = UaTcp.HeaderSize };
        w.WriteUInt32(_channelId);
        if (asymmetric)
        {
            w.WriteString(_policy.PolicyUri);
            w.WriteByteString(_policy.ClientCertificate);
            w.WriteByteString(_policy.ServerCertificateThumbprint);
        }
        else
        {
            w.WriteUInt32(_tokenId);
        }

        var securityHeaderEnd = w.Position;
        var maxBody = _policy.MaxBodySize(Limits.SendChunkSize, securityHeaderEnd + 8, asymmetric);
        var part = Math.Min(maxBody, length - offset);
        var final = offset + part == length;
        if (asymmetric && !final)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadRequestTooLarge, "OpenSecureChannel request does not fit one chunk", false);
        }

        if (chunkNumber > Limits.MaxSendChunkCount)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadRequestTooLarge, $"request needs more than the server's MaxChunkCount {Limits.MaxSendChunkCount} chunks", false);
        }

        w.WriteUInt32(NextSendSequence());
        w.WriteUInt32(requestId);
        w.WriteRaw(body.AsSpan(offset, part));
        // The signature covers the message header: write it first; the policy patches MessageSize before signing.
        UaTcp.WriteHeader(buffer, messageType, final ? UaTcp.Final : UaTcp.Intermediate, (uint)w.Position);
        var chunkLength = _policy.SecureChunk(buffer, securityHeaderEnd, w.Position, asymmetric);
        UaTcp.WriteHeader(buffer, messageType, final ? UaTcp.Final : UaTcp.Intermediate, (uint)chunkLength);
        offset += part;
        return chunkLength;
    }

    private uint NextSendSequence()
    {
        _sendSequence = _sendSequence >= SequenceWrapLimit ? 1 : _sendSequence + 1;
        return _sendSequence;
    }

    // --- Receive loop ------------------------------------------------------------------------------------------

    private async Task ReceiveLoopAsync()
    {
        var chunk = ArrayPool<byte>.Shared.Rent(Limits.ReceiveChunkSize);
        var header = new byte[UaTcp.HeaderSize];
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                await ReadExactlyAsync(header, _closing.Token, "message header").ConfigureAwait(false);
                var type = UaTcp.MessageType(header);
                var size = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
                if (type is not (UaTcp.Msg or UaTcp.Opn or UaTcp.Clo or UaTcp.Err))
                {
                    throw Protocol(StatusCode.BadTcpMessageTypeInvalid, $"unknown message type {UaTcp.Describe(header)}");
                }

                // Reject the size before waiting for the body (Part 6 §7.1.2.4: never more than the negotiated buffer).
                if (size < UaTcp.HeaderSize + 16 && type != UaTcp.Err || size < UaTcp.HeaderSize + 4 || size > Limits.ReceiveChunkSize)
                {
                    throw Protocol(StatusCode.BadTcpMessageTooLarge, $"chunk of {size} bytes is outside 24..{Limits.ReceiveChunkSize} (the negotiated buffer)");
                }

                var bodyLength = (int)size - UaTcp.HeaderSize;
                header.CopyTo(chunk, 0);
                await ReadExactlyAsync(chunk.AsMemory(UaTcp.HeaderSize, bodyLength), _closing.Token, "chunk body").ConfigureAwait(false);
                if (type == UaTcp.Err)
                {
                    throw ErrorMessage(chunk.AsSpan(UaTcp.HeaderSize, bodyLength), null);
                }

                OnChunk(type, header[3], chunk.AsSpan(0, (int)size));
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            Fail(Protocol(StatusCode.BadSecureChannelClosed, "secure channel closed"));
        }
        catch (OpcUaException e)
        {
            Fail(e);
        }
        catch (UaDecodingException e)
        {
            Fail(Protocol(e.StatusCode, e.StatusCode == StatusCode.BadSecurityChecksFailed ? $"chunk rejected: {e.Message}" : $"undecodable chunk: {e.Message}", null, e));
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            Fail(Protocol(StatusCode.BadSecurityChecksFailed, $"chunk rejected: {e.Message}", null, e));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Fail(Protocol(StatusCode.BadConnectionClosed, $"connection lost: {e.Message}", null, e));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private void OnChunk(uint type, byte chunkType, Span<byte> chunk)
    {
        var r = new UaBinaryReader(chunk, _options.DecodingLimits);
        r.Skip(UaTcp.HeaderSize);
        var channelId = r.ReadUInt32();
        if (_channelId != 0 && channelId != _channelId)
        {
            throw Protocol(StatusCode.BadTcpSecureChannelUnknown, $"chunk for secure channel {channelId}, ours is {_channelId}");
        }

        var asymmetric = type == UaTcp.Opn;
        if (asymmetric)
        {
            var policyUri = r.ReadString();
            _ = r.ReadByteStringSpan(out _); // SenderCertificate
            _ = r.ReadByteStringSpan(out _); // ReceiverCertificateThumbprint
            if (!string.Equals(policyUri, _policy.PolicyUri, StringComparison.Ordinal))
            {
                throw Protocol(StatusCode.BadSecurityPolicyRejected, $"server answered with security policy '{policyUri}', we asked for '{_policy.PolicyUri}'");
            }
        }
        else
        {
            var tokenId = r.ReadUInt32();
            if (tokenId != _tokenId && tokenId != _previousTokenId)
            {
                throw Protocol(StatusCode.BadSecureChannelTokenUnknown, $"chunk with security token {tokenId}, expected {_tokenId}");
            }
        }

        var plain = _policy.UnsecureChunk(chunk, r.Position, asymmetric);
        var sr = new UaBinaryReader(chunk[plain], _options.DecodingLimits);
        var sequence = sr.ReadUInt32();
        var requestId = sr.ReadUInt32();
        CheckSequence(sequence);
        var payload = chunk[plain][sr.Position..];

        if (!_pending.TryGetValue(requestId, out var pending))
        {
            // A response for a request that timed out or was cancelled: drop it.
            return;
        }

        switch (chunkType)
        {
            case UaTcp.Abort:
                {
                    var ar = new UaBinaryReader(payload, _options.DecodingLimits);
                    var code = ar.ReadUInt32();
                    var reason = ar.ReadString();
                    pending.Fail(new OpcUaException(EndpointUrl, code, $"server aborted the response: {reason}", IsTransientFault(code)));
                    break;
                }

            case UaTcp.Intermediate:
            case UaTcp.Final:
                if (pending.Length + payload.Length > Limits.MaxReceiveMessageSize || pending.Chunks + 1 > Limits.MaxReceiveChunkCount)
                {
                    pending.Fail(new OpcUaException(EndpointUrl, StatusCode.BadResponseTooLarge, $"response exceeds {Limits.MaxReceiveMessageSize} bytes or {Limits.MaxReceiveChunkCount} chunks", false));
                    break;
                }

                pending.Append(payload);
                if (chunkType == UaTcp.Final)
                {
                    pending.Complete(this);
                }

                break;
            default:
                throw Protocol(StatusCode.BadTcpMessageTypeInvalid, $"chunk type '{(char)chunkType}' is not F, C or A");
        }
    }

    private void CheckSequence(uint sequence)
    {
        if (_receivedAny)
        {
            var expected = _receiveSequence >= SequenceWrapLimit ? sequence : _receiveSequence + 1;
            if (sequence != expected && !(_receiveSequence >= SequenceWrapLimit && sequence < 1024))
            {
                throw Protocol(StatusCode.BadSequenceNumberInvalid, $"sequence number {sequence}, expected {expected}");
            }
        }

        _receivedAny = true;
        _receiveSequence = sequence;
    }

    private void Fail(OpcUaException reason)
    {
        if (Interlocked.CompareExchange(ref _fault, reason, null) is not null)
        {
            return;
        }

        foreach (var (_, pending) in _pending)
        {
            pending.Fail(reason);
        }

        _closing.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        if (reason.StatusCode.Code == StatusCode.BadSecureChannelClosed)
        {
            _completion.TrySetResult();
        }
        else
        {
            Log.Lost(_logger, EndpointUrl, _channelId, reason.Message);
            _completion.TrySetException(reason);
        }
    }

    /// <summary>Sends CloseSecureChannel (no response is expected) and closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_fault is null && _channelId != 0)
        {
            try
            {
                using var body = new UaBinaryWriter(64);
                body.WriteNodeId(new NodeId(0, CloseSecureChannelRequestId));
                WriteRequestHeader(body, NodeId.Null, NextRequestHandle(), TimeSpan.FromSeconds(1));
                await SendAsync(UaTcp.Clo, body.WrittenSpan, TimeSpan.FromSeconds(1), "CloseSecureChannel", CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OpcUaException or IOException or ObjectDisposedException)
            {
            }
        }

        Fail(Protocol(StatusCode.BadSecureChannelClosed, "secure channel closed"));
        await _receiveLoop.ConfigureAwait(false);
        await _renewLoop.ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        if (_sendBuffer.Length > 0)
        {
            // Every sender holds _sendLock while using the buffer; after Fail none can start.
            await _sendLock.WaitAsync().ConfigureAwait(false);
            ArrayPool<byte>.Shared.Return(_sendBuffer);
            _sendBuffer = [];
            _sendLock.Release();
        }

        _closing.Dispose();
    }

    /// <summary>A request waiting for its response chunks.</summary>
    private sealed class Pending(Action<UaResponse>? onReceive = null)
    {
        private readonly TaskCompletionSource<UaResponse> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private byte[]? _buffer;

        public int Length { get; private set; }
        public int Chunks { get; private set; }
        public Task<UaResponse> Task => _tcs.Task;

        public void Append(ReadOnlySpan<byte> payload)
        {
            if (_buffer is null || Length + payload.Length > _buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Length + payload.Length, _buffer is null ? payload.Length : _buffer.Length * 2));
                if (_buffer is not null)
                {
                    _buffer.AsSpan(0, Length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(_buffer);
                }

                _buffer = bigger;
            }

            payload.CopyTo(_buffer.AsSpan(Length));
            Length += payload.Length;
            Chunks++;
        }

        public void Complete(UaSecureChannel channel)
        {
            var buffer = _buffer ?? ArrayPool<byte>.Shared.Rent(1);
            _buffer = null;
            try
            {
                var r = new UaBinaryReader(buffer.AsSpan(0, Length), channel._options.DecodingLimits);
                var typeId = r.ReadNodeId();
                var numeric = typeId.NamespaceIndex == 0 && typeId.IdType == IdType.Numeric ? typeId.Numeric : 0;
                var response = new UaResponse(buffer, r.Position, Length - r.Position, numeric, channel._options.DecodingLimits);
                if (onReceive is not null)
                {
                    try
                    {
                        onReceive(response);
                    }
                    catch (Exception e) when (e is OpcUaException or UaDecodingException)
                    {
                        response.Dispose();
                        Fail(e as OpcUaException ?? new OpcUaException(channel.EndpointUrl, ((UaDecodingException)e).StatusCode, $"undecodable response: {e.Message}", true, e));
                        return;
                    }
                }

                if (!_tcs.TrySetResult(response))
                {
                    response.Dispose();
                }
            }
            catch (UaDecodingException e)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                Fail(new OpcUaException(channel.EndpointUrl, e.StatusCode, $"undecodable response: {e.Message}", true, e));
            }
        }

        public void Fail(Exception e) => _tcs.TrySetException(e);

        public void Release()
        {
            var b = Interlocked.Exchange(ref _buffer, null);
            if (b is not null)
            {
                ArrayPool<byte>.Shared.Return(b);
            }
        }
    }

    /// <summary>Writes chunk headers into the channel's send buffer (a UaBinaryWriter over a fixed array).</summary>
    private ref struct ChunkWriter
    {
        private readonly Span<byte> _buffer;

        public ChunkWriter(byte[] buffer)
        {
            _buffer = buffer;
            Position = 0;
        }

        public int Position { get; set; }

        public void WriteUInt32(uint v)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(Space(4), v);
            Position += 4;
        }

        public void WriteRaw(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(Space(bytes.Length));
            Position += bytes.Length;
        }

        public void WriteByteString(byte[]? v)
        {
            if (v is null)
            {
                WriteUInt32(uint.MaxValue);
                return;
            }

            WriteUInt32((uint)v.Length);
            WriteRaw(v);
        }

        public void WriteString(string v)
        {
            var n = System.Text.Encoding.UTF8.GetByteCount(v);
            WriteUInt32((uint)n);
            System.Text.Encoding.UTF8.GetBytes(v, Space(n));
            Position += n;
        }

        private readonly Span<byte> Space(int n) => Position + n <= _buffer.Length
            ? _buffer.Slice(Position, n)
            : throw new InvalidOperationException($"chunk header does not fit the {_buffer.Length}-byte send buffer");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Trace, Message = "Opened secure channel {ChannelId} to {Endpoint} (token lifetime {LifetimeSeconds} s, chunks {SendChunk}/{ReceiveChunk} bytes)")]
        public static partial void Opened(ILogger logger, string endpoint, uint channelId, double lifetimeSeconds, int sendChunk, int receiveChunk);

        [LoggerMessage(EventId = 101, Level = LogLevel.Trace, Message = "Renewed security token of channel {ChannelId} to {Endpoint}: token {TokenId}, lifetime {LifetimeSeconds} s")]
        public static partial void Renewed(ILogger logger, string endpoint, uint channelId, uint tokenId, double lifetimeSeconds);

        [LoggerMessage(EventId = 102, Level = LogLevel.Trace, Message = "Secure channel {ChannelId} to {Endpoint} lost: {Reason}")]
        public static partial void Lost(ILogger logger, string endpoint, uint channelId, string reason);
    }
}
