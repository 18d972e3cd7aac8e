using System.Globalization;

namespace IcelandicEid.AspNetCore.Ui;

/// <summary>
/// The words on the handler's pages. <see cref="Icelandic"/> is the default; <see cref="English"/> is used when the
/// request's UI culture is English. Create your own instance (for example <c>IcelandicEidTexts.English with { ... }</c>)
/// and return it from a custom <see cref="IIcelandicEidPageRenderer"/> to change them.
/// </summary>
public sealed record IcelandicEidTexts
{
    private static readonly Dictionary<string, string> IcelandicEmojiNames = new(StringComparer.Ordinal)
    {
        ["🐑"] = "kind", ["🐴"] = "hestur", ["🐟"] = "fiskur", ["🐳"] = "hvalur", ["🦊"] = "refur", ["🐦"] = "fugl",
        ["🌋"] = "eldfjall", ["🌊"] = "alda", ["❄️"] = "snjókorn", ["❄"] = "snjókorn", ["🌈"] = "regnbogi", ["⭐"] = "stjarna",
        ["🍀"] = "smári", ["🚗"] = "bíll", ["⛵"] = "seglbátur", ["🎈"] = "blaðra", ["🔔"] = "bjalla",
    };

    private static readonly Dictionary<string, string> EnglishEmojiNames = new(StringComparer.Ordinal)
    {
        ["🐑"] = "sheep", ["🐴"] = "horse", ["🐟"] = "fish", ["🐳"] = "whale", ["🦊"] = "fox", ["🐦"] = "bird",
        ["🌋"] = "volcano", ["🌊"] = "wave", ["❄️"] = "snowflake", ["❄"] = "snowflake", ["🌈"] = "rainbow", ["⭐"] = "star",
        ["🍀"] = "clover", ["🚗"] = "car", ["⛵"] = "sailboat", ["🎈"] = "balloon", ["🔔"] = "bell",
    };

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

    /// <summary>The login reference is missing, forged, expired or already used.</summary>
    public required string FailureExpired { get; init; }

    /// <summary>A start budget is spent; <c>{0}</c> is the wait (see <see cref="FormatWait"/>).</summary>
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

    /// <summary>Link to start again.</summary>
    public required string TryAgain { get; init; }

