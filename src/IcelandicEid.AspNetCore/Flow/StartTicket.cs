using IcelandicEid.State;
namespace IcelandicEid.AspNetCore.Flow;

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

    /// <summary>Another request with this browser id, from a form other than this one, started this identifier's login
    /// a moment ago: the browser's own tab holds its cookie; nothing is joined, nothing sent.</summary>
    Sibling,

    /// <summary>A login of a browser that has signed in with the identifier before holds it: this browser, which has
    /// not, cannot start one until that ends (at the latest after <see cref="StartTicket.RetryAfter"/>).</summary>
    Held,
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

    /// <summary>The hash of the start's form attempt value ("-" for none): only the same form joins its login.</summary>
    public string AttemptTag { get; init; } = "-";

    /// <summary>Whether the browser has signed in with the identifier before (the contest rule's standing).</summary>
    public bool Remembered { get; init; }

    /// <summary>The identifier's contest marker as the start found it.</summary>
    public ContestMarker? Previous { get; set; }

    /// <summary>The marker's raw value and time to live as the start found it, to restore it.</summary>
    public EidLimiterValue? PreviousValue { get; set; }

    /// <summary>The <see cref="EidLoginId.Key"/> of the login this start found already approved upstream: the marker
    /// it writes lets that login still sign in.</summary>
    public string? Spared { get; set; }

    /// <summary>The claim this start put in the marker before asking the upstream, while it stands.</summary>
    public string? Claimed { get; set; }

    /// <summary>The <see cref="EidLoginId.Key"/> of the login this start superseded, if there was one.</summary>
    public string? SupersededLogin { get; set; }
}
