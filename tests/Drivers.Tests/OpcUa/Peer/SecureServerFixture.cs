using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Security;

namespace EdgeAgent.Drivers.OpcUa.Tests.Peer;

/// <summary>
/// A node-opcua server offering every security policy in Sign and SignAndEncrypt (server.js --secure), with a server
/// certificate made here: its SubjectAltName lists 127.0.0.1 and localhost, the host names the tests connect by.
/// </summary>
public sealed class SecureServerFixture : IAsyncLifetime
{
    public const string ServerUri = "urn:edgeagent:test:secure-server";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "edgeagent-uasec-" + Guid.NewGuid().ToString("N"));

    public OpcUaServerProcess Server { get; private set; } = null!;
    public X509Certificate2 ServerCertificate { get; private set; } = null!;
    public string EndpointUrl => Server.EndpointUrl;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        ServerCertificate = ServerCertificates.Write(_folder, "server", ServerUri, ["localhost"], [IPAddress.Loopback], DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        // Node refuses RSA PKCS#1 v1.5 decryption (CVE-2023-46809) unless reverted: Basic128Rsa15 needs it.
        Server = await OpcUaServerProcess.StartAsync(null, ServerCertificates.Args(_folder, "server", ServerUri) + " --load 50 --load-interval 10", nodeOptions: "--security-revert=CVE-2023-46809");
    }

    /// <summary>A fresh client PKI folder (its own certificate is created on first connect) that trusts this server.</summary>
    public PkiStore NewTrustingPki()
    {
        var pki = NewPki();
        Directory.CreateDirectory(pki.TrustedFolder);
        File.WriteAllBytes(Path.Combine(pki.TrustedFolder, "server.der"), ServerCertificate.RawData);
        return pki;
    }

    public PkiStore NewPki() => new(Path.Combine(_folder, "client-" + Guid.NewGuid().ToString("N")));

    public UaClientOptions Options(string policy, MessageSecurityMode mode, PkiStore? pki = null) => new()
    {
        EndpointUrl = EndpointUrl,
        Security = new UaSecurityOptions { Policy = policy, Mode = mode, Pki = pki ?? NewTrustingPki(), AllowDeprecated = true, HostName = "localhost" },
    };

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SecureServerCollection : ICollectionFixture<SecureServerFixture>
{
    public const string Name = "opcua-secure-server";
}

internal static class ServerCertificates
{
    /// <summary>Writes NAME.pem and NAME.key.pem (PKCS#1) into <paramref name="folder"/> for server.js --cert/--key.</summary>
    public static X509Certificate2 Write(string folder, string name, string uri, string[] dns, IPAddress[] ips, DateTimeOffset notBefore, DateTimeOffset notAfter, int bits = 2048)
    {
        using var rsa = RSA.Create(bits);
        var request = new CertificateRequest($"CN=EdgeAgent test {name}, O=EdgeAgent", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(uri));
        foreach (var d in dns)
        {
            san.AddDnsName(d);
        }

        foreach (var ip in ips)
        {
            san.AddIpAddress(ip);
        }

        request.CertificateExtensions.Add(san.Build());
        var certificate = request.CreateSelfSigned(notBefore, notAfter);
        File.WriteAllText(Path.Combine(folder, name + ".pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, name + ".key.pem"), rsa.ExportRSAPrivateKeyPem());
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    public static string Args(string folder, string name, string uri) =>
        $"--secure --cert \"{Path.Combine(folder, name + ".pem")}\" --key \"{Path.Combine(folder, name + ".key.pem")}\" --application-uri {uri} --pki \"{Path.Combine(folder, name + "-pki")}\"";
}
