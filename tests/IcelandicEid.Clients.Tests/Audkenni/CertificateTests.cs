using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IcelandicEid.Audkenni;

namespace IcelandicEid.Tests.Audkenni;

/// <summary>Certificate chains made here: a root, an intermediate, and people's certificates, as Auðkenni issues them
/// (CN the name, serialNumber the kennitala).</summary>
public sealed class CertificateTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _intermediate;
    private readonly X509Certificate2 _otherRoot;

    public CertificateTests()
    {
        _root = Authority("CN=Test Fullgilt audkenni 2021", null, Now.AddYears(-5), Now.AddYears(10));
        _intermediate = Authority("CN=Test Millistig", _root, Now.AddYears(-4), Now.AddYears(8));
        _otherRoot = Authority("CN=Some other root", null, Now.AddYears(-5), Now.AddYears(10));
    }

    [Fact]
    public void A_certificate_of_the_person_under_the_configured_root_is_accepted()
    {
        using var leaf = Person("Jón Prófari Jónsson", "2410803079", _intermediate, Now.AddYears(-1), Now.AddYears(4));
        Assert.Equal(CertificateProblem.None, Verify(leaf, "Jón Prófari Jónsson", "241080-3079"));
    }

    [Fact]
    public void Anything_else_is_refused_with_its_reason()
    {
        using var leaf = Person("Jón Prófari Jónsson", "2410803079", _intermediate, Now.AddYears(-1), Now.AddYears(4));
        Assert.Equal(CertificateProblem.NameMismatch, Verify(leaf, "Guðrún Emúladóttir", "2410803079"));
        Assert.Equal(CertificateProblem.KennitalaMismatch, Verify(leaf, "Jón Prófari Jónsson", "0101302049"));
        Assert.Equal(CertificateProblem.Missing, AudkenniCertificates.Verify(null, [_intermediate], [_root], "Jón", "2410803079", Now));

        // Under another root (a look-alike chain), or with the intermediate missing: untrusted.
        var otherIntermediate = Authority("CN=Test Millistig", _otherRoot, Now.AddYears(-4), Now.AddYears(8));
        using var forged = Person("Jón Prófari Jónsson", "2410803079", otherIntermediate, Now.AddYears(-1), Now.AddYears(4));
        Assert.Equal(CertificateProblem.Untrusted, AudkenniCertificates.Verify(forged, [otherIntermediate], [_root], "Jón Prófari Jónsson", "2410803079", Now));
        Assert.Equal(CertificateProblem.Untrusted, AudkenniCertificates.Verify(leaf, [], [_root], "Jón Prófari Jónsson", "2410803079", Now));

        // Self-signed with the person's name: untrusted.
        using var self = Authority("CN=Jón Prófari Jónsson, SERIALNUMBER=2410803079", null, Now.AddYears(-1), Now.AddYears(1));
        Assert.Equal(CertificateProblem.Untrusted, AudkenniCertificates.Verify(self, [], [_root], "Jón Prófari Jónsson", "2410803079", Now));

        // Expired.
        using var old = Person("Jón Prófari Jónsson", "2410803079", _intermediate, Now.AddYears(-3), Now.AddDays(-1));
        Assert.Equal(CertificateProblem.Expired, Verify(old, "Jón Prófari Jónsson", "2410803079"));
    }

    [Fact]
    public void Only_a_persons_end_entity_certificate_for_signing_is_accepted()
    {
        const string Name = "Jón Prófari Jónsson";
        X509Certificate2 Issued(params X509Extension[] extensions) => Person(Name, "2410803079", _intermediate, Now.AddYears(-1), Now.AddYears(4), extensions);
        var signing = new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true);
        var endEntity = new X509BasicConstraintsExtension(false, false, 0, false);

        // A certificate authority's certificate that names the person (as a mis-issuing or compromised CA could make).
        using var authority = Issued(new X509BasicConstraintsExtension(true, false, 0, true), signing);
        Assert.Equal(CertificateProblem.NotEndEntity, Verify(authority, Name, "2410803079"));
        using var certSigner = Issued(endEntity, new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        Assert.Equal(CertificateProblem.NotEndEntity, Verify(certSigner, Name, "2410803079"));

        // A web server's certificate issued to the person, one for encryption only, and one with no key usage at all.
        using var server = Issued(endEntity, signing, new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        Assert.Equal(CertificateProblem.WrongUsage, Verify(server, Name, "2410803079"));
        using var encryption = Issued(endEntity, new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment, true));
        Assert.Equal(CertificateProblem.WrongUsage, Verify(encryption, Name, "2410803079"));
        using var noUsage = Issued(endEntity);
        Assert.Equal(CertificateProblem.WrongUsage, Verify(noUsage, Name, "2410803079"));

        // Signing without an extended key usage, or with one for any purpose: accepted.
        using var plain = Issued(endEntity, new X509KeyUsageExtension(X509KeyUsageFlags.NonRepudiation, true));
        Assert.Equal(CertificateProblem.None, Verify(plain, Name, "2410803079"));
        using var any = Issued(endEntity, signing, new X509EnhancedKeyUsageExtension([new Oid("2.5.29.37.0")], false));
        Assert.Equal(CertificateProblem.None, Verify(any, Name, "2410803079"));
    }

    public void Dispose()
    {
        _root.Dispose();
        _intermediate.Dispose();
        _otherRoot.Dispose();
    }

    private CertificateProblem Verify(X509Certificate2 leaf, string name, string kennitala)
        => AudkenniCertificates.Verify(leaf, [_intermediate], [_root], name, kennitala, Now);

    private static X509Certificate2 Authority(string subject, X509Certificate2? issuer, DateTimeOffset from, DateTimeOffset to)
        => TestCertificates.Authority(subject, issuer, from, to);

    private static X509Certificate2 Person(string name, string kennitala, X509Certificate2 issuer, DateTimeOffset from, DateTimeOffset to, params X509Extension[] extensions)
        => TestCertificates.Person(name, kennitala, issuer, from, to, extensions);
}
