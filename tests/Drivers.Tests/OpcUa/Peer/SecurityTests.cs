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

[Collection(SecureServerCollection.Name)]
public sealed class SecureSessionTests(SecureServerFixture fixture)
{
    private sealed class Collector(int wanted) : INotificationHandler
    {
        public readonly System.Collections.Concurrent.ConcurrentQueue<double> Values = new();
        public readonly TaskCompletionSource Enough = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

        public void OnKeepAlive(uint subscriptionId, uint nextSequenceNumber)
        {
        }

        public void OnLost(uint subscriptionId, uint firstSequenceNumber, uint count)
        {
        }
    }

    [Fact]
    public async Task An_encrypted_subscription_keeps_every_change_across_two_token_renewals()
    {
        var options = fixture.Options("Basic256Sha256", MessageSecurityMode.SignAndEncrypt) with
        {
            Transport = new UaTransportOptions { TokenLifetime = TimeSpan.FromSeconds(1) }, // node-opcua revises to 2.5 s
        };
        await using var client = await UaClient.ConnectAsync(options);
        var renewed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Channel.TokenRenewed += c =>
        {
            if (c.RenewCount >= 2)
            {
                renewed.TrySetResult();
            }
        };
        var collector = new Collector(int.MaxValue);
        await using (var subscriptions = new UaSubscriptions(client, collector))
        {
            await subscriptions.AddAsync(
                new SubscriptionParameters(100, 300, 10),
                [new MonitoredItemRequest(new NodeId(2, "Demo.Fast"), 1, SamplingInterval: 0, QueueSize: 1000)]);
            subscriptions.Start();
            await renewed.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var count = collector.Values.Count;
            await WaitUntil(() => collector.Values.Count > count + 20); // still flowing after the second renewal
            Assert.Equal(0, subscriptions.Lost);
        }

        var values = collector.Values.ToArray();
        Assert.Equal(Enumerable.Range(0, values.Length).Select(i => values[0] + i), values);
    }

    [Theory]
    [InlineData(MessageSecurityMode.Sign)]
    [InlineData(MessageSecurityMode.SignAndEncrypt)]
    public async Task Logs_in_with_an_encrypted_password_and_refuses_a_wrong_one_once_without_retrying(MessageSecurityMode mode)
    {
        var options = fixture.Options("Aes256_Sha256_RsaPss", mode) with { UserName = "edge", Password = "secret" };
        await using (var client = await UaClient.ConnectAsync(options))
        {
            Assert.Equal(10.01, (await client.ReadValueAsync(new NodeId(2, "Demo.Double"))).Value.Value);
        }

        var e = await Assert.ThrowsAsync<OpcUaException>(() => UaClient.ConnectAsync(options with { Password = "wrong" }));
        Assert.Equal("ActivateSession", e.Service);
        Assert.True(e.StatusCode.Code is StatusCode.BadUserAccessDenied or StatusCode.BadIdentityTokenRejected, e.Message);
        Assert.False(e.IsTransient, "a wrong password is not retried as if the server were away");
    }

    [Theory]
    [InlineData(MessageSecurityMode.Sign)]
    [InlineData(MessageSecurityMode.SignAndEncrypt)]
    public async Task Requests_and_responses_larger_than_a_chunk_are_split_and_secured_chunk_by_chunk(MessageSecurityMode mode)
    {
        var options = fixture.Options("Aes128_Sha256_RsaOaep", mode) with
        {
            Transport = new UaTransportOptions { SendBufferSize = 8192, ReceiveBufferSize = 8192 },
        };
        await using var client = await UaClient.ConnectAsync(options);
        var nodes = Enumerable.Range(0, 2000).Select(i => new ReadValueId(new NodeId(2, "Big." + i), AttributeId.BrowseName)).ToArray();
        var values = await client.ReadAsync(nodes);
        Assert.Equal("Item1999", ((QualifiedName)values[1999].Value.Value!).Name);
    }

