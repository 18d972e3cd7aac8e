using System.Globalization;

namespace IcelandicEid.AspNetCore.State;

/// <summary>
/// What the limiter keeps per identifier for the contest rule: which login is the identifier's current one, when its
/// start began (an approval seen before that moment is never contested by it), whether it was started from a browser
/// that has signed in with the identifier before (such a login is not contested by a start from any other browser), and
/// until when that standing holds. A <em>claim</em> names a start the upstream refused because a request was open on
/// the phone: it holds the standing while the person declines that request, and names no login that exists.
/// </summary>
/// <remarks>Stored as <c>tag;startedMs;flags;expiresMs;protectedId</c>. A value of an older version (the tag alone)
/// reads as a login started at the epoch, without standing.</remarks>
internal sealed record ContestMarker(string Tag, DateTimeOffset StartedAt, bool Remembered, bool Claim, DateTimeOffset ExpiresAt, string? ProtectedId)
{
    public static ContestMarker? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var parts = value.Split(';');
        if (parts.Length < 5)
        {
            return new ContestMarker(parts[0], DateTimeOffset.UnixEpoch, false, false, DateTimeOffset.UnixEpoch, null);
        }

        return new ContestMarker(
            parts[0],
            Ms(parts[1]),
            parts[2].Contains('r', StringComparison.Ordinal),
            parts[2].Contains('c', StringComparison.Ordinal),
            Ms(parts[3]),
            parts[4].Length == 0 ? null : parts[4]);

        static DateTimeOffset Ms(string text)
            => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms < 253_402_300_799_000
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                : DateTimeOffset.UnixEpoch;
    }

    /// <summary>Whether the standing of a remembered browser still holds at <paramref name="now"/>.</summary>
    public bool Stands(DateTimeOffset now) => Remembered && now < ExpiresAt;

    public string Format()
    {
        var flags = (Remembered ? "r" : string.Empty) + (Claim ? "c" : string.Empty);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Tag};{StartedAt.ToUnixTimeMilliseconds()};{(flags.Length == 0 ? "-" : flags)};{ExpiresAt.ToUnixTimeMilliseconds()};{ProtectedId}");
    }
}
