using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IcelandicEid.Audkenni;

namespace IcelandicEid.Tests.Audkenni;

/// <summary>Revocation of the person's certificate: by the operator's CRL files (checked here byte by byte: signer,
/// issuer, validity window, serial) and online (where an unreachable responder must fail the login, not wave it through).</summary>
public sealed class RevocationTests : IDisposable
{
    private const string Name = "Jón Prófari Jónsson";
    private const string Kennitala = "2410803079";
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private readonly X509Certificate2 _root = TestCertificates.Authority("CN=Test Fullgilt audkenni 2021", null, Now.AddYears(-5), Now.AddYears(10));
    private readonly X509Certificate2 _otherRoot = TestCertificates.Authority("CN=Test Fullgilt audkenni 2021", null, Now.AddYears(-5), Now.AddYears(10));
    private readonly X509Certificate2 _person;
    private readonly X509Certificate2 _neighbour;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("crl-");

    public RevocationTests()
    {
        _person = TestCertificates.Person(Name, Kennitala, _root, Now.AddYears(-1), Now.AddYears(3));
        _neighbour = TestCertificates.Person(Name, Kennitala, _root, Now.AddYears(-1), Now.AddYears(3));
    }

    public void Dispose()
    {
        _root.Dispose();
        _otherRoot.Dispose();
        _person.Dispose();
        _neighbour.Dispose();
        _directory.Delete(recursive: true);
    }

    private string CrlFile(X509Certificate2 issuer, DateTimeOffset nextUpdate, bool pem = false, params X509Certificate2[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, Now.AddDays(-1));
        }

        var der = builder.Build(issuer, BigInteger.One, nextUpdate, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, Now.AddHours(-1));
        var path = Path.Combine(_directory.FullName, Guid.NewGuid().ToString("N") + ".crl");
        if (pem)
        {
            File.WriteAllText(path, PemEncoding.WriteString("X509 CRL", der));
        }
        else
        {
            File.WriteAllBytes(path, der);
        }

        return path;
    }

    private CertificateProblem Verify(X509Certificate2 certificate, params string[] crls)
        => AudkenniCertificates.Verify(certificate, [], [_root], Name, Kennitala, Now, new RevocationPolicy(AudkenniRevocationMode.CrlFiles, crls, TimeSpan.FromSeconds(5)));

    [Fact]
    public void A_revoked_certificate_is_refused_and_one_not_on_the_list_accepted()
    {
        var crl = CrlFile(_root, Now.AddDays(7), pem: false, _person);
        Assert.Equal(CertificateProblem.Revoked, Verify(_person, crl));
        Assert.Equal(CertificateProblem.None, Verify(_neighbour, crl));
        Assert.Equal(CertificateProblem.Revoked, Verify(_person, CrlFile(_root, Now.AddDays(7), pem: true, _person)));

        // Off (the default) does not look.
        Assert.Equal(CertificateProblem.None, AudkenniCertificates.Verify(_person, [], [_root], Name, Kennitala, Now));
    }

    [Fact]
    public void A_list_that_cannot_vouch_leaves_the_status_unknown_and_the_login_fails()
    {
        // Stale (past its next update), signed by another CA under the same name, or no list at all.
        Assert.Equal(CertificateProblem.RevocationUnknown, Verify(_neighbour, CrlFile(_root, Now.AddMinutes(-1))));
        Assert.Equal(CertificateProblem.RevocationUnknown, Verify(_neighbour, CrlFile(_otherRoot, Now.AddDays(7))));
        Assert.Equal(CertificateProblem.RevocationUnknown, Verify(_neighbour, Path.Combine(_directory.FullName, "missing.crl")));

        // Garbage in a file is no list.
        var garbage = Path.Combine(_directory.FullName, "garbage.crl");
        File.WriteAllBytes(garbage, RandomNumberGenerator.GetBytes(300));
        Assert.Equal(CertificateProblem.RevocationUnknown, Verify(_neighbour, garbage));

        // A current list of the issuer among stale and foreign ones still counts; a revocation anywhere wins.
        Assert.Equal(CertificateProblem.None, Verify(_neighbour, garbage, CrlFile(_otherRoot, Now.AddDays(7)), CrlFile(_root, Now.AddDays(7))));
        Assert.Equal(CertificateProblem.Revoked, Verify(_person, CrlFile(_root, Now.AddDays(7)), CrlFile(_root, Now.AddDays(7), false, _person)));
    }

    [Fact]
    public void Online_an_unreachable_responder_fails_the_login_within_the_timeout()
    {
        // The person's certificate names a CRL distribution point nobody answers at.
        using var key = RSA.Create(2048);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(Name);
        subject.Add("2.5.4.5", Kennitala, System.Formats.Asn1.UniversalTagNumber.PrintableString);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(["http://127.0.0.1:1/unreachable.crl"]));
        var now = DateTimeOffset.UtcNow;
        using var root = TestCertificates.Authority("CN=Online root", null, now.AddYears(-1), now.AddYears(5));
        using var certificate = request.Create(root, now.AddDays(-1), now.AddYears(1), RandomNumberGenerator.GetBytes(12));

        var started = System.Diagnostics.Stopwatch.StartNew();
        var problem = AudkenniCertificates.Verify(certificate, [], [root], Name, Kennitala, now, new RevocationPolicy(AudkenniRevocationMode.Online, [], TimeSpan.FromSeconds(2)));
        Assert.Equal(CertificateProblem.RevocationUnknown, problem);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(15), started.Elapsed.ToString());
    }
}