    [Fact]
    public async Task An_unknown_server_certificate_is_rejected_into_rejected_then_works_once_trusted()
    {
        var pki = fixture.NewPki();
        var options = fixture.Options("Basic256Sha256", MessageSecurityMode.SignAndEncrypt, pki);
        var e = await Assert.ThrowsAsync<OpcUaException>(() => UaClient.ConnectAsync(options));
        Assert.Equal(StatusCode.BadCertificateUntrusted, e.StatusCode.Code);
        var rejected = Assert.Single(Directory.GetFiles(pki.RejectedFolder));
        Assert.Contains(fixture.ServerCertificate.Thumbprint, e.Message);
        Assert.Contains(rejected, e.Message);
        Assert.Contains(pki.TrustedFolder, e.Message);

        var trusted = pki.Trust(fixture.ServerCertificate.Thumbprint);
        Assert.True(File.Exists(trusted));
        Assert.Empty(Directory.GetFiles(pki.RejectedFolder));
        await using var client = await UaClient.ConnectAsync(options);
        Assert.Equal(10.01, (await client.ReadValueAsync(new NodeId(2, "Demo.Double"))).Value.Value);
    }

    [Fact]
    public async Task Auto_accept_trusts_the_server_on_first_use_and_keeps_one_own_certificate()
    {
        var pki = fixture.NewPki();
        var options = fixture.Options("Aes128_Sha256_RsaOaep", MessageSecurityMode.SignAndEncrypt, pki);
        options = options with { Security = options.Security with { AutoAccept = true } };
        await using (var client = await UaClient.ConnectAsync(options))
        {
            Assert.True(client.Channel.IsOpen);
        }

        Assert.Single(Directory.GetFiles(pki.TrustedFolder));
        var own = File.ReadAllBytes(pki.OwnCertificatePath);

        // A second store on the same folder (a restart) reuses the certificate instead of making a new one.
        var restarted = new PkiStore(pki.Root);
        await using (var client = await UaClient.ConnectAsync(options with { Security = options.Security with { Pki = restarted, AutoAccept = false } }))
        {
            Assert.Equal(own, client.Channel.Policy.ClientCertificate);
        }
    }

    [Fact]
    public async Task A_server_reached_by_a_name_its_certificate_does_not_list_is_refused()
    {
        // The certificate lists 127.0.0.1 and localhost; 127.0.0.2 is the same loopback server under another name.
        var options = fixture.Options("Basic256Sha256", MessageSecurityMode.Sign) with
        {
            EndpointUrl = $"opc.tcp://127.0.0.2:{fixture.Server.Port}/UA/EdgeAgentTest",
        };
        var e = await Assert.ThrowsAsync<OpcUaException>(() => UaClient.ConnectAsync(options));
        Assert.Equal(StatusCode.BadCertificateHostNameInvalid, e.StatusCode.Code);
        Assert.Contains("127.0.0.2", e.Message);
    }

    [Fact]
    public async Task Auto_picks_the_strongest_policy_the_server_offers()
    {
        var options = fixture.Options(UaSecurityOptions.Auto, MessageSecurityMode.Invalid);
        options = options with { Security = options.Security with { AllowDeprecated = false } };
        await using var client = await UaClient.ConnectAsync(options);
        Assert.Equal(SecurityPolicyInfo.Aes256Sha256RsaPss.Uri, client.Channel.Policy.PolicyUri);
        Assert.Equal(MessageSecurityMode.SignAndEncrypt, client.Channel.Policy.Mode);
    }

