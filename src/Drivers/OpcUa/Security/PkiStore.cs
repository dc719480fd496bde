using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;

namespace EdgeAgent.Drivers.OpcUa.Security;

/// <summary>
/// The agent's OPC UA certificate store, one folder (by default <c>{agent.data}/pki</c>):
/// <code>
///   own/certs/edgeagent.der        the application instance certificate (created on first start, reused after)
///   own/private/edgeagent.key.pem  its RSA private key (PKCS#8, readable by the owner only)
///   trusted/                       server certificates (or their CAs) we trust: DER or PEM
///   rejected/                      server certificates we refused, to be moved to trusted/ once checked
///   issuers/                       intermediate CAs used to build chains (not trusted by themselves)
/// </code>
/// </summary>
public sealed class PkiStore
{
    public const string OwnCertificateFile = "edgeagent.der";
    public const string OwnKeyFile = "edgeagent.key.pem";

    public PkiStore(string root)
    {
        Root = Path.GetFullPath(root);
    }

    private readonly Lock _ownLock = new();
    private X509Certificate2? _own;

    public string Root { get; }

    /// <summary>The application instance certificate, loaded (or created) once per store and kept for reconnects.</summary>
    public X509Certificate2 ApplicationCertificate(string hostName, out bool created)
    {
        lock (_ownLock)
        {
            created = false;
            return _own ??= LoadOrCreateApplicationCertificate(hostName, out created);
        }
    }
    public string OwnFolder => Path.Combine(Root, "own");
    public string TrustedFolder => Path.Combine(Root, "trusted");
    public string RejectedFolder => Path.Combine(Root, "rejected");
    public string IssuersFolder => Path.Combine(Root, "issuers");
    public string OwnCertificatePath => Path.Combine(OwnFolder, "certs", OwnCertificateFile);
    public string OwnKeyPath => Path.Combine(OwnFolder, "private", OwnKeyFile);

    /// <summary>The application URI the agent uses on this host (Part 6 §6.2.2: it must be in the certificate's SubjectAltName).</summary>
    public static string DefaultApplicationUri(string host) => $"urn:{host}:edgeagent";

