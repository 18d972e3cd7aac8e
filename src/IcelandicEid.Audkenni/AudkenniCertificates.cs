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
}

/// <summary>
/// Checks the certificate Auðkenni returns with a result, as Auðkenni calls best practice: it chains to the configured
/// root (production "Fullgilt auðkenni 2021", or the test root for the test host) through the intermediates given,
/// only to that root (the machine's trust store plays no part), and names the person: its CN equals the returned name
/// and its serialNumber attribute the returned kennitala. Revocation is not checked here.
/// </summary>
internal static class AudkenniCertificates
{
    private const string SerialNumberOid = "2.5.4.5";

    public static CertificateProblem Verify(
        X509Certificate2? certificate, X509Certificate2Collection intermediates, X509Certificate2Collection roots, string name, string kennitala, DateTimeOffset now)
    {
        if (certificate is null)
        {
            return CertificateProblem.Missing;
        }

        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return CertificateProblem.Expired;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (!chain.Build(certificate))
        {
            return chain.ChainStatus.Any(s => s.Status == X509ChainStatusFlags.NotTimeValid) ? CertificateProblem.Expired : CertificateProblem.Untrusted;
        }

        var root = chain.ChainElements[^1].Certificate;
        if (!roots.Cast<X509Certificate2>().Any(r => r.RawDataMemory.Span.SequenceEqual(root.RawDataMemory.Span)))
        {
            return CertificateProblem.Untrusted;
        }

        if (!string.Equals(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false), name.Trim(), StringComparison.Ordinal))
        {
            return CertificateProblem.NameMismatch;
        }

        var serial = SubjectAttribute(certificate.SubjectName, SerialNumberOid);
        return serial is not null && string.Equals(Digits(serial), Digits(kennitala), StringComparison.Ordinal) && Digits(kennitala).Length == 10
            ? CertificateProblem.None
            : CertificateProblem.KennitalaMismatch;
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
