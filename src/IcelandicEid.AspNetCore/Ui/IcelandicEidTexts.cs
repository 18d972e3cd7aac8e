using System.Globalization;

namespace IcelandicEid.AspNetCore.Ui;

/// <summary>
/// The words on the handler's pages. <see cref="Icelandic"/> is the default; <see cref="English"/> is used when the
/// request's UI culture is English. Create your own instance (for example <c>IcelandicEidTexts.English with { ... }</c>)
/// and return it from a custom <see cref="IIcelandicEidPageRenderer"/> to change them.
/// </summary>
public sealed partial record IcelandicEidTexts
{
    /// <summary>The language code for the <c>lang</c> attribute.</summary>
    public required string Language { get; init; }

    /// <summary>The language the switch on every page leads to (<c>en</c> on Icelandic pages, <c>is</c> on English).</summary>
    public required string OtherLanguage { get; init; }

    /// <summary>The switch's words: the other language's name in that language ("English", "Íslenska").</summary>
    public required string OtherLanguageName { get; init; }

    /// <summary>Heading of the method choice.</summary>
    public required string MethodLegend { get; init; }

    /// <summary>One line under the SIM choice.</summary>
    public required string SimExplained { get; init; }

    /// <summary>One line under the app choice.</summary>
    public required string AppExplained { get; init; }

    /// <summary>The submit button while the request is being sent.</summary>
    public required string Sending { get; init; }

    /// <summary>Where the request went; <c>{0}</c> is the masked phone number or kennitala.</summary>
    public required string SentTo { get; init; }

    /// <summary>The line under the code: never approve a request whose code is not on this screen.</summary>
    public required string NeverApprove { get; init; }

    /// <summary>After about 20 seconds without an answer, for SIM.</summary>
    public required string HintSim { get; init; }

    /// <summary>After about 20 seconds without an answer, for the app.</summary>
    public required string HintApp { get; init; }

    /// <summary>The status cannot be asked (offline, or the site does not answer).</summary>
    public required string ConnectionLost { get; init; }

    /// <summary>Without JavaScript: the button that asks again.</summary>
    public required string CheckNow { get; init; }

    /// <summary>Words for each emoji a code can contain, for screen readers and fonts without colour emojis.</summary>
    public required IReadOnlyDictionary<string, string> EmojiNames { get; init; }

    /// <summary>Title when the person cancelled (not an error).</summary>
    public required string TitleCancelled { get; init; }

    /// <summary>Title when the login was not confirmed in time.</summary>
    public required string TitleTimedOut { get; init; }

    /// <summary>Title when the ID cannot be used (PIN blocked).</summary>
    public required string TitleBlocked { get; init; }

    /// <summary>Title when no request could be sent to the ID.</summary>
    public required string TitleNotFound { get; init; }

    /// <summary>Title when the service is unavailable.</summary>
    public required string TitleUnavailable { get; init; }

    /// <summary>Title when the person must wait (limits, or a request already open on the phone).</summary>
    public required string TitleWait { get; init; }

    /// <summary>The result could not be verified (signature, certificate or token).</summary>
    public required string FailureNotVerified { get; init; }

    /// <summary>The person approved, but completing the login with the upstream failed afterwards.</summary>
    public required string FailureFinish { get; init; }

    /// <summary>No electronic ID answered for what was entered.</summary>
    public required string FailureNotFound { get; init; }

    /// <summary>The ID cannot be used: PIN blocked.</summary>
    public required string FailureBlocked { get; init; }

    /// <summary>Kennitala whose last digit is not a century.</summary>
    public required string KennitalaCentury { get; init; }

    /// <summary>The link back to the site; <c>{0}</c> is the service name.</summary>
    public required string BackToSite { get; init; }

    /// <summary>The help line's lead, before the help link and phone.</summary>
    public required string HelpLead { get; init; }

    /// <summary>The help link's words.</summary>
    public required string HelpLink { get; init; }

    /// <summary>Login page title.</summary>
    public required string LoginTitle { get; init; }

    /// <summary>Line under the login title.</summary>
    public required string LoginIntro { get; init; }

    /// <summary>Heading of the SIM form.</summary>
    public required string SimLegend { get; init; }

    /// <summary>Label of the phone number input.</summary>
    public required string SimLabel { get; init; }

    /// <summary>Hint under the phone number input.</summary>
    public required string SimHint { get; init; }

    /// <summary>Heading of the app form.</summary>
    public required string AppLegend { get; init; }

    /// <summary>Label of the kennitala input.</summary>
    public required string AppLabel { get; init; }

    /// <summary>Hint under the kennitala input.</summary>
    public required string AppHint { get; init; }

