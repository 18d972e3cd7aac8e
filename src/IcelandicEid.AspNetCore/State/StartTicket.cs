namespace IcelandicEid.AspNetCore.State;

/// <summary>What the start rules decide before the upstream is asked.</summary>
internal enum StartVerdict
{
    /// <summary>Ask the upstream.</summary>
    Go,

    /// <summary>This browser already has a login for the identifier (or one is being started): join it.</summary>
    Join,

    /// <summary>A start budget is spent; try again after <see cref="StartTicket.RetryAfter"/>.</summary>
    Limited,

    /// <summary>This browser's other start did not finish in time; try again.</summary>
    Busy,
}

/// <summary>One start attempt as the rules see it: what was decided, and what to undo or publish afterwards.</summary>
internal sealed class StartTicket
{
    public required StartVerdict Verdict { get; init; }

    /// <summary>With <see cref="StartVerdict.Join"/>: the login to join.</summary>
    public EidLoginState? JoinLogin { get; init; }

    /// <summary>With <see cref="StartVerdict.Limited"/>: the real wait.</summary>
    public TimeSpan RetryAfter { get; init; }

    /// <summary>With <see cref="StartVerdict.Limited"/>: which limit, for logs and metrics.</summary>
    public string? Limit { get; init; }

    public string? IdentifierHash { get; init; }

    public string? BrowserKey { get; init; }

    public string? StartingTag { get; init; }

    public List<string> Counted { get; } = [];

    /// <summary>After <see cref="StartRules.ContestAsync"/>: what was left of the life of the login this start
    /// superseded, if this site had one pending for the identifier.</summary>
    public TimeSpan? OpenRequestLeft { get; set; }

    /// <summary>After <see cref="StartRules.ContestAsync"/>: the <see cref="Flow.LoginId.Key"/> of the login this start
    /// superseded, if there was one.</summary>
    public string? SupersededLogin { get; set; }
}
