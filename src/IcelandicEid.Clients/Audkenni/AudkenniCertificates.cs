using System.Security.Cryptography.X509Certificates;

namespace IcelandicEid.Audkenni;

/// <summary>Why a person's certificate was not accepted.</summary>
internal enum CertificateProblem
{
    /// <summary>Accepted.</summary>
    None,

    /// <summary>No certificate came back.</summary>
    Missing,

    /// <summary>It does not chain to the configured root (or a certificate on the way is not valid).</summary>
    Untrusted,

    /// <summary>Expired, or not valid yet.</summary>
    Expired,

    /// <summary>Its common name is not the name Auðkenni returned.</summary>
    NameMismatch,

    /// <summary>Its serialNumber attribute is not the kennitala Auðkenni returned.</summary>
    KennitalaMismatch,

    /// <summary>A certificate authority's certificate (basicConstraints CA, or a key usage for signing certificates),
    /// not a person's.</summary>
    NotEndEntity,

    /// <summary>Not a certificate for signing by a person: no key usage for digital signature or non-repudiation, or an
    /// extended key usage for something else only (a web server's, say).</summary>
    WrongUsage,

    /// <summary>Revoked by its issuer.</summary>
    Revoked,

    /// <summary>Revocation was to be checked, but its status could not be learned (no current CRL for the issuer, or
    /// the responder could not be reached): the login fails rather than trust an unchecked certificate.</summary>
    RevocationUnknown,
}

/// <summary>How to check revocation: the mode, the operator's CRL files, and the time allowed online.</summary>
internal sealed record RevocationPolicy(AudkenniRevocationMode Mode, IReadOnlyList<string> CrlPaths, TimeSpan Timeout)
{
    public static readonly RevocationPolicy Off = new(AudkenniRevocationMode.Off, [], TimeSpan.Zero);
}

/// <summary>
/// Checks the certificate Auðkenni returns with a result, as Auðkenni calls best practice: it chains to the configured
/// root (production "Fullgilt auðkenni 2021", or the test root for the test host) through the intermediates given,
/// only to that root (the machine's trust store plays no part), and names the person: its CN equals the returned name
/// and its serialNumber attribute the returned kennitala. It must be an end-entity certificate (no basicConstraints CA,
/// no key usage for signing certificates or CRLs) whose key usage allows signing (digitalSignature or nonRepudiation);
/// an extended key usage, when present, must allow client authentication, e-mail protection (signing) or any purpose.
/// Revocation is checked as <see cref="RevocationPolicy"/> says (off, the operator's CRL files, or online), last.
/// </summary>
internal static class AudkenniCertificates
{
    private const string SerialNumberOid = "2.5.4.5";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private const string EmailProtectionOid = "1.3.6.1.5.5.7.3.4";
    private const string AnyExtendedKeyUsageOid = "2.5.29.37.0";

    public static CertificateProblem Verify(
        X509Certificate2? certificate, X509Certificate2Collection intermediates, X509Certificate2Collection roots, string name, string kennitala, DateTimeOffset now, RevocationPolicy? revocation = null)
    {
        revocation ??= RevocationPolicy.Off;
        if (certificate is null)
        {
            return CertificateProblem.Missing;
        }

        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return CertificateProblem.Expired;
        }

        // One chain build: online, the platform also asks the person's certificate's OCSP responder or CRL
        // distribution point; a revocation finding is reported last, after the certificate is known to be the person's.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (revocation.Mode == AudkenniRevocationMode.Online)
        {
            chain.ChainPolicy.RevocationMode = X509RevocationMode.Online;
            chain.ChainPolicy.RevocationFlag = X509RevocationFlag.EndCertificateOnly;
            chain.ChainPolicy.UrlRetrievalTimeout = revocation.Timeout;
        }
        else
        {
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        }

        var built = chain.Build(certificate);
        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, status) => all | status.Status);
        const X509ChainStatusFlags RevocationFlags = X509ChainStatusFlags.Revoked | X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation;
        if (!built && (flags & ~RevocationFlags) != X509ChainStatusFlags.NoError)
        {
            return (flags & X509ChainStatusFlags.NotTimeValid) != 0 ? CertificateProblem.Expired : CertificateProblem.Untrusted;
        }

        var root = chain.ChainElements[^1].Certificate;
        if (!roots.Cast<X509Certificate2>().Any(r => r.RawDataMemory.Span.SequenceEqual(root.RawDataMemory.Span)))
        {
            return CertificateProblem.Untrusted;
        }

        if (Usage(certificate) is { } usage)
        {
            return usage;
        }

        if (!string.Equals(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false), name.Trim(), StringComparison.Ordinal))
        {
            return CertificateProblem.NameMismatch;
        }

        var serial = SubjectAttribute(certificate.SubjectName, SerialNumberOid);
        if (serial is null || !string.Equals(Digits(serial), Digits(kennitala), StringComparison.Ordinal) || Digits(kennitala).Length != 10)
        {
            return CertificateProblem.KennitalaMismatch;
        }

        return revocation.Mode switch
        {
            AudkenniRevocationMode.CrlFiles => AudkenniRevocation.CheckFiles(certificate, chain.ChainElements[1].Certificate, revocation.CrlPaths, now) switch
            {
                RevocationStatus.Good => CertificateProblem.None,
                RevocationStatus.Revoked => CertificateProblem.Revoked,
                _ => CertificateProblem.RevocationUnknown,
            },
            AudkenniRevocationMode.Online => built ? CertificateProblem.None
                : (flags & X509ChainStatusFlags.Revoked) != 0 ? CertificateProblem.Revoked : CertificateProblem.RevocationUnknown,
            _ => CertificateProblem.None,
        };
    }

    private static CertificateProblem? Usage(X509Certificate2 certificate)
    {
        X509KeyUsageExtension? keyUsage = null;
        foreach (var extension in certificate.Extensions)
        {
            switch (extension)
            {
                case X509BasicConstraintsExtension { CertificateAuthority: true }:
                    return CertificateProblem.NotEndEntity;
                case X509KeyUsageExtension ku:
                    keyUsage = ku;
                    break;
                case X509EnhancedKeyUsageExtension eku when !eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value is ClientAuthOid or EmailProtectionOid or AnyExtendedKeyUsageOid):
                    return CertificateProblem.WrongUsage;
            }
        }

        if (keyUsage is null)
        {
            return CertificateProblem.WrongUsage;
        }

        if ((keyUsage.KeyUsages & (X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign)) != 0)
        {
            return CertificateProblem.NotEndEntity;
        }

        return (keyUsage.KeyUsages & (X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation)) == 0 ? CertificateProblem.WrongUsage : null;
    }

    private static string? SubjectAttribute(X500DistinguishedName subject, string oid)
    {
        foreach (var rdn in subject.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == oid)
            {
                return rdn.GetSingleElementValue();
            }
        }

        return null;
    }

    private static string Digits(string value) => new(value.Where(char.IsAsciiDigit).ToArray());
}
