using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Security;
using EdgeAgent.Drivers.OpcUa.Services;

namespace EdgeAgent.Drivers.OpcUa.Tests.Peer;

[Collection(SecureServerCollection.Name)]
public sealed class SecurityTests(SecureServerFixture fixture)
{
    public static TheoryData<string, MessageSecurityMode> PolicyModes()
    {
        var data = new TheoryData<string, MessageSecurityMode>();
        foreach (var policy in new[] { "Basic256Sha256", "Aes128_Sha256_RsaOaep", "Aes256_Sha256_RsaPss", "Basic256", "Basic128Rsa15" })
        {
            data.Add(policy, MessageSecurityMode.Sign);
            data.Add(policy, MessageSecurityMode.SignAndEncrypt);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PolicyModes))]
    public async Task Reads_over_each_policy_and_mode(string policy, MessageSecurityMode mode)
    {
        await using var client = await UaClient.ConnectAsync(fixture.Options(policy, mode));
        Assert.Equal(SecurityPolicyInfo.FindByName(policy)!.Uri, client.Channel.Policy.PolicyUri);
        Assert.Equal(mode, client.Channel.Policy.Mode);
        var value = await client.ReadValueAsync(new NodeId(2, "Demo.String"));
        Assert.Equal("héllo wörld", value.Value.Value);
    }
}
