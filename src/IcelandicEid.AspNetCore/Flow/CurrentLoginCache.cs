using IcelandicEid.State;
namespace IcelandicEid.AspNetCore.Flow;

/// <summary>
/// Remembers, per instance and for a few seconds, that a pending login was found to be its identifier's current one,
/// so that polls that are still pending do not ask the limiter again every interval. Only the early notice to a
/// contested browser can come up to <see cref="Freshness"/> later; an approval is always checked again, and the finish
/// checks authoritatively before anything is signed in. With a store that the superseding start tells at once
/// (<see cref="IcelandicEid.State.IEidContestedLogins"/>) the notice does not depend on these reads, which then only back it up,
/// every <see cref="FreshnessWithStoreNotice"/>.
/// </summary>
/// <remarks>It also keeps each login's marker key and next poll time, so that the status read that will take a poll
/// lease can ask for the marker at the same moment as it asks the store (<see cref="ContestRule.ProbeIfDue"/>) instead of in a
/// second round trip after the poll.</remarks>
internal sealed class CurrentLoginCache(TimeProvider time)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan FreshnessWithStoreNotice = TimeSpan.FromSeconds(30);
    private readonly BoundedCache<Entry> _entries = new(50_000);

    public bool IsFresh(string loginId)
        => _entries.TryGet(loginId, out var entry) && time.GetUtcNow().UtcTicks < entry.FreshUntil;

    /// <summary>The login was found current (its marker key given).</summary>
    public void Remember(string loginId, string? marker, TimeSpan freshness)
    {
        var known = _entries.TryGet(loginId, out var entry) ? entry : default;
        _entries.Set(loginId, known with { FreshUntil = (time.GetUtcNow() + freshness).UtcTicks, Marker = marker ?? known.Marker });
    }

    /// <summary>The login's next poll is not before <paramref name="nextPollAt"/>.</summary>
    public void NextPoll(string loginId, DateTimeOffset nextPollAt)
    {
        if (_entries.TryGet(loginId, out var entry))
        {
            _entries.Set(loginId, entry with { DueAt = nextPollAt.UtcTicks });
        }
    }

    /// <summary>The marker key to read now, with the store read, when a poll of this login is due by this instance's
    /// last word and the login's freshness will have run out: the poll will want the answer.</summary>
    public string? MarkerToReadWithPoll(string loginId)
    {
        var now = time.GetUtcNow().UtcTicks;
        return _entries.TryGet(loginId, out var entry) && entry.Marker is not null && now >= entry.DueAt && now >= entry.FreshUntil
            ? entry.Marker
            : null;
    }

    public void Forget(string loginId) => _entries.Remove(loginId);

    private readonly record struct Entry(long FreshUntil, long DueAt, string? Marker);
}
