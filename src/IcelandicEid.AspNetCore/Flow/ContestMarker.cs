using System.Globalization;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>
/// What the limiter keeps per identifier for the contest rule: which login is the identifier's current one
/// (<see cref="Tag"/>, its <see cref="EidLoginId.Key"/>), when its start began (an approval seen before that moment is
/// never contested by it), whether it was started from a browser that has signed in with the identifier before (such a
/// login is not contested by a start from any other browser), until when that standing holds, and the login its start
/// found already approved upstream (<see cref="Spared"/>: it may still sign in). A <em>claim</em> names a start the
/// upstream refused because a request was open on the phone: it holds the standing while the person declines that
/// request, and names no login that exists.
/// </summary>
/// <remarks>Stored as <c>tag;startedMs;flags;lifetimeSeconds;spared</c>, about 45 bytes. A value of an older version
/// (the tag alone) reads as a login started at the epoch, without standing.</remarks>
internal sealed record ContestMarker(string Tag, DateTimeOffset StartedAt, bool Remembered, bool Claim, DateTimeOffset ExpiresAt, string? Spared = null)
{
    public static ContestMarker? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var parts = value.Split(';');
        if (parts.Length < 4)
        {
            return new ContestMarker(parts[0], DateTimeOffset.UnixEpoch, false, false, DateTimeOffset.UnixEpoch);
        }

        var started = long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms < 253_402_300_799_000
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.UnixEpoch;
        var lifetime = int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : 0;
        return new ContestMarker(
            parts[0],
            started,
            parts[2].Contains('r', StringComparison.Ordinal),
            parts[2].Contains('c', StringComparison.Ordinal),
            started.AddSeconds(lifetime),
            parts.Length > 4 && parts[4].Length > 0 ? parts[4] : null);
    }

    /// <summary>Whether the standing of a remembered browser still holds at <paramref name="now"/>.</summary>
    public bool Stands(DateTimeOffset now) => Remembered && now < ExpiresAt;

    /// <summary>Whether the login tagged <paramref name="tag"/> may still sign in under this marker when approved at
    /// <paramref name="approvedAt"/>: the marker names it, or spares it, or its approval came before this start began.</summary>
    public bool Allows(string tag, DateTimeOffset? approvedAt)
        => Tag == tag || Spared == tag || (approvedAt is { } approved && approved < StartedAt);

    public string Format()
    {
        var flags = (Remembered ? "r" : string.Empty) + (Claim ? "c" : string.Empty);
        var lifetime = (long)Math.Max(0, Math.Ceiling((ExpiresAt - StartedAt).TotalSeconds));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Tag};{StartedAt.ToUnixTimeMilliseconds()};{(flags.Length == 0 ? "-" : flags)};{lifetime};{Spared}");
    }
}
