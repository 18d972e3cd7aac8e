using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IcelandicEid.Audkenni;

/// <summary>
/// The relying party's RSA key that signs CIBA request objects: from a PEM file (PKCS#8, encrypted PKCS#8, PKCS#1) or
/// from a certificate in the <c>My</c> store, found by thumbprint. At least 2048 bits. Nothing about the key is logged
/// or put in an error message beyond where it was looked for.
/// </summary>
internal static class AudkenniRequestKey
{
    private const int MinimumBits = 2048;

    /// <summary>The key the options name.</summary>
    /// <exception cref="InvalidOperationException">The key cannot be had; the message says why.</exception>
    public static RSA Load(AudkenniOptions options)
    {
        var (key, problem) = TryLoad(options);
        return key ?? throw new InvalidOperationException("IcelandicEid:Audkenni: the CIBA request key " + problem);
    }

    /// <summary>Why the key the options name cannot be used; null when it can.</summary>
    public static string? Problem(AudkenniOptions options)
    {
        var (key, problem) = TryLoad(options);
        key?.Dispose();
        return problem;
    }

    private static (RSA? Key, string? Problem) TryLoad(AudkenniOptions options)
    {
        RSA? key;
        if (!string.IsNullOrWhiteSpace(options.RequestKeyPath))
        {
            if (!File.Exists(options.RequestKeyPath))
            {
                return (null, $"names '{options.RequestKeyPath}', which does not exist");
            }

            key = RSA.Create();
            try
            {
                var pem = File.ReadAllText(options.RequestKeyPath);
                if (options.RequestKeyPassword is { Length: > 0 } password)
                {
                    key.ImportFromEncryptedPem(pem, password);
                }
                else
                {
                    key.ImportFromPem(pem);
                }
            }
            catch (Exception ex) when (ex is ArgumentException or CryptographicException)
            {
                key.Dispose();
                return (null, $"in '{options.RequestKeyPath}' is not an RSA private key in PEM that can be read{(options.RequestKeyPassword is null ? " (an encrypted one needs RequestKeyPassword)" : " with RequestKeyPassword")}");
            }
        }
        else
        {
            using var store = new X509Store(StoreName.My, options.RequestKeyStoreLocation);
            try
            {
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            }
            catch (CryptographicException)
            {
                return (null, $"cannot be looked up: the {options.RequestKeyStoreLocation} My store cannot be opened");
            }

            var thumbprint = options.RequestKeyThumbprint!.Replace(" ", string.Empty, StringComparison.Ordinal).Replace(":", string.Empty, StringComparison.Ordinal);
            var all = store.Certificates;
            var found = all.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
            try
            {
                if (found.Count == 0)
                {
                    return (null, $"thumbprint {thumbprint} is not in the {options.RequestKeyStoreLocation} My store");
                }

                key = found[0].GetRSAPrivateKey();
                if (key is null)
                {
                    return (null, $"certificate {thumbprint} in the {options.RequestKeyStoreLocation} My store has no RSA private key");
                }
            }
            finally
            {
                foreach (var certificate in found)
                {
                    certificate.Dispose();
                }

                foreach (var certificate in all)
                {
                    certificate.Dispose();
                }
            }
        }

        if (key.KeySize is var bits && bits < MinimumBits)
        {
            key.Dispose();
            return (null, $"has {bits} bits; at least {MinimumBits} are required");
        }

        return (key, null);
    }
}
