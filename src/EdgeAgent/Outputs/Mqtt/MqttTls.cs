using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// TLS for <c>mqtts://</c>: the broker's certificate must chain to <c>tls.ca</c> (or the system store when no CA file is
/// given) and carry <c>tls.serverName</c> (default: the broker host); <c>insecure: true</c> alone turns the check off.
/// A client certificate and key (PEM) give mutual TLS. Why a handshake failed is kept in <see cref="Reason"/>, because
/// SslStream itself only says "the remote certificate was rejected".
/// </summary>
internal sealed class MqttTls
{
    private readonly MqttOptions _options;
    private readonly MqttTlsOptions _tls;
    private X509Certificate2Collection? _ca;
    private X509Certificate2? _client;

    public MqttTls(MqttOptions options)
    {
        _options = options;
        _tls = options.Tls ?? new MqttTlsOptions();
    }

    /// <summary>Why the last handshake rejected the broker's certificate, or null.</summary>
    public string? Reason { get; private set; }

    /// <summary>The last handshake got as far as accepting the broker's certificate.</summary>
    public bool BrokerAccepted { get; private set; }

    /// <summary>A client certificate is configured (<c>tls.cert</c>, <c>tls.key</c>).</summary>
    public bool HasClientCertificate => _tls.Cert is not null;

    public string ServerName => _tls.ServerName ?? _options.Broker.Host;

    public void ResetReason()
    {
        Reason = null;
        BrokerAccepted = false;
    }

    public MqttClientTlsOptions Build()
    {
        LoadFiles();
        var builder = new MqttClientTlsOptionsBuilder()
            .UseTls()
            .WithTargetHost(ServerName)
            .WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13)
            .WithRevocationMode(X509RevocationMode.NoCheck)
            .WithCertificateValidationHandler(e => Validate(e.Certificate, e.SslPolicyErrors));
        if (_client is not null)
        {
            builder = builder.WithClientCertificates(new X509Certificate2Collection(_client));
        }

        return builder.Build();
    }

    private void LoadFiles()
    {
        try
        {
            if (_tls.Ca is not null && _ca is null)
            {
                var ca = new X509Certificate2Collection();
                ca.ImportFromPemFile(_tls.Ca);
                if (ca.Count == 0)
                {
                    throw new MqttConnectionException(_options.Broker.ToString(), $"TLS: no certificate found in the CA file {_tls.Ca} (expected PEM)", isTransient: false);
                }

                _ca = ca;
            }

            if (_tls.Cert is not null && _client is null)
            {
                using var pem = X509Certificate2.CreateFromPemFile(_tls.Cert, _tls.Key);

                // SslStream on Linux wants a certificate whose key it can use from a store-like container: round-trip via PKCS#12.
                _client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new MqttConnectionException(_options.Broker.ToString(), $"TLS: cannot load the certificate files ({_tls.Ca ?? _tls.Cert}): {ex.Message}", isTransient: false, ex);
        }
    }

    private bool Validate(X509Certificate? certificate, SslPolicyErrors errors) => BrokerAccepted = Check(certificate, errors);

    private bool Check(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (_tls.Insecure)
        {
            return true;
        }

        if (certificate is null)
        {
            Reason = "TLS: the broker sent no certificate";
            return false;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            Reason = $"TLS: the broker's certificate ({certificate.Subject}) is not valid for the name '{ServerName}' (set tls.serverName if the broker is reached by another name)";
            return false;
        }

        if (_ca is null)
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            Reason = $"TLS: the broker's certificate ({certificate.Subject}, issued by {certificate.Issuer}) is not trusted by the system store: {errors} (set tls.ca to the CA file)";
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(_ca);
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (chain.Build(leaf))
        {
            return true;
        }

        var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
        Reason = $"TLS: the broker's certificate ({leaf.Subject}, issued by {leaf.Issuer}) does not chain to the CA in {_tls.Ca}: {status}";
        return false;
    }
}
