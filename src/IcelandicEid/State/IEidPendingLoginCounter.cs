namespace IcelandicEid.State;

/// <summary>A store that can count its pending logins, for the <c>icelandic_eid.logins.pending</c> gauge.</summary>
public interface IEidPendingLoginCounter
{
    /// <summary>How many logins are pending (not yet approved, failed, consumed or expired).</summary>
    Task<long> CountPendingAsync(CancellationToken cancellationToken);
}