    [Fact]
    public async Task A_tampered_message_signature_closes_the_channel_with_an_error()
    {
        await using var proxy = new TamperingProxy(fixture.Server.Port);
        var options = fixture.Options("Basic256Sha256", MessageSecurityMode.SignAndEncrypt) with { EndpointUrl = proxy.EndpointUrl };
        options = options with { Security = options.Security with { AutoAccept = false }, };
        var pki = options.Security.Pki!;
        // GetEndpoints through the proxy names the server's URL: the certificate's hosts (127.0.0.1) still match.
        await using var client = await UaClient.ConnectAsync(options);
        Assert.Equal(10.01, (await client.ReadValueAsync(new NodeId(2, "Demo.Double"))).Value.Value);
        proxy.TamperNextMessage();
        var e = await Assert.ThrowsAsync<OpcUaException>(() => client.ReadValueAsync(new NodeId(2, "Demo.Double")));
        Assert.Equal(StatusCode.BadSecurityChecksFailed, e.StatusCode.Code);
        var closed = await Assert.ThrowsAsync<OpcUaException>(() => client.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(StatusCode.BadSecurityChecksFailed, closed.StatusCode.Code);
        Assert.Equal(1, proxy.Tampered);
        Assert.True(Directory.Exists(pki.Root));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}

public sealed class SecurityRefusalTests
{
    [Fact]
    public async Task A_server_offering_only_none_is_refused_when_sign_is_asked_naming_what_it_offers()
    {
        await using var server = await OpcUaServerProcess.StartAsync();
        var pki = new PkiStore(Path.Combine(Path.GetTempPath(), "edgeagent-uasec-" + Guid.NewGuid().ToString("N")));
        var options = new UaClientOptions
        {
            EndpointUrl = server.EndpointUrl,
            Security = new UaSecurityOptions { Policy = "Basic256Sha256", Mode = MessageSecurityMode.Sign, Pki = pki },
        };
        var e = await Assert.ThrowsAsync<OpcUaException>(() => UaClient.ConnectAsync(options));
        Assert.Equal(StatusCode.BadSecurityPolicyRejected, e.StatusCode.Code);
        Assert.Contains("Basic256Sha256/Sign", e.Message);
        Assert.Contains("it offers None/None", e.Message);
        Assert.False(Directory.Exists(pki.OwnFolder), "nothing is created for a server we never secured a channel with");
    }
}

[Collection(SecureServerCollection.Name)]
public sealed class X509UserTests(SecureServerFixture fixture)
{
    [Fact]
    public async Task Logs_in_with_an_x509_user_certificate_signing_the_server_nonce()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=operator", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509KeyUsageExtension(
            System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.DigitalSignature | System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.NonRepudiation, true));
        using var user = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var options = fixture.Options("Basic256Sha256", MessageSecurityMode.SignAndEncrypt) with { UserCertificate = user };
        await using var client = await UaClient.ConnectAsync(options);
        Assert.Equal(10.01, (await client.ReadValueAsync(new NodeId(2, "Demo.Double"))).Value.Value);
    }
}

[Collection(SecureServerCollection.Name)]
public sealed class SecureSourceTests(SecureServerFixture fixture)
{
    private sealed class DownCounter : ISampleWriter
    {
        private int _downs;
        public int Downs => Volatile.Read(ref _downs);
        public string? Reason;

        public bool TryWrite(ReadOnlySpan<Sample> samples) => true;

        public void SetState(SourceState state, string? reason = null)
        {
            if (state == SourceState.Down)
            {
                Reason = reason;
                Interlocked.Increment(ref _downs);
            }
        }
    }