    /// <summary>
    /// Loads the application instance certificate, or creates it on first use: RSA 2048, SHA-256, valid 5 years,
    /// SubjectAltName with the application URI and the host name. Creation is serialised through a lock file so that
    /// sources starting together end up with one certificate. <paramref name="created"/> says whether it was new.
    /// </summary>
    public X509Certificate2 LoadOrCreateApplicationCertificate(string hostName, out bool created)
    {
        created = false;
        if (TryLoadOwn() is { } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(OwnCertificatePath)!);
        Directory.CreateDirectory(Path.GetDirectoryName(OwnKeyPath)!);
        using (AcquireLock(Path.Combine(OwnFolder, ".lock")))
        {
            if (TryLoadOwn() is { } other)
            {
                return other; // created meanwhile by another source
            }

            using var rsa = RSA.Create(2048);
            var name = new X500DistinguishedNameBuilder();
            name.AddCommonName($"EdgeAgent@{hostName}");
            name.AddOrganizationName("EdgeAgent");
            var request = new CertificateRequest(name.Build(), rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(
                X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation | X509KeyUsageFlags.KeyEncipherment
                | X509KeyUsageFlags.DataEncipherment | X509KeyUsageFlags.KeyCertSign, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], true)); // serverAuth, clientAuth
            var san = new SubjectAlternativeNameBuilder();
            san.AddUri(new Uri(DefaultApplicationUri(hostName)));
            san.AddDnsName(hostName);
            request.CertificateExtensions.Add(san.Build());
            var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
            request.CertificateExtensions.Add(ski);
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));
            var now = DateTimeOffset.UtcNow;
            using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));

            var keyPem = PemEncoding.WriteString("PRIVATE KEY", rsa.ExportPkcs8PrivateKey());
            WriteAtomically(OwnKeyPath, System.Text.Encoding.ASCII.GetBytes(keyPem), ownerOnly: true);
            WriteAtomically(OwnCertificatePath, certificate.RawData, ownerOnly: false);
            created = true;
            return TryLoadOwn() ?? throw new IOException($"the certificate just written to {OwnCertificatePath} cannot be read back");
        }
    }

    private X509Certificate2? TryLoadOwn()
    {
        if (!File.Exists(OwnCertificatePath) || !File.Exists(OwnKeyPath))
        {
            return null;
        }

        using var certificate = X509CertificateLoader.LoadCertificateFromFile(OwnCertificatePath);
        using var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(OwnKeyPath));
        using var withKey = certificate.CopyWithPrivateKey(rsa);
        // An ephemeral copy keeps the key usable on every platform without a key store.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Loads a certificate with its private key from PEM/DER files (the X.509 user identity).</summary>
    public static X509Certificate2 LoadWithKey(string certificateFile, string keyFile)
    {
        using var certificate = LoadCertificateFile(certificateFile);
        using var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(keyFile));
        using var withKey = certificate.CopyWithPrivateKey(rsa);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A DER or PEM certificate file.</summary>
    public static X509Certificate2 LoadCertificateFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length > 0 && bytes[0] != 0x30)
        {
            return X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(bytes));
        }

        return X509CertificateLoader.LoadCertificate(bytes);
    }

    /// <summary>The leaf of a DER certificate chain as sent in EndpointDescription.ServerCertificate (leaf first).</summary>
    public static X509Certificate2 LeafOf(byte[] chain)
    {
        var length = DerLength(chain);
        return X509CertificateLoader.LoadCertificate(length == chain.Length ? chain : chain.AsSpan(0, length));
    }

    private static int DerLength(ReadOnlySpan<byte> der)
    {
        if (der.Length < 2 || der[0] != 0x30)
        {
            throw new CryptographicException("not a DER certificate (no SEQUENCE tag)");
        }

        if (der[1] < 0x80)
        {
            return 2 + der[1];
        }

        var n = der[1] & 0x7F;
        if (n is 0 or > 4 || der.Length < 2 + n)
        {
            throw new CryptographicException("DER certificate with an invalid length");
        }

        var length = 0;
        for (var i = 0; i < n; i++)
        {
            length = (length << 8) | der[2 + i];
        }

        return Math.Min(2 + n + length, der.Length);
    }

    /// <summary>Every certificate file in one of the store's folders.</summary>
    public IReadOnlyList<StoredCertificate> List(string folder)
    {
        var result = new List<StoredCertificate>();
        if (!Directory.Exists(folder))
        {
            return result;
        }

        foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            if (!IsCertificateFile(file))
            {
                continue;
            }

            try
            {
                result.Add(new StoredCertificate(file, LoadCertificateFile(file)));
            }
            catch (CryptographicException)
            {
                // Not a certificate (a stray file): listed by nobody, trusted by nobody.
            }
        }

        return result;
    }

    private static bool IsCertificateFile(string file) =>
        Path.GetExtension(file).ToLowerInvariant() is ".der" or ".cer" or ".crt" or ".pem";

    /// <summary>
    /// Checks a server certificate (Part 4 §6.1.3): validity dates, key usage, host name of the endpoint, application
    /// URI, then trust (its thumbprint in trusted/, or a chain to a CA in trusted/ through issuers/). An untrusted
    /// certificate is copied to rejected/ and refused, unless <paramref name="autoAccept"/> copies it to trusted/.
    /// Returns whether the certificate was accepted just now (autoAccept). Throws a <see cref="OpcUaException"/> naming
    /// the certificate's thumbprint and, when untrusted, the file to move.
    /// </summary>
    public bool ValidateServerCertificate(string endpointUrl, X509Certificate2 certificate, string? applicationUri, bool autoAccept, DateTime? now = null)
    {
        var at = now ?? DateTime.UtcNow;
        var who = $"server certificate '{certificate.Subject}' (thumbprint {certificate.Thumbprint})";
        if (at < certificate.NotBefore.ToUniversalTime() || at > certificate.NotAfter.ToUniversalTime())
        {
            throw Refused(endpointUrl, StatusCode.BadCertificateTimeInvalid,
                $"{who} is valid from {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} to {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC, not now ({at:yyyy-MM-dd HH:mm} UTC)");
        }

        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509KeyUsageExtension usage
                && (usage.KeyUsages & X509KeyUsageFlags.DigitalSignature) == 0)
            {
                throw Refused(endpointUrl, StatusCode.BadCertificateUseNotAllowed, $"{who} may not be used for signatures (key usage {usage.KeyUsages})");
            }
        }

        var (host, _) = UaSecureChannel.ParseEndpoint(endpointUrl);
        var (dnsNames, ipAddresses, uris) = SubjectAltNames(certificate);
        if (!HostMatches(host, dnsNames, ipAddresses))
        {
            throw Refused(endpointUrl, StatusCode.BadCertificateHostNameInvalid,
                $"{who} is for {string.Join(", ", dnsNames.Concat(ipAddresses.Select(a => a.ToString())).DefaultIfEmpty("no host"))}, not for '{host}' (connect by a name the certificate lists)");
        }

        if (!string.IsNullOrEmpty(applicationUri) && !uris.Contains(applicationUri, StringComparer.Ordinal))
        {
            throw Refused(endpointUrl, StatusCode.BadCertificateUriInvalid,
                $"{who} carries application URI {string.Join(", ", uris.DefaultIfEmpty("(none)"))}, the server says it is '{applicationUri}'");
        }

        if (RevokedBy(certificate) is { } crl)
        {
            throw Refused(endpointUrl, StatusCode.BadCertificateRevoked, $"{who} is revoked by the CRL {crl} of its issuer '{certificate.Issuer}'");
        }

        if (IsTrusted(certificate))
        {
            return false;
        }

        if (autoAccept)
        {
            Directory.CreateDirectory(TrustedFolder);
            WriteAtomically(Path.Combine(TrustedFolder, FileName(certificate)), certificate.RawData, ownerOnly: false);
            return true;
        }

        Directory.CreateDirectory(RejectedFolder);
        var rejected = Path.Combine(RejectedFolder, FileName(certificate));
        WriteAtomically(rejected, certificate.RawData, ownerOnly: false);
        throw Refused(endpointUrl, StatusCode.BadCertificateUntrusted,
            $"{who} is not trusted; it was saved as {rejected}: check it and move it to {TrustedFolder}{Path.DirectorySeparatorChar} (or run edgeagent pki trust {certificate.Thumbprint} --config FILE), or set security.autoAccept: true to trust on first use");
    }

    /// <summary>Its thumbprint in trusted/, or a chain through issuers/ to a CA in trusted/.</summary>
    public bool IsTrusted(X509Certificate2 certificate)
    {
        var trusted = List(TrustedFolder);
        try
        {
            foreach (var t in trusted)
            {
                if (t.Certificate.Thumbprint == certificate.Thumbprint)
                {
                    return true;
                }
            }

            if (trusted.Count == 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.DisableCertificateDownloads = true;
            foreach (var t in trusted)
            {
                chain.ChainPolicy.CustomTrustStore.Add(t.Certificate);
            }

            var issuers = List(IssuersFolder);
            foreach (var i in issuers)
            {
                chain.ChainPolicy.ExtraStore.Add(i.Certificate);
            }

            var ok = chain.Build(certificate);
            foreach (var i in issuers)
            {
                i.Certificate.Dispose();
            }

            // A self-signed certificate "chains" to itself only when it is in trusted/, checked above.
            return ok && chain.ChainElements.Count > 1;
        }
        finally
        {
            foreach (var t in trusted)
            {
                t.Certificate.Dispose();
            }
        }
    }

    /// <summary>
    /// The CRL file (<c>*.crl</c>, DER or PEM, in issuers/ or trusted/) that revokes the certificate, checked to be
    /// signed by its issuer (a CA certificate in issuers/ or trusted/); null when none does.
    /// </summary>
    public string? RevokedBy(X509Certificate2 certificate)
    {
        var crls = new List<(string File, CertificateRevocationList Crl)>();
        foreach (var folder in new[] { IssuersFolder, TrustedFolder })
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder, "*.crl", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                try
                {
                    var crl = CertificateRevocationList.Load(File.ReadAllBytes(file));
                    if (crl.Issuer.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) && crl.Revokes(certificate))
                    {
                        crls.Add((file, crl));
                    }
                }
                catch (CryptographicException)
                {
                    // not a CRL: ignored, as a stray file among certificates is
                }
            }
        }

        if (crls.Count == 0)
        {
            return null;
        }

        var cas = List(IssuersFolder).Concat(List(TrustedFolder)).ToList();
        try
        {
            foreach (var (file, crl) in crls)
            {
                if (cas.Any(ca => crl.IsSignedBy(ca.Certificate)))
                {
                    return file;
                }
            }

            return null;
        }
        finally
        {
            foreach (var ca in cas)
            {
                ca.Certificate.Dispose();
            }
        }
    }

    /// <summary>Moves a certificate (by thumbprint or file name) from rejected/ to trusted/; returns the new path.</summary>
    public string Trust(string what) => Move(what, RejectedFolder, TrustedFolder);

    /// <summary>Moves a certificate from trusted/ to rejected/; returns the new path.</summary>
    public string Reject(string what) => Move(what, TrustedFolder, RejectedFolder);

    private string Move(string what, string from, string to)
    {
        foreach (var c in List(from))
        {
            using var certificate = c.Certificate;
            if (string.Equals(certificate.Thumbprint, what, StringComparison.OrdinalIgnoreCase)
                || string.Equals(Path.GetFileName(c.File), what, StringComparison.Ordinal)
                || string.Equals(Path.GetFullPath(c.File), Path.GetFullPath(what), StringComparison.Ordinal))
            {
                Directory.CreateDirectory(to);
                var target = Path.Combine(to, Path.GetFileName(c.File));
                File.Move(c.File, target, overwrite: true);
                return target;
            }
        }

        throw new FileNotFoundException($"no certificate '{what}' in {from} (give its thumbprint or file name; edgeagent pki list shows them)");
    }

    public static string FileName(X509Certificate2 certificate)
    {
        var cn = certificate.GetNameInfo(X509NameType.SimpleName, false);
        var clean = new string((cn ?? "certificate").Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return $"{clean} [{certificate.Thumbprint}].der";
    }

    public static (List<string> Dns, List<IPAddress> Ip, List<string> Uris) SubjectAltNames(X509Certificate2 certificate)
    {
        var dns = new List<string>();
        var ips = new List<IPAddress>();
        var uris = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                dns.AddRange(san.EnumerateDnsNames());
                ips.AddRange(san.EnumerateIPAddresses());
                uris.AddRange(ReadUris(san.RawData));
            }
        }

        return (dns, ips, uris);
    }

    /// <summary>uniformResourceIdentifier entries ([6] IA5String) of a GeneralNames sequence.</summary>
    private static List<string> ReadUris(byte[] raw)
    {
        var uris = new List<string>();
        var reader = new System.Formats.Asn1.AsnReader(raw, System.Formats.Asn1.AsnEncodingRules.DER);
        var names = reader.ReadSequence();
        var uriTag = new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 6);
        while (names.HasData)
        {
            var tag = names.PeekTag();
            if (tag == uriTag)
            {
                uris.Add(names.ReadCharacterString(System.Formats.Asn1.UniversalTagNumber.IA5String, uriTag));
            }
            else
            {
                names.ReadEncodedValue();
            }
        }

        return uris;
    }

    private static bool HostMatches(string host, List<string> dns, List<IPAddress> ips)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return ips.Any(a => a.Equals(address));
        }

        return dns.Any(d => string.Equals(d, host, StringComparison.OrdinalIgnoreCase));
    }

    private static OpcUaException Refused(string endpoint, uint code, string message) =>
        new(endpoint, code, message, false, null, "certificate");

    private static void WriteAtomically(string path, byte[] bytes, bool ownerOnly)
    {
        var temp = path + ".tmp" + Environment.ProcessId;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            stream.Write(bytes);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static FileStream AcquireLock(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }
}

/// <summary>A certificate file of the store and the certificate in it (dispose it).</summary>
public sealed record StoredCertificate(string File, X509Certificate2 Certificate);