    /// <summary>Icelandic, the default.</summary>
    public static IcelandicEidTexts Icelandic { get; } = new()
    {
        Language = "is",
        OtherLanguage = "en",
        OtherLanguageName = "English",
        LoginTitle = "Innskráning með rafrænum skilríkjum",
        LoginIntro = "Veldu leið og sláðu inn farsímanúmer eða kennitölu.",
        MethodLegend = "Hvernig viltu skrá þig inn?",
        SimExplained = "Þú staðfestir með PIN-númeri í símanum. Virkar ekki með eSIM.",
        AppExplained = "Þú slærð inn kennitölu og staðfestir í Auðkennisappinu.",
        Sending = "Sendi beiðni…",
        SentTo = "Beiðnin var send á {0}.",
        NeverApprove = "Samþykktu aldrei beiðni sem sýnir ekki þessa öryggistölu.",
        HintSim = "Birtist engin beiðni? Athugaðu hvort kveikt sé á símanum og hann í sambandi. Skilríki á SIM-korti virka ekki með eSIM.",
        HintApp = "Birtist engin beiðni? Opnaðu Auðkennisappið; beiðnin birtist þar.",
        ConnectionLost = "Samband við vefinn rofnaði. Reyni aftur…",
        CheckNow = "Athuga núna",
        EmojiNames = IcelandicEmojiNames,
        TitleCancelled = "Hætt við innskráningu",
        TitleTimedOut = "Tíminn rann út",
        TitleBlocked = "Ekki er hægt að nota skilríkin",
        TitleNotFound = "Ekki tókst að senda beiðni",
        TitleUnavailable = "Þjónustan er ekki tiltæk",
        TitleWait = "Reyndu aftur síðar",
        FailureNotFound = "Ekki tókst að senda beiðni á þessi skilríki. Athugaðu hvort rétt var slegið inn. Ef skilríkin eru útrunnin eða þú ert ekki með rafræn skilríki getur Auðkenni aðstoðað.",
        FailureBlocked = "Skilríkin læsast ef PIN-númer er slegið of oft rangt inn. Auðkenni getur aðstoðað við að fá ný.",
        KennitalaCentury = "Síðasti tölustafur kennitölu er 9 eða 0. Athugaðu hvort rétt var slegið inn.",
        BackToSite = "Aftur á {0}",
        HelpLead = "Aðstoð við rafræn skilríki:",
        HelpLink = "Auðkenni, sími 530 0000",
        SimLegend = "Skilríki í síma",
        SimLabel = "Farsímanúmer",
        SimHint = "Til dæmis 888 1234",
        AppLegend = "Auðkennisapp",
        AppLabel = "Kennitala",
        AppHint = "Tíu tölustafir, til dæmis 120174-3399",
        Submit = "Áfram",
        PhoneEmpty = "Sláðu inn farsímanúmer.",
        PhoneInvalid = "Farsímanúmer er sjö tölustafir, til dæmis 888 1234.",
        PhoneNotMobile = "Sláðu inn íslenskt farsímanúmer. Farsímanúmer byrja á 6, 7 eða 8.",
        PhoneForeign = "Aðeins er hægt að nota íslensk farsímanúmer (+354).",
        KennitalaEmpty = "Sláðu inn kennitölu.",
        KennitalaInvalid = "Kennitala er tíu tölustafir, til dæmis 120174-3399.",
        KennitalaDate = "Fyrstu sex tölustafir kennitölu eru fæðingardagur; athugaðu hvort rétt var slegið inn.",
        KennitalaLegalEntity = "Sláðu inn kennitölu einstaklings, ekki fyrirtækis.",
        MethodNotAvailable = "Þessi innskráningarleið er ekki í boði.",
        FormExpired = "Síðan rann út. Reyndu aftur.",
        VerifyTitle = "Staðfestu í símanum",
        VerifyIntroSim = "Beiðni hefur verið send í símann þinn. Gættu þess að sama öryggistala birtist í símanum og sláðu svo inn PIN-númerið.",
        VerifyIntroApp = "Opnaðu Auðkennisappið. Gættu þess að sama öryggistala birtist í appinu og staðfestu svo.",
        CodeLabel = "Öryggistala",
        NoCode = "Staðfestu beiðnina sem birtist í símanum.",
        StatusWaiting = "Bíð eftir staðfestingu…",
        StatusSucceeded = "Innskráning staðfest. Augnablik…",
        StatusFailed = "Innskráningin tókst ekki.",
        TimeLeft = "Beiðnin rennur út eftir {0}",
        Cancel = "Hætta við",
        FailureTitle = "Innskráning tókst ekki",
        FailureCancelled = "Hætt var við innskráninguna.",
        FailureTimedOut = "Innskráningin var ekki staðfest í tæka tíð. Þú getur reynt aftur.",
        FailureGeneric = "Ekki tókst að ljúka innskráningunni. Athugaðu að rétt hafi verið slegið inn og að síminn geti tekið við beiðnum um rafræn skilríki, og reyndu svo aftur.",
        FailureUpstream = "Villa kom upp hjá þjónustu rafrænna skilríkja. Reyndu aftur.",
        FailureUnavailable = "Þjónusta rafrænna skilríkja er ekki tiltæk í augnablikinu. Reyndu aftur eftir smástund.",
        FailureExpired = "Þessi innskráning er útrunnin eða hefur þegar verið notuð. Byrjaðu aftur.",
        FailureTooManyRequests = "Of margar innskráningar hafa verið reyndar með þessu. Þú getur reynt aftur eftir {0}.",
        FailureLoginPending = "Beiðni um innskráningu er þegar opin í símanum. Hafnaðu henni í símanum og reyndu svo aftur; samþykktu aldrei beiðni sem sýnir ekki sömu öryggistölu og þessi skjár. Ef þú getur ekki hafnað henni rennur hún út eftir {0}.",
        FailureContested = "Innskráning með sama númeri var hafin í öðrum vafra, svo þessi innskráning getur ekki lengur tekist. Ef það varst ekki þú skaltu hafna öllum beiðnum í símanum sem sýna ekki öryggistöluna á skjánum hjá þér.",
        FailureIdentityMismatch = "Skilríkin sem staðfestu eru ekki skilríki kennitölunnar sem slegin var inn. Innskráningin tókst ekki.",
        CancelledIgnorePhone = "Hætt var við innskráninguna. Ef beiðni birtist enn í símanum skaltu hafna henni eða hunsa hana.",
        WaitSeconds = "{0} sekúndur",
        WaitMinutes = "{0} mínútur",
        TryAgain = "Reyna aftur",
    };