    /// <summary>Submit button.</summary>
    public required string Submit { get; init; }

    /// <summary>No phone number entered.</summary>
    public required string PhoneEmpty { get; init; }

    /// <summary>Phone number malformed.</summary>
    public required string PhoneInvalid { get; init; }

    /// <summary>Phone number not in a mobile range.</summary>
    public required string PhoneNotMobile { get; init; }

    /// <summary>Phone number from another country.</summary>
    public required string PhoneForeign { get; init; }

    /// <summary>No kennitala entered.</summary>
    public required string KennitalaEmpty { get; init; }

    /// <summary>Kennitala malformed.</summary>
    public required string KennitalaInvalid { get; init; }

    /// <summary>Kennitala with an impossible date.</summary>
    public required string KennitalaDate { get; init; }

    /// <summary>Kennitala of a company.</summary>
    public required string KennitalaLegalEntity { get; init; }

    /// <summary>A method that is switched off, or none chosen.</summary>
    public required string MethodNotAvailable { get; init; }

    /// <summary>Anti-forgery check failed (old or foreign form).</summary>
    public required string FormExpired { get; init; }

    /// <summary>Verification page title.</summary>
    public required string VerifyTitle { get; init; }

    /// <summary>Instructions for SIM.</summary>
    public required string VerifyIntroSim { get; init; }

    /// <summary>Instructions for the app.</summary>
    public required string VerifyIntroApp { get; init; }

    /// <summary>Caption of the verification code.</summary>
    public required string CodeLabel { get; init; }

    /// <summary>Shown when the upstream gives no code (SIM without code).</summary>
    public required string NoCode { get; init; }

    /// <summary>Live status while waiting.</summary>
    public required string StatusWaiting { get; init; }

    /// <summary>Live status once approved.</summary>
    public required string StatusSucceeded { get; init; }

    /// <summary>Live status once ended without success.</summary>
    public required string StatusFailed { get; init; }

    /// <summary>The countdown; <c>{0}</c> is the time left, for example 2:45.</summary>
    public required string TimeLeft { get; init; }

    /// <summary>Cancel button.</summary>
    public required string Cancel { get; init; }

    /// <summary>Failure page title.</summary>
    public required string FailureTitle { get; init; }

    /// <summary>The person cancelled.</summary>
    public required string FailureCancelled { get; init; }

    /// <summary>No answer in time.</summary>
    public required string FailureTimedOut { get; init; }

    /// <summary>Any other failure.</summary>
    public required string FailureGeneric { get; init; }

    /// <summary>The upstream answered with an error.</summary>
    public required string FailureUpstream { get; init; }

    /// <summary>The upstream could not be reached.</summary>
    public required string FailureUnavailable { get; init; }

    /// <summary>The page was asked for over plain HTTP where that is refused.</summary>
    public string FailureNotSecure { get; init; } = "This page can only be used over a secure (https) connection. Check the address, or tell the site's operators.";

    /// <summary>The login reference is missing, forged, expired or already used.</summary>
    public required string FailureExpired { get; init; }

    /// <summary>A start budget is spent; <c>{0}</c> is the wait (see <see cref="FormatWait"/>), <c>{1}</c> what was
    /// limited (<see cref="TooManyWithPhone"/>, <see cref="TooManyWithKennitala"/>, <see cref="TooManyFromNetwork"/>).</summary>
    public required string FailureTooManyRequests { get; init; }

    /// <summary>The upstream refused a second request while one is open on the phone; <c>{0}</c> is when the open one
    /// expires at the latest.</summary>
    public required string FailureLoginPending { get; init; }

    /// <summary>A login that another browser contested: it can no longer sign anyone in.</summary>
    public required string FailureContested { get; init; }

    /// <summary>The upstream vouched for another person than the one the login was started for.</summary>
    public required string FailureIdentityMismatch { get; init; }

    /// <summary>After the person cancelled, when the upstream has no way to withdraw the request on the phone.</summary>
    public required string CancelledIgnorePhone { get; init; }

    /// <summary>A wait in seconds; <c>{0}</c> is the number.</summary>
    public required string WaitSeconds { get; init; }

    /// <summary>A wait in minutes; <c>{0}</c> is the number.</summary>
    public required string WaitMinutes { get; init; }

    /// <summary>A wait of a number of seconds that takes the singular (1 in English; in Icelandic every number ending in 1
    /// but not in 11: 1, 21, 31 …); <c>{0}</c> is the number.</summary>
    public string WaitSecond { get; init; } = "{0} second";

    /// <summary>A wait of a number of minutes that takes the singular (as <see cref="WaitSecond"/>).</summary>
    public string WaitMinute { get; init; } = "{0} minute";

