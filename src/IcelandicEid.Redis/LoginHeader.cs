using System.Buffers.Text;
using System.Globalization;
using System.Text;
using IcelandicEid.State;

namespace IcelandicEid.Redis;

/// <summary>
/// The plain header in front of a stored login's protected state: <c>s:n:m:i:e:r:c\n</c> (see <see cref="RedisScripts"/>
/// for the fields). It holds what a status answer needs and no personal data.
/// </summary>
internal static class LoginHeader
{
    /// <summary>The header of <paramref name="state"/>, with its next poll time in Unix milliseconds.</summary>
    public static byte[] Format(EidLoginState state, long nextPollMs)
    {
        var code = (state.VerificationCode ?? string.Empty).Replace("\n", string.Empty, StringComparison.Ordinal).Replace(":", string.Empty, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"{(int)state.Status}:{nextPollMs}:{(int)state.Method}:{(long)state.PollInterval.TotalMilliseconds}:{state.ExpiresAt.ToUnixTimeMilliseconds()}:{(state.FailureReason is { } r ? ((int)r).ToString(CultureInfo.InvariantCulture) : string.Empty)}:{code}\n"));
    }

    /// <summary>Reads the header field by field straight from the bytes (the read path's only parsing, on every status
    /// request: no intermediate strings).</summary>
    public static (EidLoginSummary Summary, int BodyStart)? Parse(byte[] value)
    {
        var newline = Array.IndexOf(value, (byte)'\n');
        if (newline < 0)
        {
            return null;
        }

        ReadOnlySpan<byte> rest = value.AsSpan(0, newline);
        if (!Field(ref rest, out long status) || !Field(ref rest, out long next) || !Field(ref rest, out long method)
            || !Field(ref rest, out long interval) || !Field(ref rest, out long expires) || status > int.MaxValue || method > int.MaxValue)
        {
            return null;
        }

        var colon = rest.IndexOf((byte)':');
        if (colon < 0)
        {
            return null;
        }

        EidFailureReason? reason = colon > 0 && Utf8Parser.TryParse(rest[..colon], out int r, out var used) && used == colon ? (EidFailureReason)r : null;
        var code = rest[(colon + 1)..];
        return (new EidLoginSummary(
            (EidLoginStatus)status,
            (EidMethod)method,
            code.IsEmpty ? null : Encoding.UTF8.GetString(code),
            DateTimeOffset.FromUnixTimeMilliseconds(expires),
            DateTimeOffset.FromUnixTimeMilliseconds(next),
            TimeSpan.FromMilliseconds(interval),
            reason), newline + 1);

        // One unsigned decimal followed by ':'; moves past both.
        static bool Field(ref ReadOnlySpan<byte> rest, out long number)
        {
            if (!Utf8Parser.TryParse(rest, out number, out var used) || used == 0 || used >= rest.Length || rest[used] != (byte)':' || rest[0] is (byte)'-' or (byte)'+')
            {
                number = 0;
                return false;
            }

            rest = rest[(used + 1)..];
            return true;
        }
    }
}
