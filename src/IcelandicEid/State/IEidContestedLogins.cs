namespace IcelandicEid.State;

/// <summary>
/// A store that can end a pending login by the name the contest marker gives it (<see cref="EidLoginId.Key"/>), so
/// that the start which supersedes it tells its browser at once, through the store, instead of every poll of every
/// pending login asking the marker whether it has been superseded. The stores of this library that share state between
/// instances implement it; with any other store the polls ask the marker, as before.
/// </summary>
public interface IEidContestedLogins
{
    /// <summary>Fails the login named <paramref name="loginKey"/> as <see cref="EidFailureReason.Contested"/> if it is
    /// still pending (a login that has ended, or is gone, is left alone).</summary>
    /// <param name="loginKey">The login's <see cref="EidLoginId.Key"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>What withdrawing the login's request upstream needs, when it was pending and now fails; otherwise null.</returns>
    Task<EidPollRequest?> FailContestedAsync(string loginKey, CancellationToken cancellationToken);
}
