using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Security;
using EdgeAgent.Drivers.OpcUa.Tests.Peer;

namespace EdgeAgent.Drivers.OpcUa.Tests.Security;

public sealed class PkiStoreTests : IDisposable
{
    private const string Endpoint = "opc.tcp://127.0.0.1:4840";
    private const string Uri = "urn:test:server";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "edgeagent-pki-" + Guid.NewGuid().ToString("N"));

    public PkiStoreTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private X509Certificate2 Server(string name = "s", DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string[]? dns = null) =>
        ServerCertificates.Write(_folder, name, Uri, dns ?? ["localhost"], [IPAddress.Loopback],
            notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30));

    [Fact]
    public void The_application_certificate_is_rsa_2048_sha256_with_the_application_uri_and_host_in_its_alt_names_and_reused()
    {
        var pki = new PkiStore(Path.Combine(_folder, "pki"));
        using var first = pki.LoadOrCreateApplicationCertificate("gw-7", out var created);
        Assert.True(created);
        Assert.True(first.HasPrivateKey);
        Assert.Equal(2048, first.GetRSAPublicKey()!.KeySize);
        Assert.Equal("1.2.840.113549.1.1.11", first.SignatureAlgorithm.Value); // sha256WithRSAEncryption
        var (dns, _, uris) = PkiStore.SubjectAltNames(first);
        Assert.Equal(["urn:gw-7:edgeagent"], uris);
        Assert.Equal(["gw-7"], dns);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pki.OwnKeyPath));
        }

        using var again = new PkiStore(pki.Root).LoadOrCreateApplicationCertificate("gw-7", out var createdAgain);
        Assert.False(createdAgain);
        Assert.Equal(first.Thumbprint, again.Thumbprint);
    }

    [Fact]
    public void An_expired_certificate_is_refused_even_when_trusted()
    {
        var pki = new PkiStore(Path.Combine(_folder, "pki"));
        using var expired = Server(notBefore: DateTimeOffset.UtcNow.AddDays(-30), notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        Directory.CreateDirectory(pki.TrustedFolder);
        File.WriteAllBytes(Path.Combine(pki.TrustedFolder, "s.der"), expired.RawData);
        var e = Assert.Throws<OpcUaException>(() => pki.ValidateServerCertificate(Endpoint, expired, Uri, autoAccept: true));
        Assert.Equal(StatusCode.BadCertificateTimeInvalid, e.StatusCode.Code);
        Assert.Contains(expired.Thumbprint, e.Message);
    }

    [Fact]
    public void A_certificate_for_another_application_uri_is_refused()
    {
        var pki = new PkiStore(Path.Combine(_folder, "pki"));
        using var server = Server();
        var e = Assert.Throws<OpcUaException>(() => pki.ValidateServerCertificate(Endpoint, server, "urn:other", autoAccept: true));
        Assert.Equal(StatusCode.BadCertificateUriInvalid, e.StatusCode.Code);
    }

    [Fact]
    public void A_certificate_for_another_host_name_is_refused()
    {
        var pki = new PkiStore(Path.Combine(_folder, "pki"));
        using var server = Server(dns: ["plc-1"]);
        var e = Assert.Throws<OpcUaException>(() => pki.ValidateServerCertificate("opc.tcp://plc-2:4840", server, Uri, autoAccept: true));
        Assert.Equal(StatusCode.BadCertificateHostNameInvalid, e.StatusCode.Code);
        Assert.Contains("plc-1", e.Message);
    }

    [Fact]
    public void A_certificate_issued_by_a_trusted_ca_is_trusted_through_its_chain_and_a_pem_file_counts()
    {
        var pki = new PkiStore(Path.Combine(_folder, "pki"));
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Plant CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddYears(2));
        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=plc", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new System.Uri(Uri));
        san.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(san.Build());
        using var leaf = leafRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), [1, 2, 3, 4]);
        Directory.CreateDirectory(pki.TrustedFolder);
        File.WriteAllText(Path.Combine(pki.TrustedFolder, "plant-ca.pem"), ca.ExportCertificatePem());

        Assert.False(pki.ValidateServerCertificate(Endpoint, leaf, Uri, autoAccept: false));
        Assert.False(Directory.Exists(pki.RejectedFolder));
    }

    [Fact]
    public void A_certificate_listed_in_its_ca_s_crl_is_refused_as_revoked_and_a_crl_signed_by_someone_else_is_ignored()
    {
        var pki = new PkiStore(Path.Combine(_folder, "pki"));
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Plant CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddYears(2));
        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=plc", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new System.Uri(Uri));
        san.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(san.Build());
        using var leaf = leafRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), [5, 6, 7, 8]);
        Directory.CreateDirectory(pki.TrustedFolder);
        Directory.CreateDirectory(pki.IssuersFolder);
        File.WriteAllBytes(Path.Combine(pki.TrustedFolder, "plant-ca.der"), ca.RawData);

        // Signed by an impostor with the CA's name: not the CA's CRL, so it revokes nothing.
        using var impostorKey = RSA.Create(2048);
        var impostorRequest = new CertificateRequest("CN=Plant CA", impostorKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        impostorRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        impostorRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        impostorRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(impostorRequest.PublicKey, false));
        using var impostor = impostorRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddYears(2));
        var forged = new CertificateRevocationListBuilder();
        forged.AddEntry(leaf);
        File.WriteAllBytes(Path.Combine(pki.IssuersFolder, "forged.crl"), forged.Build(impostor, 1, DateTimeOffset.UtcNow.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.False(pki.ValidateServerCertificate(Endpoint, leaf, Uri, autoAccept: false));

        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry(leaf);
        File.WriteAllText(Path.Combine(pki.IssuersFolder, "plant-ca.crl"), PemEncoding.WriteString("X509 CRL", builder.Build(ca, 2, DateTimeOffset.UtcNow.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
        var e = Assert.Throws<OpcUaException>(() => pki.ValidateServerCertificate(Endpoint, leaf, Uri, autoAccept: true));
        Assert.Equal(StatusCode.BadCertificateRevoked, e.StatusCode.Code);
        Assert.Contains("plant-ca.crl", e.Message);
    }

    [Fact]
    public void Reject_moves_a_trusted_certificate_back_and_an_unknown_name_says_where_it_looked()
    {
        var pki = new PkiStore(Path.Combine(_folder, "pki"));
        using var server = Server();
        Assert.True(pki.ValidateServerCertificate(Endpoint, server, Uri, autoAccept: true));
        var moved = pki.Reject(server.Thumbprint);
        Assert.StartsWith(pki.RejectedFolder, moved);
        Assert.Throws<OpcUaException>(() => pki.ValidateServerCertificate(Endpoint, server, Uri, autoAccept: false));
        var e = Assert.Throws<FileNotFoundException>(() => pki.Trust("0000"));
        Assert.Contains(pki.RejectedFolder, e.Message);
    }
}
