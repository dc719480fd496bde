namespace EdgeAgent.Drivers.OpcUa.Encoding;

/// <summary>
/// A 32-bit OPC UA status code (Part 4 §7.39): the top two bits are the severity
/// (00 Good, 01 Uncertain, 10/11 Bad), bits 16..27 the sub code.
/// </summary>
public readonly record struct StatusCode(uint Code)
{
    public static readonly StatusCode Good = new(0);

    public const uint BadUnexpectedError = 0x80010000;
    public const uint BadInternalError = 0x80020000;
    public const uint BadCommunicationError = 0x80050000;
    public const uint BadEncodingError = 0x80060000;
    public const uint BadDecodingError = 0x80070000;
    public const uint BadEncodingLimitsExceeded = 0x80080000;
    public const uint BadRequestTooLarge = 0x80B80000;
    public const uint BadResponseTooLarge = 0x80B90000;
    public const uint BadUnknownResponse = 0x80090000;
    public const uint BadTimeout = 0x800A0000;
    public const uint BadServiceUnsupported = 0x800B0000;
    public const uint BadShutdown = 0x800C0000;
    public const uint BadServerNotConnected = 0x800D0000;
    public const uint BadServerHalted = 0x800E0000;
    public const uint BadNothingToDo = 0x800F0000;
    public const uint BadTooManyOperations = 0x80100000;
    public const uint BadSecurityChecksFailed = 0x80130000;
    public const uint BadIdentityTokenInvalid = 0x80200000;
    public const uint BadIdentityTokenRejected = 0x80210000;
    public const uint BadSecureChannelIdInvalid = 0x80220000;
    public const uint BadNonceInvalid = 0x80240000;
    public const uint BadSessionIdInvalid = 0x80250000;
    public const uint BadSessionClosed = 0x80260000;
    public const uint BadSessionNotActivated = 0x80270000;
    public const uint BadSubscriptionIdInvalid = 0x80280000;
    public const uint BadRequestHeaderInvalid = 0x802A0000;
    public const uint BadNodeIdInvalid = 0x80330000;
    public const uint BadNodeIdUnknown = 0x80340000;
    public const uint BadAttributeIdInvalid = 0x80350000;
    public const uint BadNotReadable = 0x803A0000;
    public const uint BadNotWritable = 0x803B0000;
    public const uint BadTypeMismatch = 0x80740000;
    public const uint BadUserAccessDenied = 0x801F0000;
    public const uint BadNoSubscription = 0x80790000;
    public const uint BadSequenceNumberUnknown = 0x807A0000;
    public const uint BadMessageNotAvailable = 0x807B0000;
    public const uint BadTooManyPublishRequests = 0x80780000;
    public const uint BadTcpServerTooBusy = 0x807D0000;
    public const uint BadTcpMessageTypeInvalid = 0x807E0000;
    public const uint BadTcpSecureChannelUnknown = 0x807F0000;
    public const uint BadTcpMessageTooLarge = 0x80800000;
    public const uint BadTcpInternalError = 0x80820000;
    public const uint BadTcpEndpointUrlInvalid = 0x80830000;
    public const uint BadRequestInterrupted = 0x80840000;
    public const uint BadRequestTimeout = 0x80850000;
    public const uint BadSecureChannelClosed = 0x80860000;
    public const uint BadSecureChannelTokenUnknown = 0x80870000;
    public const uint BadSequenceNumberInvalid = 0x80880000;
    public const uint BadProtocolVersionUnsupported = 0x80BE0000;
    public const uint BadConnectionClosed = 0x80AE0000;
    public const uint BadNoContinuationPoints = 0x804B0000;
    public const uint BadContinuationPointInvalid = 0x804A0000;
    public const uint BadWaitingForInitialData = 0x80320000;
    public const uint BadNoCommunication = 0x80310000;
    public const uint BadOutOfService = 0x808D0000;
    public const uint BadSecurityPolicyRejected = 0x80550000;
    public const uint BadCertificateInvalid = 0x80120000;
    public const uint BadCertificateTimeInvalid = 0x80140000;
    public const uint BadCertificateIssuerTimeInvalid = 0x80150000;
    public const uint BadCertificateHostNameInvalid = 0x80160000;
    public const uint BadCertificateUriInvalid = 0x80170000;
    public const uint BadCertificateUseNotAllowed = 0x80180000;
    public const uint BadCertificateUntrusted = 0x801A0000;
    public const uint BadCertificateRevoked = 0x801D0000;
    public const uint BadCertificateChainIncomplete = 0x810D0000;
    public const uint BadSecurityModeRejected = 0x80540000;
    public const uint BadConfigurationError = 0x80890000;
    public const uint BadUserSignatureInvalid = 0x80570000;
    public const uint BadApplicationSignatureInvalid = 0x80580000;
    public const uint UncertainLastUsableValue = 0x40900000;

    public bool IsGood => (Code & 0xC0000000) == 0;
    public bool IsUncertain => (Code & 0xC0000000) == 0x40000000;
    public bool IsBad => (Code & 0x80000000) != 0;

    /// <summary>The severity reduced to the agent's three quality classes.</summary>
    public Quality ToQuality() => IsGood ? Quality.Good : IsUncertain ? Quality.Uncertain : Quality.Bad;

    public static implicit operator StatusCode(uint code) => new(code);

    public override string ToString() => Name(Code) is { } name ? $"{name} (0x{Code:X8})" : $"0x{Code:X8}";

    /// <summary>The symbolic name of the codes this client produces or meets most; null for others.</summary>
    public static string? Name(uint code) => (code & 0xFFFF0000) switch
    {
        0 => "Good",
        BadUnexpectedError => nameof(BadUnexpectedError),
        BadInternalError => nameof(BadInternalError),
        BadCommunicationError => nameof(BadCommunicationError),
        BadEncodingError => nameof(BadEncodingError),
        BadDecodingError => nameof(BadDecodingError),
        BadEncodingLimitsExceeded => nameof(BadEncodingLimitsExceeded),
        BadRequestTooLarge => nameof(BadRequestTooLarge),
        BadResponseTooLarge => nameof(BadResponseTooLarge),
        BadUnknownResponse => nameof(BadUnknownResponse),
        BadTimeout => nameof(BadTimeout),
        BadServiceUnsupported => nameof(BadServiceUnsupported),
        BadShutdown => nameof(BadShutdown),
        BadServerNotConnected => nameof(BadServerNotConnected),
        BadServerHalted => nameof(BadServerHalted),
        BadNothingToDo => nameof(BadNothingToDo),
        BadTooManyOperations => nameof(BadTooManyOperations),
        BadSecurityChecksFailed => nameof(BadSecurityChecksFailed),
        BadIdentityTokenInvalid => nameof(BadIdentityTokenInvalid),
        BadIdentityTokenRejected => nameof(BadIdentityTokenRejected),
        BadSecureChannelIdInvalid => nameof(BadSecureChannelIdInvalid),
        BadNonceInvalid => nameof(BadNonceInvalid),
        BadSessionIdInvalid => nameof(BadSessionIdInvalid),
        BadSessionClosed => nameof(BadSessionClosed),
        BadSessionNotActivated => nameof(BadSessionNotActivated),
        BadSubscriptionIdInvalid => nameof(BadSubscriptionIdInvalid),
        BadRequestHeaderInvalid => nameof(BadRequestHeaderInvalid),
        BadNodeIdInvalid => nameof(BadNodeIdInvalid),
        BadNodeIdUnknown => nameof(BadNodeIdUnknown),
        BadAttributeIdInvalid => nameof(BadAttributeIdInvalid),
        BadNotReadable => nameof(BadNotReadable),
        BadNotWritable => nameof(BadNotWritable),
        BadTypeMismatch => nameof(BadTypeMismatch),
        BadUserAccessDenied => nameof(BadUserAccessDenied),
        BadNoSubscription => nameof(BadNoSubscription),
        BadSequenceNumberUnknown => nameof(BadSequenceNumberUnknown),
        BadMessageNotAvailable => nameof(BadMessageNotAvailable),
        BadTooManyPublishRequests => nameof(BadTooManyPublishRequests),
        BadTcpServerTooBusy => nameof(BadTcpServerTooBusy),
        BadTcpMessageTypeInvalid => nameof(BadTcpMessageTypeInvalid),
        BadTcpSecureChannelUnknown => nameof(BadTcpSecureChannelUnknown),
        BadTcpMessageTooLarge => nameof(BadTcpMessageTooLarge),
        BadTcpInternalError => nameof(BadTcpInternalError),
        BadTcpEndpointUrlInvalid => nameof(BadTcpEndpointUrlInvalid),
        BadRequestInterrupted => nameof(BadRequestInterrupted),
        BadRequestTimeout => nameof(BadRequestTimeout),
        BadSecureChannelClosed => nameof(BadSecureChannelClosed),
        BadSecureChannelTokenUnknown => nameof(BadSecureChannelTokenUnknown),
        BadSequenceNumberInvalid => nameof(BadSequenceNumberInvalid),
        BadProtocolVersionUnsupported => nameof(BadProtocolVersionUnsupported),
        BadConnectionClosed => nameof(BadConnectionClosed),
        BadNoContinuationPoints => nameof(BadNoContinuationPoints),
        BadContinuationPointInvalid => nameof(BadContinuationPointInvalid),
        BadWaitingForInitialData => nameof(BadWaitingForInitialData),
        BadNoCommunication => nameof(BadNoCommunication),
        BadOutOfService => nameof(BadOutOfService),
        BadSecurityPolicyRejected => nameof(BadSecurityPolicyRejected),
        BadCertificateInvalid => nameof(BadCertificateInvalid),
        BadCertificateTimeInvalid => nameof(BadCertificateTimeInvalid),
        BadCertificateIssuerTimeInvalid => nameof(BadCertificateIssuerTimeInvalid),
        BadCertificateHostNameInvalid => nameof(BadCertificateHostNameInvalid),
        BadCertificateUriInvalid => nameof(BadCertificateUriInvalid),
        BadCertificateUseNotAllowed => nameof(BadCertificateUseNotAllowed),
        BadCertificateUntrusted => nameof(BadCertificateUntrusted),
        BadCertificateRevoked => nameof(BadCertificateRevoked),
        BadCertificateChainIncomplete => nameof(BadCertificateChainIncomplete),
        BadSecurityModeRejected => nameof(BadSecurityModeRejected),
        BadConfigurationError => nameof(BadConfigurationError),
        BadUserSignatureInvalid => nameof(BadUserSignatureInvalid),
        BadApplicationSignatureInvalid => nameof(BadApplicationSignatureInvalid),
        UncertainLastUsableValue => nameof(UncertainLastUsableValue),
        _ => null,
    };
}
