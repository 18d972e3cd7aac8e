namespace IcelandicEid;

/// <summary>How the person proves who they are.</summary>
public enum EidMethod
{
    /// <summary>Electronic ID on the SIM card of a mobile phone; identified by the phone number.</summary>
    Sim,

    /// <summary>The Auðkenni app; identified by kennitala.</summary>
    App,
}

/// <summary>Why a login did not succeed. The wording shown to the person never reveals whether they have an eID.</summary>
public enum EidFailureReason
{
    /// <summary>The person cancelled on their phone (Auðkenni <c>mssp_401</c>).</summary>
    Cancelled,

    /// <summary>No answer in time, or the phone could not be reached (<c>mssp_208</c>).</summary>
    TimedOut,

    /// <summary>No electronic ID was found for the identifier (<c>mssp_105</c>).</summary>
    NotFound,

    /// <summary>The person's PIN is blocked (<c>mssp_402</c>).</summary>
    Blocked,

    /// <summary>The upstream answered with an error or something that could not be understood.</summary>
    UpstreamError,

    /// <summary>The upstream could not be reached, or its circuit breaker is open.</summary>
    Unavailable,

    /// <summary>Any other reason.</summary>
    Other,

    /// <summary>The upstream refused to start because a request for the same person is already open on the phone
    /// (<c>mssp_209</c>). The person must decline it, or wait until it expires, before a new one can be sent.</summary>
    AlreadyInProgress,

    /// <summary>Another browser started a login for the same phone number or kennitala while this one was pending, so
    /// this one can no longer sign anyone in, even if it is approved on the phone.</summary>
    Contested,

    /// <summary>The upstream vouched for a different person than the one the login was started for (an app login
    /// whose kennitala differs from the one entered).</summary>
    IdentityMismatch,

    /// <summary>The result did not verify: a signature, certificate or token that does not check out, or no
    /// signature where one is required. Never a sign-in.</summary>
    NotVerified,

    /// <summary>The person approved on the phone, but completing the login with the upstream failed afterwards (an
    /// authorization code that could not be redeemed, a token or userinfo call that failed or timed out). A code can be
    /// redeemed once only, so this is never retried: the person starts again.</summary>
    FinishFailed,
}

/// <summary>A failed login: the reason and, for the operator's logs, the upstream's own words.</summary>
/// <param name="Reason">The classified reason.</param>
/// <param name="Detail">What the upstream said, for logs; never shown to the person and never personal data.</param>
public sealed record EidFailure(EidFailureReason Reason, string? Detail = null);

/// <summary>The person a provider vouches for.</summary>
public sealed record EidPerson
{
    /// <summary>Full name.</summary>
    public required string Name { get; init; }

    /// <summary>Kennitala, ten digits.</summary>
    public required string NationalId { get; init; }

    /// <summary>Mobile number, when the upstream gives it.</summary>
    public string? PhoneNumber { get; init; }

    /// <summary>Legal street address, when the upstream gives it.</summary>
    public string? Address { get; init; }

    /// <summary>Postal code, when the upstream gives it.</summary>
    public string? PostalCode { get; init; }

    /// <summary>City or town, when the upstream gives it.</summary>
    public string? City { get; init; }

    /// <summary>Further data as the upstream names it, for example Taktikal's family lookup
    /// (<c>ParnerSsn</c>, <c>FamilyNumber</c>, <c>GenderCode</c>, <c>FamilyStatus</c>).</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();
}

/// <summary>What to start a login for.</summary>
/// <param name="Method">SIM (phone number) or app (kennitala).</param>
/// <param name="Identifier">For <see cref="EidMethod.Sim"/> the seven-digit mobile number; for
/// <see cref="EidMethod.App"/> the ten-digit kennitala. Already validated and normalised.</param>
public sealed record EidStartRequest(EidMethod Method, string Identifier)
{
    /// <summary>The person's language for texts on the phone, <c>is</c> or <c>en</c>. Default <c>is</c>.</summary>
    public string Language { get; init; } = "is";

    /// <summary>Who is asking (the app's service name), for a provider that can show a message on the phone; null
    /// when the app has none.</summary>
    public string? ServiceName { get; init; }
}

/// <summary>The answer to a start request.</summary>
public sealed record EidStartResult
{
    /// <summary>The upstream's reference for this login (Taktikal's <c>authRequestId</c>, Vettvangur's
    /// <c>identifier</c>). Server-side only: it is never sent to the browser.</summary>
    public string? Reference { get; init; }

    /// <summary>The code the person sees on the phone: four digits or four emojis. May be empty for SIM.</summary>
    public string? VerificationCode { get; init; }

    /// <summary>The shortest time the upstream allows between two polls, when it says so.</summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>Set when the upstream refused to start.</summary>
    public EidFailure? Failure { get; init; }

