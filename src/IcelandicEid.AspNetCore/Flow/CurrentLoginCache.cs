namespace IcelandicEid.AspNetCore.Flow;

/// <summary>
/// Remembers, per instance and for a few seconds, that a pending login was found to be its identifier's current one,
/// so that polls that are still pending do not ask the limiter again every interval. Only the early notice to a
/// contested browser can come up to <see cref="Freshness"/> later; an approval is always checked again, and the finish
/// checks authoritatively before anything is signed in.
/// </summary>
internal sealed class CurrentLoginCache(TimeProvider time)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);
    private readonly BoundedMap<long> _until = new(50_000);

    public bool IsFresh(string loginId)
        => _until.TryGet(loginId, out var until) && time.GetUtcNow().UtcTicks < until;

    public void Remember(string loginId) => _until.Set(loginId, (time.GetUtcNow() + Freshness).UtcTicks);

    public void Forget(string loginId) => _until.Remove(loginId);
}
