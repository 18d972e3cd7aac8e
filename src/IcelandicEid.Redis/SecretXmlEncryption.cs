using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IcelandicEid.Redis;

/// <summary>The secret that encrypts the data-protection key ring at rest (see
/// <see cref="IcelandicEidRedisOptions.KeyRingEncryptionSecret"/>).</summary>
public sealed class KeyRingEncryptionOptions
{
    /// <summary>The secret, at least 32 characters; the same on every instance.</summary>
    public string? Secret { get; set; }

    internal byte[] Key()
    {
        if (Secret is not { Length: >= 32 } secret)
        {
            throw new InvalidOperationException("The key-ring encryption secret must be at least 32 characters.");
        }

        return HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: Encoding.UTF8.GetBytes("IcelandicEid.KeyRing.v1"));
    }
}

/// <summary>Encrypts each data-protection key with AES-256-GCM under a key derived from a configured secret, so that
/// read access to Redis does not give the keys that sign the app's cookies.</summary>
public sealed class SecretXmlEncryptor : IXmlEncryptor
{
    private readonly byte[] _key;

    /// <summary>Creates the encryptor.</summary>
    /// <param name="options">The secret.</param>
    public SecretXmlEncryptor(KeyRingEncryptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _key = options.Key();
    }

    /// <inheritdoc />
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var plain = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(12);
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(_key, 16))
        {
            aes.Encrypt(nonce, plain, cipher, tag);
        }

        CryptographicOperations.ZeroMemory(plain);
        var element = new XElement(
            "encryptedSecret",
            new XAttribute("version", "1"),
            new XElement("nonce", Convert.ToBase64String(nonce)),
            new XElement("tag", Convert.ToBase64String(tag)),
            new XElement("value", Convert.ToBase64String(cipher)));
        return new EncryptedXmlInfo(element, typeof(SecretXmlDecryptor));
    }
}

/// <summary>Decrypts what <see cref="SecretXmlEncryptor"/> encrypted. Created by the data-protection system.</summary>
public sealed class SecretXmlDecryptor : IXmlDecryptor
{
    private readonly IServiceProvider _services;

    /// <summary>Creates the decryptor.</summary>
    /// <param name="services">Where the secret is configured.</param>
    public SecretXmlDecryptor(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
    }

    /// <inheritdoc />
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var key = _services.GetRequiredService<IOptions<KeyRingEncryptionOptions>>().Value.Key();
        byte[] Read(string name) => Convert.FromBase64String((string?)encryptedElement.Element(name)
            ?? throw new CryptographicException("The encrypted key has no " + name + "."));
        var nonce = Read("nonce");
        var tag = Read("tag");
        var cipher = Read("value");
        var plain = new byte[cipher.Length];
        using (var aes = new AesGcm(key, 16))
        {
            aes.Decrypt(nonce, cipher, tag, plain);
        }

        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plain));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