    /// <summary>Whether the login started.</summary>
    public bool Succeeded => Failure is null && Reference is not null;

    /// <summary>A started login.</summary>
    public static EidStartResult Started(string reference, string? verificationCode, TimeSpan? pollInterval)
        => new() { Reference = reference, VerificationCode = verificationCode, PollInterval = pollInterval };

    /// <summary>A refused start.</summary>
    public static EidStartResult Failed(EidFailureReason reason, string? detail = null)
        => new() { Failure = new EidFailure(reason, detail) };
}

/// <summary>What to poll.</summary>
/// <param name="Method">The method the login was started with.</param>
/// <param name="Reference">The upstream reference from <see cref="EidStartResult.Reference"/>.</param>
public sealed record EidPollRequest(EidMethod Method, string Reference)
{
    /// <summary>The login's poll interval. A provider that retries a failed poll waits at least this long between
    /// attempts, since each attempt counts against the upstream's rate limit.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>The state of a login as the upstream reports it.</summary>
public enum EidPollStatus
{
    /// <summary>Still waiting for the person.</summary>
    Pending,

    /// <summary>The person approved; <see cref="EidPollResult.Person"/> is set.</summary>
    Succeeded,

    /// <summary>The login ended without success; <see cref="EidPollResult.Failure"/> is set.</summary>
    Failed,
}

/// <summary>The answer to a poll.</summary>
public sealed record EidPollResult
{
    /// <summary>Pending, succeeded or failed.</summary>
    public required EidPollStatus Status { get; init; }

    /// <summary>The person, when succeeded.</summary>
    public EidPerson? Person { get; init; }

    /// <summary>The reason, when failed.</summary>
    public EidFailure? Failure { get; init; }

    /// <summary>A longer shortest time between polls the upstream asks for from now on (an authentication tree's new
    /// <c>waitTime</c>, a CIBA <c>slow_down</c>). The login keeps the longer interval for the rest of its life, on every
    /// instance; a shorter one is ignored.</summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>Still waiting.</summary>
    public static EidPollResult Pending { get; } = new() { Status = EidPollStatus.Pending };

    /// <summary>Still waiting, and the upstream asks for at least <paramref name="interval"/> between polls from now on.</summary>
    /// <param name="interval">The shortest time between polls the upstream asks for.</param>
    public static EidPollResult PendingAtLeast(TimeSpan interval) => new() { Status = EidPollStatus.Pending, PollInterval = interval };

    /// <summary>Approved.</summary>
    public static EidPollResult Success(EidPerson person) => new() { Status = EidPollStatus.Succeeded, Person = person };

    /// <summary>Ended without success.</summary>
    public static EidPollResult Failed(EidFailureReason reason, string? detail = null)
        => new() { Status = EidPollStatus.Failed, Failure = new EidFailure(reason, detail) };
}

/// <summary>
/// An upstream that performs Icelandic eID logins: start, then poll until the person answers.
/// Implementations: the simulator, Taktikal and Vettvangur.
/// </summary>
/// <remarks>
/// Implementations return failures the person caused (cancelled, timed out, not found) as results, and throw
/// <see cref="EidProviderException"/> only when the upstream could not be asked or gave an answer that cannot be
/// understood. They must be safe to call from many threads and must not keep per-login state in memory,
/// so that a login started on one server can be polled from another.
/// </remarks>
public interface IIcelandicEidProvider
{
    /// <summary>A short name for logs, metrics and the provider claim, for example <c>Taktikal</c>.</summary>
    string Name { get; }

    /// <summary>Asks the upstream to send a login request to the person's phone. Never retried once it may have
    /// reached the upstream, since a retry would send the person a second request.</summary>
    Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken);

    /// <summary>Asks the upstream how a started login stands. Callers respect the poll interval.</summary>
    Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// An upstream that can withdraw a request it sent to a phone. A provider implements this when its API has a cancel
/// call; the handler then withdraws the request when the person cancels or when another browser contests the login.
/// </summary>
public interface IEidProviderCancellation
{
    /// <summary>Withdraws the request behind <paramref name="request"/>'s reference. Failures are reported by throwing;
    /// the caller treats them as best effort.</summary>
    /// <param name="request">The login to withdraw.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task CancelAsync(EidPollRequest request, CancellationToken cancellationToken);
}

/// <summary>The upstream could not be asked, or answered something that cannot be understood.</summary>
public class EidProviderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EidProviderException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public EidProviderException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public EidProviderException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a reason.</summary>
    public EidProviderException(EidFailureReason reason, string message, Exception? innerException = null)
        : base(message, innerException) => Reason = reason;

    /// <summary>How the failure is classified; <see cref="EidFailureReason.Unavailable"/> unless set.</summary>
    public EidFailureReason Reason { get; } = EidFailureReason.Unavailable;
}
