using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Security;
using EdgeAgent.Drivers.OpcUa.Services;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Drivers.OpcUa.Client;

/// <summary>
/// The secured connection: endpoint selection (never a silent downgrade), the server certificate check, the session
/// signatures of Part 4 §5.6.2–§5.6.3 and the user identity tokens of Part 4 §7.41 (password encrypted with the
/// server's key, X.509 token signed with the user's key).
/// </summary>
public sealed partial class UaClient
{
    /// <summary>The ApplicationUri sent in CreateSession: with a certificate, the one in its SubjectAltName (Part 4 §5.6.2).</summary>
    private string ApplicationUri
    {
        get
        {
            if (_policy.ClientCertificate is not { } der)
            {
                return _options.ApplicationUri;
            }

            using var certificate = X509CertificateLoader.LoadCertificate(der);
            return PkiStore.SubjectAltNames(certificate).Uris.FirstOrDefault() ?? _options.ApplicationUri;
        }
    }

    /// <summary>The endpoint the secured channel was opened to (null with policy None).</summary>
    public EndpointDescription? SelectedEndpoint { get; private set; }

    private async Task<ISecurityPolicy> PrepareSecurityAsync(CancellationToken cancellationToken)
    {
        var security = _options.Security;
        var pki = security.Pki ?? throw new OpcUaException(EndpointUrl, StatusCode.BadConfigurationError,
            $"security policy {security.Policy} needs a certificate store (security.pki or agent.data)", false, null, "certificate");
        var endpoints = await GetEndpointsAsync(EndpointUrl, _options.Transport, cancellationToken).ConfigureAwait(false);
        var (endpoint, info) = SelectEndpoint(EndpointUrl, endpoints, security);
        if (string.Equals(security.Policy, UaSecurityOptions.Auto, StringComparison.OrdinalIgnoreCase))
        {
            Log.AutoSelected(_logger, EndpointUrl, info.Name, endpoint.SecurityMode);
        }

        if (endpoint.ServerCertificate is not { Length: > 0 } chain)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadCertificateInvalid, $"the {info.Name} endpoint carries no server certificate", false, null, "certificate");
        }

        X509Certificate2 serverCertificate;
        try
        {
            serverCertificate = PkiStore.LeafOf(chain);
        }
        catch (CryptographicException e)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadCertificateInvalid, $"the server certificate cannot be read: {e.Message}", false, e, "certificate");
        }

        var bits = serverCertificate.GetRSAPublicKey()?.KeySize ?? 0;
        if (bits < info.MinKeyBits || bits > info.MaxKeyBits)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadCertificateInvalid,
                $"server certificate (thumbprint {serverCertificate.Thumbprint}) has a {bits}-bit RSA key; {info.Name} needs {info.MinKeyBits} to {info.MaxKeyBits}", false, null, "certificate");
        }

        X509Certificate2 own;
        try
        {
            if (pki.ValidateServerCertificate(EndpointUrl, serverCertificate, endpoint.ServerApplicationUri, security.AutoAccept))
            {
                Log.TrustedOnFirstUse(_logger, EndpointUrl, serverCertificate.Subject, serverCertificate.Thumbprint, pki.TrustedFolder);
            }

            own = pki.ApplicationCertificate(security.HostName ?? Dns.GetHostName(), out var created);
            if (created)
            {
                Log.CertificateCreated(_logger, pki.OwnCertificatePath, own.Thumbprint, own.NotAfter.ToUniversalTime());
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadConfigurationError, $"certificate store {pki.Root}: {e.Message}", false, e, "certificate");
        }

        SelectedEndpoint = endpoint;
        return new RsaSecurityPolicy(info, endpoint.SecurityMode, own, serverCertificate);
    }

    /// <summary>
    /// The endpoint of the requested policy and mode, or with <c>auto</c> the strongest secured one offered. Refuses,
    /// naming what the server offers, when nothing matches: a secured request never falls back to None.
    /// </summary>
    public static (EndpointDescription Endpoint, SecurityPolicyInfo Policy) SelectEndpoint(string endpointUrl, IReadOnlyList<EndpointDescription> endpoints, UaSecurityOptions security)
    {
        var auto = string.Equals(security.Policy, UaSecurityOptions.Auto, StringComparison.OrdinalIgnoreCase);
        var wanted = auto ? null : SecurityPolicyInfo.FindByName(security.Policy)
            ?? throw new OpcUaException(endpointUrl, StatusCode.BadSecurityPolicyRejected, $"unknown security policy '{security.Policy}'", false, null, "GetEndpoints");
        if (wanted is { Deprecated: true } && !security.AllowDeprecated)
        {
            throw new OpcUaException(endpointUrl, StatusCode.BadSecurityPolicyRejected, $"{wanted.Name} is deprecated (SHA-1): set security.allowDeprecated: true to use it", false, null, "GetEndpoints");
        }

        EndpointDescription? best = null;
        SecurityPolicyInfo? bestInfo = null;
        foreach (var e in endpoints)
        {
            if (SecurityPolicyInfo.FindByUri(e.SecurityPolicyUri) is not { } info
                || e.SecurityMode is not (MessageSecurityMode.Sign or MessageSecurityMode.SignAndEncrypt)
                || (e.TransportProfileUri is { Length: > 0 } profile && !profile.EndsWith("uatcp-uasc-uabinary", StringComparison.Ordinal)))
            {
                continue;
            }

            var modeOk = security.Mode is MessageSecurityMode.Invalid or MessageSecurityMode.None && auto || e.SecurityMode == security.Mode;
            var policyOk = auto ? !info.Deprecated || security.AllowDeprecated : info == wanted;
            if (!modeOk || !policyOk)
            {
                continue;
            }

            if (best is null || Rank(info, e.SecurityMode) > Rank(bestInfo!, best.SecurityMode))
            {
                best = e;
                bestInfo = info;
            }
        }

        if (best is null)
        {
            var offered = string.Join(", ", endpoints.Select(e => $"{ShortName(e.SecurityPolicyUri)}/{e.SecurityMode}").Distinct());
            var asked = auto ? $"auto{(security.Mode is MessageSecurityMode.Sign or MessageSecurityMode.SignAndEncrypt ? "/" + security.Mode : "")} (any secured endpoint{(security.AllowDeprecated ? "" : " without SHA-1")})" : $"{wanted!.Name}/{security.Mode}";
            throw new OpcUaException(endpointUrl, StatusCode.BadSecurityPolicyRejected,
                $"the server offers no endpoint for {asked}; it offers {(offered.Length == 0 ? "none" : offered)}", false, null, "GetEndpoints");
        }

        return (best, bestInfo!);
    }

    private static int Rank(SecurityPolicyInfo info, MessageSecurityMode mode) => info.Strength * 2 + (mode == MessageSecurityMode.SignAndEncrypt ? 1 : 0);

    private static string ShortName(string? uri) => uri is null ? "(none)" : uri[(uri.LastIndexOf('#') + 1)..];

    /// <summary>CreateSessionResponse.ServerSignature: the server's signature of our certificate + our nonce (Part 4 §5.6.2).</summary>
    private void VerifyServerSignature(RsaSecurityPolicy rsa, string? algorithm, ReadOnlySpan<byte> signature)
    {
        if (_serverCertificate is null || !PkiStore.LeafOf(_serverCertificate).RawData.AsSpan().SequenceEqual(rsa.ServerCertificate.RawData))
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadCertificateInvalid, "CreateSession returned another server certificate than the endpoint's", false, null, "CreateSession");
        }

        if (_serverNonce is null || _serverNonce.Length < 32)
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadNonceInvalid, $"CreateSession returned a server nonce of {_serverNonce?.Length ?? 0} bytes, at least 32 needed", false, null, "CreateSession");
        }

        var data = Concat(rsa.ClientCertificate!, _clientNonce);
        if (algorithm != rsa.Info.AsymmetricSignatureUri || !rsa.Info.AsymmetricVerify(rsa.ServerKey, data, signature))
        {
            throw new OpcUaException(EndpointUrl, StatusCode.BadApplicationSignatureInvalid,
                $"the server's session signature ({algorithm ?? "none"}) does not verify with its certificate", false, null, "CreateSession");
        }
    }

    /// <summary>ActivateSessionRequest.ClientSignature: our signature of the server certificate + server nonce.</summary>
    private void WriteClientSignature(UaBinaryWriter w)
    {
        if (_policy is RsaSecurityPolicy rsa && _serverCertificate is not null && _serverNonce is not null)
        {
            w.WriteString(rsa.Info.AsymmetricSignatureUri);
            w.WriteByteString(rsa.Info.AsymmetricSign(rsa.ClientKey, Concat(_serverCertificate, _serverNonce)));
        }
        else
        {
            w.WriteString(null);
            w.WriteByteString((byte[]?)null);
        }
    }

    private async Task ActivateSecuredSessionAsync(CancellationToken cancellationToken)
    {
        var rsa = (RsaSecurityPolicy)_policy;
        var certificate = _options.UserCertificate;
        var type = certificate is null ? UserTokenType.UserName : UserTokenType.Certificate;
        var (policyId, tokenPolicy) = ChooseSecuredTokenPolicy(rsa, type);
        var w = Begin(EncodingIds.ActivateSessionRequest);
        WriteClientSignature(w);
        w.WriteInt32(-1); // ClientSoftwareCertificates
        w.WriteInt32(-1); // LocaleIds
        if (certificate is null)
        {
            byte[] secret;
            string? algorithm = null;
            var password = System.Text.Encoding.UTF8.GetBytes(_options.Password ?? "");
            if (tokenPolicy is null)
            {
                secret = password; // encrypted by the channel (SignAndEncrypt) or allowed in clear: checked by the chooser
            }
            else
            {
                // Part 4 §7.41.2.3: length (UInt32, of password + nonce) | password | server nonce, RSA-encrypted.
                var plain = new byte[4 + password.Length + _serverNonce!.Length];
                BinaryPrimitives.WriteUInt32LittleEndian(plain, (uint)(password.Length + _serverNonce.Length));
                password.CopyTo(plain, 4);
                _serverNonce.CopyTo(plain, 4 + password.Length);
                secret = tokenPolicy.AsymmetricEncrypt(rsa.ServerKey, plain);
                CryptographicOperations.ZeroMemory(plain);
                algorithm = tokenPolicy.AsymmetricEncryptionUri;
            }

            w.WriteExtensionObject(EncodingIds.UserNameIdentityToken, (policyId, _options.UserName, secret, algorithm), static (w, s) =>
            {
                w.WriteString(s.policyId);
                w.WriteString(s.UserName);
                w.WriteByteString(s.secret);
                w.WriteString(s.algorithm);
            });
            w.WriteString(null); // UserTokenSignature
            w.WriteByteString((byte[]?)null);
        }
        else
        {
            var signing = tokenPolicy ?? rsa.Info;
            using var key = certificate.GetRSAPrivateKey() ?? throw new OpcUaException(EndpointUrl, StatusCode.BadIdentityTokenInvalid, "the user certificate has no RSA private key", false, null, "ActivateSession");
            w.WriteExtensionObject(EncodingIds.X509IdentityToken, (policyId, certificate.RawData), static (w, s) =>
            {
                w.WriteString(s.policyId);
                w.WriteByteString(s.RawData);
            });
            // Part 4 §5.6.3: the user proves the key by signing server certificate + server nonce.
            w.WriteString(signing.AsymmetricSignatureUri);
            w.WriteByteString(signing.AsymmetricSign(key, Concat(_serverCertificate!, _serverNonce!)));
        }

        using var response = await CallAsync(w, "ActivateSession", cancellationToken).ConfigureAwait(false);
        var r = Expect(response, EncodingIds.ActivateSessionResponse, "ActivateSession");
        try
        {
            var nonce = r.ReadByteStringSpan(out var isNull);
            if (!isNull)
            {
                _serverNonce = nonce.ToArray(); // the next activation's nonce
            }
        }
        catch (UaDecodingException e)
        {
            throw Undecodable(e, "ActivateSession");
        }
    }

    /// <summary>
    /// A user token policy of the endpoint in use: one whose password encryption we speak (its own policy, or the
    /// channel's when it names none). A password may go without RSA encryption only inside a SignAndEncrypt channel, or in
    /// clear text with <c>allowClearTextPassword</c>.
    /// </summary>
    private (string? PolicyId, SecurityPolicyInfo? Encrypt) ChooseSecuredTokenPolicy(RsaSecurityPolicy rsa, UserTokenType type)
    {
        string? clear = null;
        var offered = new List<string>();
        foreach (var endpoint in ServerEndpoints)
        {
            if (endpoint.SecurityPolicyUri != rsa.PolicyUri || endpoint.SecurityMode != rsa.Mode)
            {
                continue;
            }

            foreach (var token in endpoint.UserIdentityTokens)
            {
                if (token.TokenType != type)
                {
                    continue;
                }

                var uri = string.IsNullOrEmpty(token.SecurityPolicyUri) ? rsa.PolicyUri : token.SecurityPolicyUri;
                offered.Add(ShortName(uri));
                if (uri == SecurityPolicyNone.Uri)
                {
                    clear ??= token.PolicyId;
                    continue;
                }

                if (SecurityPolicyInfo.FindByUri(uri) is { } info && (!info.Deprecated || _options.Security.AllowDeprecated))
                {
                    return (token.PolicyId, info);
                }
            }
        }

        if (clear is not null && (type == UserTokenType.Certificate || rsa.Mode == MessageSecurityMode.SignAndEncrypt || _options.AllowClearTextPassword))
        {
            return (clear, null);
        }

        var what = type == UserTokenType.UserName ? "user name" : "X.509 user certificate";
        throw new OpcUaException(EndpointUrl, StatusCode.BadIdentityTokenRejected, offered.Count == 0
            ? $"the server offers no {what} login on the {rsa.Info.Name}/{rsa.Mode} endpoint"
            : $"the server wants the {what} token secured by {string.Join(", ", offered.Distinct())}, which this client does not accept here{(clear is null ? "" : " (a clear-text password in a Sign-only channel needs auth.allowClearTextPassword: true)")}",
            false, null, "ActivateSession");
    }

    private static byte[] Concat(byte[] a, byte[] b)
    {
        var result = new byte[a.Length + b.Length];
        a.CopyTo(result, 0);
        b.CopyTo(result, a.Length);
        return result;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "{Endpoint}: security policy auto chose {Policy} / {Mode}, the strongest the server offers")]
        public static partial void AutoSelected(ILogger logger, string endpoint, string policy, MessageSecurityMode mode);

        [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "{Endpoint}: trusted server certificate {Subject} (thumbprint {Thumbprint}) on first use (security.autoAccept), saved in {Folder}")]
        public static partial void TrustedOnFirstUse(ILogger logger, string endpoint, string subject, string thumbprint, string folder);

        [LoggerMessage(EventId = 122, Level = LogLevel.Information, Message = "Created the OPC UA application certificate {Path} (thumbprint {Thumbprint}, valid until {NotAfter:yyyy-MM-dd})")]
        public static partial void CertificateCreated(ILogger logger, string path, string thumbprint, DateTime notAfter);
    }
}
