namespace IcelandicEid.AspNetCore;

/// <summary>Default values of the Icelandic eID handler.</summary>
public static class IcelandicEidDefaults
{
    /// <summary>The default scheme name, <c>IcelandicEid</c>.</summary>
    public const string AuthenticationScheme = "IcelandicEid";

    /// <summary>The default display name, <c>Rafræn skilríki</c>.</summary>
    public static readonly string DisplayName = "Rafræn skilríki";

    /// <summary>The configuration section options are bound from, <c>IcelandicEid</c>.</summary>
    public const string ConfigurationSection = "IcelandicEid";

    /// <summary>The default path under which the handler serves its pages and endpoints.</summary>
    public static readonly string BasePath = "/icelandic-eid";

    /// <summary>The default name of the cookie that ties a pending login to its browser.</summary>
    public static readonly string LoginCookieName = ".IcelandicEid.Login";

    /// <summary>The cookie that tells a browser apart for the start rules (a random id and the hashed identifiers it has
    /// logged in with, protected): <c>.IcelandicEid.Browser</c>, or <c>__Host-IcelandicEid.Browser</c> over HTTPS.</summary>
    public static readonly string BrowserCookieName = ".IcelandicEid.Browser";

    /// <summary>The name of the simulator provider.</summary>
    public const string SimulatorProvider = "Simulator";

    /// <summary>Sub-path of the login form.</summary>
    internal const string LoginSubPath = "/login";

    /// <summary>Sub-path the login form posts to.</summary>
    internal const string StartSubPath = "/start";

    /// <summary>Sub-path of the verification-code page.</summary>
    internal const string VerifySubPath = "/verify";

    /// <summary>Sub-path of the JSON status endpoint.</summary>
    internal const string StatusSubPath = "/status";

    /// <summary>Sub-path the cancel button posts to.</summary>
    internal const string CancelSubPath = "/cancel";

    /// <summary>Sub-path of the finish step (the default <c>CallbackPath</c>).</summary>
    internal const string FinishSubPath = "/finish";

    /// <summary>A failure page again, in the language its switch chose.</summary>
    internal const string FailedSubPath = "/failed";

    /// <summary>Sub-path of the JSON API for single-page and native apps: <c>/api/start</c>, <c>/api/status</c>,
    /// <c>/api/cancel</c>, <c>/api/finish</c>.</summary>
    internal const string ApiSubPath = "/api";

    /// <summary>The request header every JSON API call must carry (any value): a header that a cross-site form cannot
    /// send and a cross-origin script cannot send without a CORS preflight, which the handler never allows.</summary>
    public const string ApiRequestHeader = "X-IcelandicEid-Request";

    /// <summary>Sub-path of the static script and stylesheet.</summary>
    internal const string AssetsSubPath = "/assets";
}
