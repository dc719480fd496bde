using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeAgent.Drivers.OpcUa.Security;

/// <summary>
/// The parts of an X.509 CRL (RFC 5280 §5.1) the trust check needs: issuer, revoked serial numbers, and the
/// signature, checked against the issuing CA's key. .NET builds CRLs but does not read them, hence this reader.
/// <code>
///   CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
///   TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name,
///                              thisUpdate Time, nextUpdate Time OPTIONAL,
///                              revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER, revocationDate Time, … } OPTIONAL,
///                              crlExtensions [0] EXPLICIT Extensions OPTIONAL }
/// </code>
/// </summary>
public sealed class CertificateRevocationList
{
    private readonly byte[] _tbs;
    private readonly byte[] _signature;
    private readonly string _algorithm;
    private readonly HashSet<BigInteger> _revoked;

    private CertificateRevocationList(byte[] tbs, string algorithm, byte[] signature, X500DistinguishedName issuer, HashSet<BigInteger> revoked)
    {
        _tbs = tbs;
        _algorithm = algorithm;
        _signature = signature;
        Issuer = issuer;
        _revoked = revoked;
    }

    public X500DistinguishedName Issuer { get; }

    public int Count => _revoked.Count;

    /// <summary>Reads a DER or PEM ("X509 CRL") CRL; throws <see cref="CryptographicException"/> when it is not one.</summary>
    public static CertificateRevocationList Load(byte[] bytes)
    {
        if (bytes.Length > 0 && bytes[0] != 0x30)
        {
            var text = System.Text.Encoding.ASCII.GetString(bytes);
            var fields = PemEncoding.Find(text);
            bytes = Convert.FromBase64String(text[fields.Base64Data]);
        }

        try
        {
            var outer = new AsnReader(bytes, AsnEncodingRules.DER).ReadSequence();
            var tbsBytes = outer.PeekEncodedValue().ToArray();
            var tbs = outer.ReadSequence();
            var algorithm = outer.ReadSequence().ReadObjectIdentifier();
            var signature = outer.ReadBitString(out _);

            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                _ = tbs.ReadInteger(); // version
            }

            tbs.ReadSequence(); // signature algorithm (repeated inside)
            var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
            tbs.ReadEncodedValue(); // thisUpdate
            var revoked = new HashSet<BigInteger>();
            if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
            {
                tbs.ReadEncodedValue(); // nextUpdate
            }

            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(entry.ReadInteger());
                }
            }

            return new CertificateRevocationList(tbsBytes, algorithm, signature, issuer, revoked);
        }
        catch (AsnContentException e)
        {
            throw new CryptographicException($"not an X.509 CRL: {e.Message}", e);
        }
    }

    /// <summary>Whether <paramref name="issuer"/> (a CA certificate) signed this CRL.</summary>
    public bool IsSignedBy(X509Certificate2 issuer)
    {
        if (!issuer.SubjectName.RawData.AsSpan().SequenceEqual(Issuer.RawData) || issuer.GetRSAPublicKey() is not { } key)
        {
            return false;
        }

        using (key)
        {
            HashAlgorithmName? hash = _algorithm switch
            {
                "1.2.840.113549.1.1.5" => HashAlgorithmName.SHA1,
                "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
                "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
                "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
                _ => null,
            };
            return hash is { } h && key.VerifyData(_tbs, _signature, h, RSASignaturePadding.Pkcs1);
        }
    }

    /// <summary>Whether the CRL lists <paramref name="certificate"/>'s serial number (the caller checks the issuer).</summary>
    public bool Revokes(X509Certificate2 certificate) =>
        _revoked.Contains(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true));
}
