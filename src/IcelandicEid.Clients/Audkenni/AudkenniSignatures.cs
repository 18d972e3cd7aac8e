using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace IcelandicEid.Audkenni;

/// <summary>The format a result's signature arrived in.</summary>
internal enum SignatureFormat
{
    /// <summary>None could be read.</summary>
    Unknown,

    /// <summary>CMS SignedData (PKCS#7), the signer's certificate inside it or in the <c>certificate</c> field.</summary>
    Cms,

    /// <summary>A bare PKCS#1 v1.5 RSA signature with SHA-256, the certificate in the <c>certificate</c> field.</summary>
    Pkcs1,
}

/// <summary>What checking a result's signature found.</summary>
/// <param name="Format">The format detected.</param>
/// <param name="Problem">Why it was refused, or null when the signature verifies over the login's hash.</param>
/// <param name="Signer">The certificate whose key made the signature (to be checked as the person's next).</param>
internal sealed record SignatureCheck(SignatureFormat Format, string? Problem, X509Certificate2? Signer);

/// <summary>
/// Verifies the signature Auðkenni returns with a result over the login's hash, in either format its documentation
/// names ("PKCS#7 or PKCS#1"), detected from what arrives:
/// <list type="bullet">
/// <item><b>CMS SignedData</b> (PKCS#7), as the public client that reads Auðkenni's results parses it: exactly one
/// signer; attached (its content must be the hash) or detached (checked over the hash); the signer's certificate from
/// inside the CMS, or from the <c>certificate</c> field when the CMS carries none; a CMS whose signer is not the
/// <c>certificate</c> field's certificate is refused. "The hash" is the hash's bytes, or the Base64 text the tree was
/// given (both are what the relying party sent; nothing else is accepted).</item>
/// <item><b>PKCS#1 v1.5</b> with SHA-256 and the <c>certificate</c> field: over the hash's bytes (SHA-256 of them is
/// signed), or with the 32 hash bytes taken as the SHA-256 digest itself, as a SIM card or signing service signs a
/// digest it is handed (Auðkenni's CIBA method <c>sim-sign-pkcs1</c> names that kind of signature). Both read the same
/// 32 random bytes the relying party chose, so neither lets anyone else's signature through.</item>
/// </list>
/// The signer's certificate is then checked as the person's (<see cref="AudkenniCertificates"/>): chained to the
/// configured root, CN the name, serialNumber the kennitala.
/// </summary>
internal static class AudkenniSignatures
{
    public static SignatureCheck Verify(string signatureText, string? certificateText, byte[] hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        byte[] signature;
        X509Certificate2? field = null;
        try
        {
            signature = Convert.FromBase64String(signatureText.Trim());
            if (!string.IsNullOrWhiteSpace(certificateText))
            {
                field = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(certificateText.Trim()));
            }
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return new(SignatureFormat.Unknown, "the signature or certificate is not Base64 DER", null);
        }

        if (TryDecodeCms(signature) is { } cms)
        {
            return VerifyCms(cms, signature, field, hash);
        }

        if (field is null)
        {
            return new(SignatureFormat.Pkcs1, "a PKCS#1 signature came without a certificate", null);
        }

        using var key = field.GetRSAPublicKey();
        if (key is null)
        {
            return new(SignatureFormat.Pkcs1, "the certificate has no RSA key", field);
        }

        var overBytes = key.VerifyData(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var overDigest = !overBytes && hash.Length == 32 && key.VerifyHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return overBytes || overDigest
            ? new(SignatureFormat.Pkcs1, null, field)
            : new(SignatureFormat.Pkcs1, "the PKCS#1 signature does not verify over the login's hash with the certificate", field);
    }

    private static SignedCms? TryDecodeCms(byte[] signature)
    {
        // A bare RSA signature is a fixed-size integer; CMS is DER, starting with a SEQUENCE.
        if (signature.Length < 64 || signature[0] != 0x30)
        {
            return null;
        }

        try
        {
            var cms = new SignedCms();
            cms.Decode(signature);
            return cms;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static SignatureCheck VerifyCms(SignedCms decoded, byte[] encoded, X509Certificate2? field, byte[] hash)
    {
        if (decoded.SignerInfos.Count != 1)
        {
            return new(SignatureFormat.Cms, $"the CMS has {decoded.SignerInfos.Count} signers, not one", null);
        }

        // Who signed does not depend on what was signed: settle it first.
        var signer = decoded.SignerInfos[0].Certificate;
        if (signer is null && field is null)
        {
            return new(SignatureFormat.Cms, "the CMS names no signer certificate and none came beside it", null);
        }

        if (field is not null && signer is not null && !signer.RawDataMemory.Span.SequenceEqual(field.RawDataMemory.Span))
        {
            return new(SignatureFormat.Cms, "the CMS's signer is not the certificate that came beside it", signer);
        }

        var contents = new[] { hash, Encoding.ASCII.GetBytes(Convert.ToBase64String(hash)) };
        var extra = field is null ? [] : new X509Certificate2Collection(field);
        // Decoded without content given, an attached CMS carries its content and a detached one none.
        if (decoded.ContentInfo.Content.Length > 0)
        {
            var content = decoded.ContentInfo.Content;
            if (!contents.Any(c => c.AsSpan().SequenceEqual(content)))
            {
                return new(SignatureFormat.Cms, "the CMS signs other content than the login's hash", decoded.SignerInfos[0].Certificate);
            }

            return Checked(decoded, extra, field);
        }

        foreach (var content in contents)
        {
            var cms = new SignedCms(new ContentInfo(content), detached: true);
            cms.Decode(encoded);
            if (Checked(cms, extra, field) is { Problem: null } check)
            {
                return check;
            }
        }

        return new(SignatureFormat.Cms, "the CMS signature does not verify over the login's hash", decoded.SignerInfos[0].Certificate ?? field);
    }

    private static SignatureCheck Checked(SignedCms cms, X509Certificate2Collection extra, X509Certificate2? field)
    {
        var signer = cms.SignerInfos[0];
        var certificate = signer.Certificate ?? field;
        try
        {
            // The signature only: the certificate is checked as the person's afterwards, against the configured root.
            signer.CheckSignature(extra, verifySignatureOnly: true);
            return new(SignatureFormat.Cms, null, certificate);
        }
        catch (CryptographicException)
        {
            return new(SignatureFormat.Cms, "the CMS signature does not verify", certificate);
        }
    }
}
