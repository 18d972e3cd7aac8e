using System.Globalization;

namespace IcelandicEid.AspNetCore.Ui;

/// <summary>
/// The words on the handler's pages. <see cref="Icelandic"/> is the default; <see cref="English"/> is used when the
/// request's UI culture is English. Create your own instance (for example <c>IcelandicEidTexts.English with { ... }</c>)
/// and return it from a custom <see cref="IIcelandicEidPageRenderer"/> to change them.
/// </summary>
public sealed record IcelandicEidTexts
{
    /// <summary>The language code for the <c>lang</c> attribute.</summary>
    public required string Language { get; init; }

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

    /// <summary>Caption of the countdown.</summary>
    public required string TimeLeft { get; init; }

    /// <summary>Cancel button.</summary>
    public required string Cancel { get; init; }

    /// <summary>Failure page title.</summary>
    public required string FailureTitle { get; init; }

    /// <summary>The person cancelled.</summary>
    public required string FailureCancelled { get; init; }

    /// <summary>No answer in time.</summary>
    public required string FailureTimedOut { get; init; }

    /// <summary>Not found, blocked or other: one wording, so that it reveals nothing about the person.</summary>
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
        LoginTitle = "Innskráning með rafrænum skilríkjum",
        LoginIntro = "Veldu hvort þú skráir þig inn með skilríkjum í síma eða með Auðkennisappinu.",
        SimLegend = "Skilríki í síma",
        SimLabel = "Farsímanúmer",
        SimHint = "Til dæmis 888 1234",
        AppLegend = "Auðkennisapp",
        AppLabel = "Kennitala",
        AppHint = "Tíu tölustafir, til dæmis 120174-3399",
        Submit = "Áfram",
        PhoneEmpty = "Sláðu inn farsímanúmer.",
        PhoneInvalid = "Farsímanúmer er sjö tölustafir, til dæmis 888 1234.",
        PhoneNotMobile = "Sláðu inn íslenskt farsímanúmer; þau byrja á 6, 7 eða 8.",
        PhoneForeign = "Aðeins íslensk farsímanúmer (+354) eru studd.",
        KennitalaEmpty = "Sláðu inn kennitölu.",
        KennitalaInvalid = "Kennitala er tíu tölustafir, til dæmis 120174-3399.",
        KennitalaDate = "Fyrstu sex tölustafir kennitölu eru fæðingardagur; athugaðu hvort rétt var slegið inn.",
        KennitalaLegalEntity = "Sláðu inn kennitölu einstaklings, ekki fyrirtækis.",
        MethodNotAvailable = "Þessi innskráningarleið er ekki í boði.",
        FormExpired = "Eyðublaðið var útrunnið. Reyndu aftur.",
        VerifyTitle = "Staðfestu innskráninguna í símanum",
        VerifyIntroSim = "Beiðni hefur verið send í símann þinn. Athugaðu að sami öryggiskóði birtist í símanum og sláðu svo inn PIN-númerið.",
        VerifyIntroApp = "Opnaðu Auðkennisappið. Athugaðu að sami öryggiskóði birtist í appinu og staðfestu svo.",
        CodeLabel = "Öryggiskóði",
        NoCode = "Staðfestu beiðnina sem birtist í símanum.",
        StatusWaiting = "Bíð eftir staðfestingu úr símanum…",
        StatusSucceeded = "Innskráning staðfest. Augnablik…",
        StatusFailed = "Innskráningin tókst ekki.",
        TimeLeft = "Tími eftir",
        Cancel = "Hætta við",
        FailureTitle = "Innskráning tókst ekki",
        FailureCancelled = "Hætt var við innskráninguna.",
        FailureTimedOut = "Innskráningin var ekki staðfest í tæka tíð.",
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
        LoginTitle = "Log in with electronic ID",
        LoginIntro = "Choose whether to log in with the electronic ID on your phone's SIM or with the Auðkenni app.",
        SimLegend = "Electronic ID on phone",
        SimLabel = "Mobile number",
        SimHint = "For example 888 1234",
        AppLegend = "Auðkenni app",
        AppLabel = "Kennitala (national ID number)",
        AppHint = "Ten digits, for example 120174-3399",
        Submit = "Continue",
        PhoneEmpty = "Enter a mobile number.",
        PhoneInvalid = "A mobile number is seven digits, for example 888 1234.",
        PhoneNotMobile = "Enter an Icelandic mobile number; they start with 6, 7 or 8.",
        PhoneForeign = "Only Icelandic (+354) mobile numbers are supported.",
        KennitalaEmpty = "Enter a kennitala.",
        KennitalaInvalid = "A kennitala is ten digits, for example 120174-3399.",
        KennitalaDate = "The first six digits of a kennitala are a date of birth; check what you entered.",
        KennitalaLegalEntity = "Enter the kennitala of a person, not of a company.",
        MethodNotAvailable = "This way of logging in is not available.",
        FormExpired = "The form had expired. Please try again.",
        VerifyTitle = "Confirm the login on your phone",
        VerifyIntroSim = "A request has been sent to your phone. Check that it shows the same verification code, then enter your PIN.",
        VerifyIntroApp = "Open the Auðkenni app. Check that it shows the same verification code, then confirm.",
        CodeLabel = "Verification code",
        NoCode = "Confirm the request that appears on your phone.",
        StatusWaiting = "Waiting for confirmation from your phone…",
        StatusSucceeded = "Login confirmed. One moment…",
        StatusFailed = "The login did not succeed.",
        TimeLeft = "Time left",
        Cancel = "Cancel",
        FailureTitle = "Login did not succeed",
        FailureCancelled = "The login was cancelled.",
        FailureTimedOut = "The login was not confirmed in time.",
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
        EidFailureReason.UpstreamError => FailureUpstream,
        EidFailureReason.Unavailable => FailureUnavailable,
        EidFailureReason.Contested => FailureContested,
        EidFailureReason.IdentityMismatch => FailureIdentityMismatch,
        _ => FailureGeneric,
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
