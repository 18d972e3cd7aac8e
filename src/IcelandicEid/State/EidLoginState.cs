namespace IcelandicEid.State;

/// <summary>Where a pending login stands.</summary>
public enum EidLoginStatus
{
    /// <summary>Waiting for the person to answer on the phone.</summary>
    Pending,

    /// <summary>Approved; waiting for the browser to finish.</summary>
    Succeeded,

    /// <summary>Ended without success; waiting for the browser to show why.</summary>
    Failed,
}

/// <summary>
/// The server-side state of one login, from start to finish. The browser holds only a protected reference to
/// <see cref="Id"/>; everything else, the upstream reference included, stays on the server.
/// </summary>
/// <remarks>Contains personal data (the identifier and, once approved, the person): stores must protect it at rest
/// and expire it at <see cref="ExpiresAt"/>.</remarks>
public sealed record EidLoginState
{
    /// <summary>Unguessable id (256 random bits, base64url).</summary>
    public required string Id { get; init; }

    /// <summary>The provider's name.</summary>
    public required string Provider { get; init; }

    /// <summary>SIM or app.</summary>
    public required EidMethod Method { get; init; }

    /// <summary>The normalised phone number (SIM) or kennitala (app) the person entered. Personal data.</summary>
    public required string Identifier { get; init; }

    /// <summary>The upstream's reference. Never sent to the browser.</summary>
    public required string Reference { get; init; }

    /// <summary>The verification code to show, digits or emojis; may be empty.</summary>
    public string? VerificationCode { get; init; }

    /// <summary>The shortest time between two upstream polls.</summary>
    public required TimeSpan PollInterval { get; init; }

    /// <summary>When the login started.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the login and this state expire.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The earliest time the upstream may be polled again.</summary>
    public required DateTimeOffset NextPollAt { get; init; }

    /// <summary>Pending, succeeded or failed.</summary>
    public EidLoginStatus Status { get; init; }

    /// <summary>Why it failed, when it did.</summary>
    public EidFailureReason? FailureReason { get; init; }

    /// <summary>The approved person, once succeeded. Personal data.</summary>
    public EidPerson? Person { get; init; }

    /// <summary>When the upstream reported approval.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Polls in a row that could not reach the upstream.</summary>
    public int ConsecutivePollErrors { get; init; }

    /// <summary>The serialised <c>AuthenticationProperties</c> of the challenge (return URL and items), base64.</summary>
    public string? Properties { get; init; }

    /// <summary>Whether the state has ended, one way or the other.</summary>
    public bool IsCompleted => Status != EidLoginStatus.Pending;
}
