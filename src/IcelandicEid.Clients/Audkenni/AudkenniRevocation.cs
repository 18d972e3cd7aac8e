using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IcelandicEid.Audkenni;

/// <summary>How the person's certificate is checked for revocation.</summary>
public enum AudkenniRevocationMode
{
    /// <summary>Not checked (the default): see <see cref="AudkenniOptions.Revocation"/> for why.</summary>
    Off,

    /// <summary>Against certificate revocation lists the operator keeps on disk (<see cref="AudkenniOptions.CrlPaths"/>),
    /// read at each check so that a refreshed file counts at once. A CRL that is missing for the issuer, not signed by
    /// it, or past its next update leaves the status unknown, and the login fails.</summary>
    CrlFiles,

    /// <summary>Online, through the certificate's own OCSP responder or CRL distribution point, within
    /// <see cref="AudkenniOptions.RevocationTimeout"/>. An unreachable responder leaves the status unknown, and the
    /// login fails.</summary>
    Online,
}

/// <summary>What a revocation check found.</summary>
internal enum RevocationStatus
{
    Good,
    Revoked,
    Unknown,
}

/// <summary>
/// Revocation of the person's certificate, by CRL files the operator provides. Each file (DER or PEM) is read, its
/// signature checked with the issuer's key, its issuer name and validity window checked; then the certificate's serial
/// number is looked for among the revoked ones. Online checking is the platform's (<see cref="X509Chain"/>).
/// </summary>
internal static class AudkenniRevocation
{
    private const string Sha256WithRsa = "1.2.840.113549.1.1.11";
    private const string Sha384WithRsa = "1.2.840.113549.1.1.12";
    private const string Sha512WithRsa = "1.2.840.113549.1.1.13";

    /// <summary>The certificate's status by the CRLs in <paramref name="paths"/> that its issuer signed.</summary>
    public static RevocationStatus CheckFiles(X509Certificate2 certificate, X509Certificate2 issuer, IEnumerable<string> paths, DateTimeOffset now)
    {
        var serial = new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true);
        var covered = false;
        foreach (var path in paths)
        {
            byte[] der;
            try
            {
                der = Der(File.ReadAllBytes(path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                continue;
            }

            switch (Check(der, issuer, serial, now))
            {
                case RevocationStatus.Revoked:
                    return RevocationStatus.Revoked;
                case RevocationStatus.Good:
                    covered = true;
                    break;
            }
        }

        return covered ? RevocationStatus.Good : RevocationStatus.Unknown;
    }

    /// <summary>One CRL: Unknown unless it is the issuer's, signed by it, and current; then Revoked or Good.</summary>
    internal static RevocationStatus Check(byte[] der, X509Certificate2 issuer, BigInteger serial, DateTimeOffset now)
    {
        try
        {
            var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var tbsEncoded = list.ReadEncodedValue();
            var algorithm = list.ReadSequence().ReadObjectIdentifier();
            var signature = list.ReadBitString(out _);

            var hash = algorithm switch
            {
                Sha256WithRsa => HashAlgorithmName.SHA256,
                Sha384WithRsa => HashAlgorithmName.SHA384,
                Sha512WithRsa => HashAlgorithmName.SHA512,
                _ => (HashAlgorithmName?)null,
            };
            using var key = issuer.GetRSAPublicKey();
            if (hash is null || key is null || !key.VerifyData(tbsEncoded.Span, signature, hash.Value, RSASignaturePadding.Pkcs1))
            {
                return RevocationStatus.Unknown;
            }

            var tbs = new AsnReader(tbsEncoded, AsnEncodingRules.DER).ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger(); // version
            }

            tbs.ReadSequence(); // signature algorithm, repeated
            var issuerName = tbs.ReadEncodedValue();
            if (!issuerName.Span.SequenceEqual(issuer.SubjectName.RawData))
            {
                return RevocationStatus.Unknown;
            }

            var thisUpdate = ReadTime(tbs);
            DateTimeOffset? nextUpdate = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;
            if (now < thisUpdate || nextUpdate is not { } next || now > next)
            {
                return RevocationStatus.Unknown; // not yet valid, or stale: an old list cannot vouch for today
            }

            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var revoked = tbs.ReadSequence();
                while (revoked.HasData)
                {
                    var entry = revoked.ReadSequence();
                    if (entry.ReadInteger() == serial)
                    {
                        return RevocationStatus.Revoked;
                    }
                }
            }

            return RevocationStatus.Good;
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException)
        {
            return RevocationStatus.Unknown;
        }
    }

    /// <summary>Loads a CRL file's DER, from DER or PEM (<c>-----BEGIN X509 CRL-----</c>).</summary>
    public static byte[] Der(byte[] file)
    {
        var text = System.Text.Encoding.ASCII.GetString(file);
        return PemEncoding.TryFind(text, out var fields) ? Convert.FromBase64String(text[fields.Base64Data]) : file;
    }

    private static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader)
        => reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
