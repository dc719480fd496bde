using EdgeAgent.Drivers.OpcUa.SecureChannel;

namespace EdgeAgent.Drivers.OpcUa.Services;

public enum UserTokenType
{
    Anonymous = 0,
    UserName = 1,
    Certificate = 2,
    IssuedToken = 3,
}

public sealed record UserTokenPolicy(string? PolicyId, UserTokenType TokenType, string? SecurityPolicyUri);

public sealed record EndpointDescription(
    string? EndpointUrl,
    string? ServerApplicationUri,
    string? ServerName,
    byte[]? ServerCertificate,
    MessageSecurityMode SecurityMode,
    string? SecurityPolicyUri,
    UserTokenPolicy[] UserIdentityTokens,
    string? TransportProfileUri,
    byte SecurityLevel);
