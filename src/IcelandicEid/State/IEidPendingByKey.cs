namespace IcelandicEid.State;

/// <summary>A store that can find a pending login by the name the contest marker gives it (<see cref="EidLoginId.Key"/>),
/// without its id: so a start can ask whether the login it would supersede is still pending, and ask the upstream
/// whether it has been approved already. Stores without it leave those two checks out (the standing of a remembered
/// browser then holds for its whole lifetime).</summary>
public interface IEidPendingByKey
{
    /// <summary>What polling the login named <paramref name="loginKey"/> upstream needs, if it is pending; else null.</summary>
    /// <param name="loginKey">The login's <see cref="EidLoginId.Key"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    Task<EidPollRequest?> PendingRequestAsync(string loginKey, CancellationToken cancellationToken);
}
