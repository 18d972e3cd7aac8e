using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IcelandicEid.Audkenni;

namespace IcelandicEid.Tests.Audkenni;

/// <summary>
/// Both signature formats Auðkenni documents ("PKCS#7 or PKCS#1"), detected from what arrives and verified with the
/// same strictness: over the login's hash, by the certificate that then must be the person's under the configured root.
/// </summary>
public sealed class SignatureTests : IDisposable
{
    private const string Name = "Jón Prófari Jónsson";
    private const string Kennitala = "2410803079";
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private readonly X509Certificate2 _root = TestCertificates.Authority("CN=Test Fullgilt audkenni 2021", null, Now.AddYears(-5), Now.AddYears(10));
    private readonly X509Certificate2 _otherRoot = TestCertificates.Authority("CN=Test Fullgilt audkenni 2021", null, Now.AddYears(-5), Now.AddYears(10));
    private readonly X509Certificate2 _person;
    private readonly byte[] _hash = RandomNumberGenerator.GetBytes(32);

    public SignatureTests() => _person = TestCertificates.Person(Name, Kennitala, _root, Now.AddYears(-1), Now.AddYears(3));

    public void Dispose()
    {
        _root.Dispose();
        _otherRoot.Dispose();
        _person.Dispose();
    }

    /// <summary>The whole check the provider makes: the signature, then the signer as the person.</summary>
    private string Verify(byte[] signature, X509Certificate2? beside)
    {
        var check = AudkenniSignatures.Verify(Convert.ToBase64String(signature), beside is null ? null : Convert.ToBase64String(beside.RawData), _hash);
        if (check.Problem is { } problem)
        {
            return check.Format + ": " + problem;
        }

        var person = AudkenniCertificates.Verify(check.Signer, [], [_root], Name, Kennitala, Now);
        return person == CertificateProblem.None ? check.Format.ToString() : check.Format + ": " + person;
    }

    private static byte[] Cms(X509Certificate2 signer, byte[] content, bool detached, X509IncludeOption include)
    {
        var cms = new SignedCms(new ContentInfo(content), detached);
        cms.ComputeSignature(new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, signer) { IncludeOption = include });
        return cms.Encode();
    }

    private static byte[] Pkcs1OverBytes(X509Certificate2 signer, byte[] hash)
    {
        using var key = signer.GetRSAPrivateKey()!;
        return key.SignData(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    [Fact]
    public void CMS_detached_attached_or_with_the_certificate_beside_it_verifies_over_the_hash()
    {
        Assert.Equal("Cms", Verify(Cms(_person, _hash, detached: true, X509IncludeOption.EndCertOnly), null));
        Assert.Equal("Cms", Verify(Cms(_person, _hash, detached: false, X509IncludeOption.EndCertOnly), null));
        Assert.Equal("Cms", Verify(Cms(_person, _hash, detached: true, X509IncludeOption.None), _person));
        Assert.Equal("Cms", Verify(Cms(_person, _hash, detached: true, X509IncludeOption.EndCertOnly), _person));

        // Over the hash as the Base64 text the tree was given: the same 32 bytes the relying party chose.
        Assert.Equal("Cms", Verify(Cms(_person, Encoding.ASCII.GetBytes(Convert.ToBase64String(_hash)), detached: true, X509IncludeOption.EndCertOnly), null));
    }

    [Fact]
    public void CMS_that_is_another_persons_another_roots_or_over_other_content_is_refused()
    {
        using var other = TestCertificates.Person("Jón Annar Jónsson", "0101302049", _root, Now.AddYears(-1), Now.AddYears(3));
        Assert.Equal("Cms: NameMismatch", Verify(Cms(other, _hash, detached: true, X509IncludeOption.EndCertOnly), null));

        using var lookAlike = TestCertificates.Person(Name, Kennitala, _otherRoot, Now.AddYears(-1), Now.AddYears(3));
        Assert.Equal("Cms: Untrusted", Verify(Cms(lookAlike, _hash, detached: true, X509IncludeOption.EndCertOnly), null));

        var elsewhere = RandomNumberGenerator.GetBytes(32);
        Assert.StartsWith("Cms: the CMS signature does not verify", Verify(Cms(_person, elsewhere, detached: true, X509IncludeOption.EndCertOnly), null), StringComparison.Ordinal);
        Assert.StartsWith("Cms: the CMS signs other content", Verify(Cms(_person, elsewhere, detached: false, X509IncludeOption.EndCertOnly), null), StringComparison.Ordinal);

        // The person's certificate beside a CMS another key signed: the signer is not the certificate beside it.
        Assert.StartsWith("Cms: the CMS's signer is not the certificate", Verify(Cms(other, _hash, detached: true, X509IncludeOption.EndCertOnly), _person), StringComparison.Ordinal);

        // No certificate anywhere.
        Assert.StartsWith("Cms: the CMS names no signer certificate", Verify(Cms(_person, _hash, detached: true, X509IncludeOption.None), null), StringComparison.Ordinal);
    }

    [Fact]
    public void PKCS1_verifies_over_the_hash_bytes_and_over_the_hash_taken_as_the_digest()
    {
        Assert.Equal("Pkcs1", Verify(Pkcs1OverBytes(_person, _hash), _person));
        using (var key = _person.GetRSAPrivateKey()!)
        {
            Assert.Equal("Pkcs1", Verify(key.SignHash(_hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), _person));
        }

        using var other = TestCertificates.Person("Jón Annar Jónsson", "0101302049", _root, Now.AddYears(-1), Now.AddYears(3));
        Assert.StartsWith("Pkcs1: the PKCS#1 signature does not verify", Verify(Pkcs1OverBytes(other, _hash), _person), StringComparison.Ordinal);
        Assert.Equal("Pkcs1: NameMismatch", Verify(Pkcs1OverBytes(other, _hash), other));
        Assert.StartsWith("Pkcs1: the PKCS#1 signature does not verify", Verify(Pkcs1OverBytes(_person, RandomNumberGenerator.GetBytes(32)), _person), StringComparison.Ordinal);
        Assert.StartsWith("Pkcs1: a PKCS#1 signature came without a certificate", Verify(Pkcs1OverBytes(_person, _hash), null), StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_is_refused_never_thrown()
    {
        Assert.StartsWith("Unknown:", AudkenniSignatures.Verify("not base64!", null, _hash) is { Problem: { } p } c ? c.Format + ": " + p : "accepted", StringComparison.Ordinal);
        Assert.StartsWith("Pkcs1: the PKCS#1", Verify([0x30, .. RandomNumberGenerator.GetBytes(255)], _person), StringComparison.Ordinal);
        Assert.StartsWith("Pkcs1: the PKCS#1", Verify(RandomNumberGenerator.GetBytes(256), _person), StringComparison.Ordinal);
    }
}
