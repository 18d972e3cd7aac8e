using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace IcelandicEid.Audkenni;

/// <summary>
/// The verification code (<i>öryggistala</i>) as Auðkenni documents it ("Calculating Verification Code"): the last two
/// bytes of SHA-256 of the hash bytes, read as an unsigned big-endian 16-bit number, modulo 10,000, shown as four
/// digits. The hash is random per login and kept on the server; the phone shows the code computed from it, so the
/// person can compare it with the page.
/// </summary>
/// <remarks>Which bytes are "the hash" (the raw bytes, which Auðkenni's Java example gets by Base64-decoding the hash
/// string) is to be confirmed against Auðkenni's test environment; see docs/providers.md.</remarks>
internal static class AudkenniVerificationCode
{
    /// <summary>A new random hash for one login: 32 bytes (the size of a SHA-256 digest).</summary>
    public static byte[] NewHash() => RandomNumberGenerator.GetBytes(32);

    /// <summary>The four-digit code for <paramref name="hash"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> hash)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(hash, digest);
        var value = BinaryPrimitives.ReadUInt16BigEndian(digest[^2..]) % 10_000;
        return value.ToString("D4", CultureInfo.InvariantCulture);
    }

    /// <summary>The code for a hash sent as Base64 (as the callbacks carry it).</summary>
    public static string ComputeFromBase64(string hash) => Compute(Convert.FromBase64String(hash));
}