    /// <summary>Link to start again.</summary>
    public required string TryAgain { get; init; }

    /// <summary>No Auðkenni app answered for the kennitala entered (<see cref="FailureNotFound"/> is the mobile number's).</summary>
    public string FailureNotFoundKennitala { get; init; } = "The request could not be sent to an Auðkenni app for this kennitala. Check what you entered and that the app is set up. Auðkenni can help.";

    /// <summary>The login page's heading, naming who is asking; <c>{0}</c> is the service name.</summary>
    public string LoginHeading { get; init; } = "Log in to {0}";

    /// <summary>Title of the page in a browser whose login another browser took over for the same number or kennitala.</summary>
    public string TitleContested { get; init; } = "The login continues in another browser";

    /// <summary>Title when the upstream refused a second request while one is open on the phone.</summary>
    public string TitleLoginPending { get; init; } = "A request is already open on your phone";

    /// <summary>Title when a start budget is spent.</summary>
    public string TitleTooMany { get; init; } = "Too many attempts";

    /// <summary>Title when the approving ID is not the kennitala entered.</summary>
    public string TitleIdentityMismatch { get; init; } = "The electronic ID belongs to someone else";

    /// <summary>Title when the upstream answered with an error.</summary>
    public string TitleUpstream { get; init; } = "The electronic ID service reported an error";

    /// <summary>Title when the upstream's answer could not be verified.</summary>
    public string TitleNotVerified { get; init; } = "The login could not be verified";

    /// <summary>Title when the person approved but the login could not be completed.</summary>
    public string TitleFinishFailed { get; init; } = "The login could not be completed";

    /// <summary>Title when the login is gone (expired, or already used).</summary>
    public string TitleExpired { get; init; } = "This login has ended";

    /// <summary>Title of the page a signed-in person gets at the login address (Back after logging in).</summary>
    public string TitleSignedIn { get; init; } = "You are logged in";

    /// <summary>The line on that page.</summary>
    public string SignedInMessage { get; init; } = "You have already logged in with electronic ID.";

    /// <summary>The link on that page; <c>{0}</c> is the service name.</summary>
    public string ContinueTo { get; init; } = "Continue to {0}";

    /// <summary>After the person cancelled on the page, when the upstream withdrew the request from the phone too.</summary>
    public string CancelledHere { get; init; } = "You cancelled the login.";

    /// <summary>On the signed-in page: the link to the form, to log in with another electronic ID.</summary>
    public string LogInAgain { get; init; } = "Log in with another electronic ID";

    /// <summary>The contested page's button: start again here, which stops the login in the other browser.</summary>
    public string StartHere { get; init; } = "Log in in this browser instead";

    /// <summary>Shown on the form reached from the contested page, before the person starts again.</summary>
    public string StartHereNotice { get; init; } = "If you log in here, the login in the other browser stops.";

    /// <summary>What was limited, in <see cref="FailureTooManyRequests"/>'s <c>{1}</c>: starts with this mobile number.</summary>
    public string TooManyWithPhone { get; init; } = "with this mobile number";

    /// <summary>As <see cref="TooManyWithPhone"/>, for a kennitala.</summary>
    public string TooManyWithKennitala { get; init; } = "with this kennitala";

    /// <summary>As <see cref="TooManyWithPhone"/>, for the network the requests come from.</summary>
    public string TooManyFromNetwork { get; init; } = "from this network";

    /// <summary>Said once when under 30 seconds are left on the verification page.</summary>
    public string TimeRunningOut { get; init; } = "Less than 30 seconds left. Confirm on your phone now.";

    /// <summary>Where the request went, for screen readers; <c>{0}</c> is the last digits of the mobile number.</summary>
    public string SentToPhoneEnding { get; init; } = "The request was sent to the mobile number ending in {0}.";

    /// <summary>As <see cref="SentToPhoneEnding"/>, for a kennitala.</summary>
    public string SentToKennitalaEnding { get; init; } = "The request was sent to the kennitala ending in {0}.";

    /// <summary>The word before Auðkenni's phone number in the help line.</summary>
    public string HelpPhoneLead { get; init; } = "phone";

    /// <summary>Auðkenni's phone number as shown; it is also a <c>tel:</c> link to <see cref="HelpPhoneNumber"/>.</summary>
    public string HelpPhone { get; init; } = "+354\u00A0530\u00A00000";

    /// <summary>Auðkenni's phone number for the <c>tel:</c> link.</summary>
    public string HelpPhoneNumber { get; init; } = "+3545300000";

