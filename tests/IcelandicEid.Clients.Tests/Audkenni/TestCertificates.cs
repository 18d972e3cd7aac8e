using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IcelandicEid.Tests.Audkenni;

/// <summary>Certificate chains made for the tests: roots, intermediates and people's certificates as Auðkenni issues
/// them (CN the name, serialNumber the kennitala).</summary>
internal static class TestCertificates
{
    public static X509Certificate2 Authority(string subject, X509Certificate2? issuer, DateTimeOffset from, DateTimeOffset to)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(from, to);
        }

        using var signed = request.Create(issuer, from, to, RandomNumberGenerator.GetBytes(12));
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>A person's certificate as Auðkenni issues them, with its private key (to sign with).</summary>
    public static X509Certificate2 Person(string name, string kennitala, X509Certificate2 issuer, DateTimeOffset from, DateTimeOffset to, params X509Extension[] extensions)
    {
        using var key = RSA.Create(2048);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCountryOrRegion("IS");
        subject.AddCommonName(name);
        subject.Add("2.5.4.5", kennitala, System.Formats.Asn1.UniversalTagNumber.PrintableString);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (extensions.Length == 0)
        {
            extensions =
            [
                new X509BasicConstraintsExtension(false, false, 0, false),
                new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true),
                new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2"), new Oid("1.3.6.1.5.5.7.3.4")], false),
            ];
        }

        foreach (var extension in extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        using var issued = request.Create(issuer, from, to, RandomNumberGenerator.GetBytes(12));
        return issued.CopyWithPrivateKey(key);
    }
}