    [Fact]
    public async Task A_wrong_password_is_not_retried_with_backoff_like_an_unreachable_server()
    {
        TagBinding[] tags = [new(0, "bore", new OpcUaTagOptions("ns=2;s=Demo.Double"))];
        var client = fixture.Options("Basic256Sha256", MessageSecurityMode.SignAndEncrypt) with { UserName = "edge", Password = "wrong" };
        var wrong = new OpcUaSource("wrong", new OpcUaSourceOptions { Client = client, ReconnectMin = TimeSpan.FromMilliseconds(10), ReconnectMax = TimeSpan.FromHours(1) }, tags);
        var away = new OpcUaSource("away", new OpcUaSourceOptions
        {
            Client = new UaClientOptions { EndpointUrl = $"opc.tcp://127.0.0.1:{OpcUaServerProcess.FreePort()}" },
            ReconnectMin = TimeSpan.FromMilliseconds(10),
            ReconnectMax = TimeSpan.FromHours(1),
        }, tags);
        var wrongWriter = new DownCounter();
        var awayWriter = new DownCounter();
        using var stop = new CancellationTokenSource();
        var runs = Task.WhenAll(wrong.RunAsync(wrongWriter, stop.Token), away.RunAsync(awayWriter, stop.Token));
        await WaitUntil(() => wrongWriter.Downs >= 1);
        var before = awayWriter.Downs;
        await WaitUntil(() => awayWriter.Downs >= before + 4); // the unreachable server is retried 10, 20, 40, 80 ms later…
        Assert.Equal(1, wrongWriter.Downs);                    // …the refused login not once meanwhile
        Assert.Contains("ActivateSession", wrongWriter.Reason);
        stop.Cancel();
        await runs;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}

public sealed class ExplicitUserTokenPolicyTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "edgeagent-uasec-siemens-" + Guid.NewGuid().ToString("N"));
    private OpcUaServerProcess _server = null!;
    private System.Security.Cryptography.X509Certificates.X509Certificate2 _certificate = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _certificate = ServerCertificates.Write(_folder, "server", SecureServerFixture.ServerUri, ["localhost"], [System.Net.IPAddress.Loopback],
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        // node-opcua's emulation of servers that want the password RSA-encrypted by a named policy even inside an
        // encrypted channel (its user token policies name Basic256, Basic128Rsa15, Basic256Sha256).
        _server = await OpcUaServerProcess.StartAsync(null, ServerCertificates.Args(_folder, "server", SecureServerFixture.ServerUri) + " --big 10",
            environment: new Dictionary<string, string> { ["NODEOPCUA_SERVER_EMULATE_SIEMENS"] = "1" });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_password_is_encrypted_by_the_token_policy_the_server_names_not_the_channel_s()
    {
        var pki = new PkiStore(Path.Combine(_folder, "client"));
        Directory.CreateDirectory(pki.TrustedFolder);
        File.WriteAllBytes(Path.Combine(pki.TrustedFolder, "server.der"), _certificate.RawData);
        var options = new UaClientOptions
        {
            EndpointUrl = _server.EndpointUrl,
            UserName = "edge",
            Password = "secret",
            Security = new UaSecurityOptions { Policy = "Aes256_Sha256_RsaPss", Mode = MessageSecurityMode.SignAndEncrypt, Pki = pki, HostName = "localhost" },
        };
        await using (var client = await UaClient.ConnectAsync(options))
        {
            var token = client.SelectedEndpoint!.UserIdentityTokens.Where(t => t.TokenType == UserTokenType.UserName).Select(t => t.SecurityPolicyUri).ToArray();
            Assert.DoesNotContain(token, uri => string.IsNullOrEmpty(uri)); // every user name token names its own policy
            Assert.Equal(10.01, (await client.ReadValueAsync(new NodeId(2, "Demo.Double"))).Value.Value);
        }

        var e = await Assert.ThrowsAsync<OpcUaException>(() => UaClient.ConnectAsync(options with { Password = "wrong" }));
        Assert.Equal("ActivateSession", e.Service);
    }
}

public sealed class ExpiredServerCertificateTests
{
    [Fact]
    public async Task A_server_whose_certificate_expired_is_refused_even_with_auto_accept()
    {
        var folder = Path.Combine(Path.GetTempPath(), "edgeagent-uasec-expired-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            using var expired = ServerCertificates.Write(folder, "server", SecureServerFixture.ServerUri, ["localhost"], [System.Net.IPAddress.Loopback],
                DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(-1));
            await using var server = await OpcUaServerProcess.StartAsync(null, ServerCertificates.Args(folder, "server", SecureServerFixture.ServerUri) + " --big 10");
            var pki = new PkiStore(Path.Combine(folder, "client"));
            var options = new UaClientOptions
            {
                EndpointUrl = server.EndpointUrl,
                Security = new UaSecurityOptions { Policy = "Basic256Sha256", Mode = MessageSecurityMode.SignAndEncrypt, Pki = pki, AutoAccept = true, HostName = "localhost" },
            };
            var e = await Assert.ThrowsAsync<OpcUaException>(() => UaClient.ConnectAsync(options));
            Assert.Equal(StatusCode.BadCertificateTimeInvalid, e.StatusCode.Code);
            Assert.Contains(expired.Thumbprint, e.Message);
            Assert.False(Directory.Exists(pki.TrustedFolder), "an expired certificate is not trusted on first use");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
