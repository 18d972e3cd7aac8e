using IcelandicEid.Audkenni;

namespace IcelandicEid.Tests.Audkenni;

public class VerificationCodeTests
{
    // Vectors computed from the documented rule with an independent implementation (Python's hashlib):
    // code = uint16_be(last two bytes of SHA-256(hash bytes)) mod 10000, four digits.
    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "0533")] // 32 zero bytes: digest ends 0x2925 = 10533
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "4317")] // bytes 0..31: ends 0x10dd = 4317
    [InlineData("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", "5432")] // SHA-256("abc"): ends 0x6358 = 25432
    [InlineData("", "7189")] // no bytes: ends 0xb855 = 47189
    public void The_code_follows_Audkennis_rule(string hash, string code)
        => Assert.Equal(code, AudkenniVerificationCode.ComputeFromBase64(hash));

    [Fact]
    public void Each_login_gets_its_own_random_hash_and_every_code_is_four_digits()
    {
        var hashes = Enumerable.Range(0, 200).Select(_ => AudkenniVerificationCode.NewHash()).ToList();
        Assert.All(hashes, h => Assert.Equal(32, h.Length));
        Assert.Equal(200, hashes.Select(Convert.ToBase64String).Distinct().Count());
        Assert.All(hashes, h => Assert.Matches("^[0-9]{4}$", AudkenniVerificationCode.Compute(h)));
        Assert.True(hashes.Select(h => AudkenniVerificationCode.Compute(h)).Distinct().Count() > 150);
    }
}