    /// <summary>The text of a refused start: what was limited (<paramref name="limit"/>, the limiter's name) and the wait.</summary>
    internal string TooMany(string limit, EidMethod? method, TimeSpan wait)
    {
        var what = limit == "client-address" ? TooManyFromNetwork : method == EidMethod.App ? TooManyWithKennitala : TooManyWithPhone;
        return string.Format(CultureInfo.InvariantCulture, FailureTooManyRequests, FormatWait(wait), what);
    }

    /// <summary>English for an English UI culture, Icelandic otherwise.</summary>
    public static IcelandicEidTexts For(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        return culture.TwoLetterISOLanguageName == "en" ? English : Icelandic;
    }

    /// <summary>The person-facing wording of what is wrong with a typed phone number or kennitala.</summary>
    internal string ForIdentifier(Flow.IdentifierProblem problem) => problem switch
    {
        Flow.IdentifierProblem.PhoneEmpty => PhoneEmpty,
        Flow.IdentifierProblem.PhoneNotMobile => PhoneNotMobile,
        Flow.IdentifierProblem.PhoneForeign => PhoneForeign,
        Flow.IdentifierProblem.PhoneInvalid => PhoneInvalid,
        Flow.IdentifierProblem.KennitalaEmpty => KennitalaEmpty,
        Flow.IdentifierProblem.KennitalaDate => KennitalaDate,
        Flow.IdentifierProblem.KennitalaCentury => KennitalaCentury,
        Flow.IdentifierProblem.KennitalaLegalEntity => KennitalaLegalEntity,
        _ => KennitalaInvalid,
    };

    /// <summary>The person-facing wording of a failure reason.</summary>
    public string ForFailure(EidFailureReason reason) => reason switch
    {
        EidFailureReason.Cancelled => FailureCancelled,
        EidFailureReason.TimedOut => FailureTimedOut,
        EidFailureReason.NotFound => FailureNotFound,
        EidFailureReason.Blocked => FailureBlocked,
        EidFailureReason.UpstreamError => FailureUpstream,
        EidFailureReason.Unavailable => FailureUnavailable,
        EidFailureReason.Contested => FailureContested,
        EidFailureReason.IdentityMismatch => FailureIdentityMismatch,
        EidFailureReason.NotVerified => FailureNotVerified,
        EidFailureReason.FinishFailed => FailureFinish,
        _ => FailureGeneric,
    };

    /// <summary>The person-facing wording of a failure reason for a login by <paramref name="method"/>, where the method
    /// changes the words (no ID found for a number or for a kennitala).</summary>
    internal string ForFailure(EidFailureReason reason, EidMethod? method)
        => reason == EidFailureReason.NotFound && method == EidMethod.App ? FailureNotFoundKennitala : ForFailure(reason);

    /// <summary>The page title for a failure: its own for each case a person can act on.</summary>
    /// <param name="reason">Why the login ended; <see langword="null"/> for a refused or expired request.</param>
    /// <returns>The title.</returns>
    public string TitleFor(EidFailureReason? reason) => reason switch
    {
        EidFailureReason.Cancelled => TitleCancelled,
        EidFailureReason.TimedOut => TitleTimedOut,
        EidFailureReason.Blocked => TitleBlocked,
        EidFailureReason.NotFound => TitleNotFound,
        EidFailureReason.Unavailable => TitleUnavailable,
        EidFailureReason.Contested => TitleContested,
        EidFailureReason.AlreadyInProgress => TitleLoginPending,
        EidFailureReason.IdentityMismatch => TitleIdentityMismatch,
        EidFailureReason.UpstreamError => TitleUpstream,
        EidFailureReason.NotVerified => TitleNotVerified,
        EidFailureReason.FinishFailed => TitleFinishFailed,
        _ => FailureTitle,
    };

    /// <summary>A wait as the person reads it: seconds under two minutes, whole minutes (rounded up) above, with the
    /// noun in the number the count takes ("1 mínútu", "3 mínútur", "21 mínútu", "1 minute").</summary>
    /// <param name="wait">The wait.</param>
    /// <returns>For example "45 sekúndur" or "4 minutes".</returns>
    public string FormatWait(TimeSpan wait)
    {
        var seconds = (int)Math.Max(1, Math.Ceiling(wait.TotalSeconds));
        var (number, singular, plural) = seconds < 120 ? (seconds, WaitSecond, WaitSeconds) : ((seconds + 59) / 60, WaitMinute, WaitMinutes);
        return string.Format(CultureInfo.InvariantCulture, TakesSingular(number) ? singular : plural, number);
    }

    /// <summary>Whether a count takes the singular noun: in Icelandic every number ending in 1 but not 11 ("21 mínútu",
    /// "11 mínútur"), in English (and any other language) 1 alone.</summary>
    private bool TakesSingular(int number)
        => Language == "is" ? number % 10 == 1 && number % 100 != 11 : number == 1;
}