    /// <summary>English.</summary>
    public static IcelandicEidTexts English { get; } = new()
    {
        Language = "en",
        OtherLanguage = "is",
        OtherLanguageName = "Íslenska",
        LoginTitle = "Log in with electronic ID",
        LoginIntro = "Choose how, then enter your mobile number or kennitala.",
        MethodLegend = "How do you want to log in?",
        SimExplained = "You confirm with your PIN on the phone. Does not work with eSIM.",
        AppExplained = "You enter your kennitala and confirm in the Auðkenni app.",
        Sending = "Sending request…",
        SentTo = "The request was sent to {0}.",
        NeverApprove = "Never approve a request that does not show this code.",
        HintSim = "No request? Check that your phone is on and has signal. Electronic ID on SIM card does not work with eSIM.",
        HintApp = "No request? Open the Auðkenni app; the request appears there.",
        ConnectionLost = "The connection to the site was lost. Retrying…",
        CheckNow = "Check now",
        EmojiNames = EnglishEmojiNames,
        TitleCancelled = "Login cancelled",
        TitleTimedOut = "Time ran out",
        TitleBlocked = "The electronic ID cannot be used",
        TitleNotFound = "The request could not be sent",
        TitleUnavailable = "The service is unavailable",
        TitleWait = "Please try again later",
        FailureNotFound = "The request could not be sent to this electronic ID. Check what you entered. If your ID has expired or you do not have one, Auðkenni can help.",
        FailureBlocked = "An electronic ID locks when a wrong PIN is entered too many times. Auðkenni can help you get a new one.",
        KennitalaCentury = "The last digit of a kennitala is 9 or 0. Check what you entered.",
        BackToSite = "Back to {0}",
        HelpLead = "Help with electronic ID:",
        HelpLink = "Auðkenni, phone +354 530 0000",
        SimLegend = "Electronic ID on SIM card",
        SimLabel = "Mobile number",
        SimHint = "For example 888 1234",
        AppLegend = "Auðkenni app",
        AppLabel = "Kennitala (national ID number)",
        AppHint = "Ten digits, for example 120174-3399",
        Submit = "Continue",
        PhoneEmpty = "Enter a mobile number.",
        PhoneInvalid = "A mobile number is seven digits, for example 888 1234.",
        PhoneNotMobile = "Enter an Icelandic mobile number. Mobile numbers start with 6, 7 or 8.",
        PhoneForeign = "Only Icelandic (+354) mobile numbers are supported.",
        KennitalaEmpty = "Enter a kennitala.",
        KennitalaInvalid = "A kennitala is ten digits, for example 120174-3399.",
        KennitalaDate = "The first six digits of a kennitala are a date of birth; check what you entered.",
        KennitalaLegalEntity = "Enter the kennitala of a person, not of a company.",
        MethodNotAvailable = "This way of logging in is not available.",
        FormExpired = "The page expired. Please try again.",
        VerifyTitle = "Confirm the login on your phone",
        VerifyIntroSim = "A request has been sent to your phone. Check that it shows the same verification code, then enter your PIN.",
        VerifyIntroApp = "Open the Auðkenni app. Check that it shows the same verification code, then confirm.",
        CodeLabel = "Verification code",
        NoCode = "Confirm the request that appears on your phone.",
        StatusWaiting = "Waiting for confirmation…",
        StatusSucceeded = "Login confirmed. One moment…",
        StatusFailed = "The login did not succeed.",
        TimeLeft = "The request expires in {0}",
        Cancel = "Cancel",
        FailureTitle = "Login did not succeed",
        FailureCancelled = "The login was cancelled.",
        FailureTimedOut = "The login was not confirmed in time. You can try again.",
        FailureGeneric = "The login could not be completed. Check what you entered and that your phone can receive electronic ID requests, then try again.",
        FailureUpstream = "The electronic ID service reported an error. Please try again.",
        FailureUnavailable = "The electronic ID service is unavailable right now. Please try again in a moment.",
        FailureExpired = "This login has expired or has already been used. Please start again.",
        FailureTooManyRequests = "Too many logins have been tried with this. You can try again in {0}.",
        FailureLoginPending = "A login request is already open on your phone. Decline it there, then try again; never approve a request whose code is not the one on this screen. If you cannot decline it, it expires in {0}.",
        FailureContested = "A login with the same number was started in another browser, so this login can no longer succeed. If you did not start it, decline every request on your phone whose code is not the one on your screen.",
        FailureIdentityMismatch = "The electronic ID that confirmed is not the one of the kennitala entered. The login did not succeed.",
        CancelledIgnorePhone = "The login was cancelled. If a request still shows on your phone, decline or ignore it.",
        WaitSeconds = "{0} seconds",
        WaitMinutes = "{0} minutes",
        TryAgain = "Try again",
    };

    /// <summary>English for an English UI culture, Icelandic otherwise.</summary>
    public static IcelandicEidTexts For(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        return culture.TwoLetterISOLanguageName == "en" ? English : Icelandic;
    }

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
        _ => FailureGeneric,
    };

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
        _ => FailureTitle,
    };

    /// <summary>A wait as the person reads it: seconds under two minutes, whole minutes (rounded up) above.</summary>
    /// <param name="wait">The wait.</param>
    /// <returns>For example "45 sekúndur" or "4 minutes".</returns>
    public string FormatWait(TimeSpan wait)
    {
        var seconds = (int)Math.Max(1, Math.Ceiling(wait.TotalSeconds));
        return seconds < 120
            ? string.Format(CultureInfo.InvariantCulture, WaitSeconds, seconds)
            : string.Format(CultureInfo.InvariantCulture, WaitMinutes, (seconds + 59) / 60);
    }
}
