using IcelandicEid.Simulation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using IcelandicEid.AspNetCore.Http;

namespace IcelandicEid.AspNetCore;

/// <summary>Options of the Icelandic eID handler, bound from the <c>IcelandicEid</c> configuration section.</summary>
public class IcelandicEidOptions : RemoteAuthenticationOptions
{
    private CookieBuilder _loginCookie = new()
    {
        Name = IcelandicEidDefaults.LoginCookieName,
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        SecurePolicy = CookieSecurePolicy.SameAsRequest,
        IsEssential = true,
    };

    /// <summary>Creates the options with their defaults.</summary>
    public IcelandicEidOptions()
    {
        CallbackPath = IcelandicEidDefaults.BasePath + IcelandicEidDefaults.FinishSubPath;

        // A started login lives as long as the upstream's own limit (180 seconds), not the base class's 15 minutes.
        RemoteAuthenticationTimeout = TimeSpan.FromSeconds(180);
        Events = new IcelandicEidEvents();
    }

    /// <summary>
    /// Which upstream performs the logins: <c>Simulator</c>, the name of a registered provider (<c>Taktikal</c> and
    /// <c>Vettvangur</c> after <c>services.AddIcelandicEidProviders()</c>, or any <c>AddIcelandicEidProvider(name, …)</c>),
    /// or the key of a keyed <see cref="IIcelandicEidProvider"/> service. Required; there is deliberately no default, so
    /// that a production app never runs the simulator by accident.
    /// </summary>
    public string? Provider { get; set; }

    /// <summary>A provider instance to use instead of resolving <see cref="Provider"/> (the tests' and the benchmark's
    /// wiring; an app registers its provider with <c>AddIcelandicEidProvider(name, factory)</c>). Default none.</summary>
    internal IIcelandicEidProvider? ProviderInstance { get; set; }

    /// <summary>Settings of the simulator, used when <see cref="Provider"/> is <c>Simulator</c>.</summary>
    public SimulatorOptions Simulator { get; set; } = new();

    /// <summary>Limits on starting logins, against push bombing.</summary>
    public IcelandicEidLimitOptions Limits { get; set; } = new();

    /// <summary>Where the handler serves its pages and endpoints: <c>{BasePath}/login</c>, <c>/start</c>,
    /// <c>/verify</c>, <c>/status</c>, <c>/cancel</c>, <c>/assets/*</c>. Default <c>/icelandic-eid</c>.</summary>
    public PathString BasePath { get; set; } = IcelandicEidDefaults.BasePath;

    /// <summary>Whether the handler serves its pages and API over plain HTTP outside the Development environment.
    /// Default false: such a request gets a 403 page and the operator an error in the log, because the login and its
    /// cookies would travel readable and changeable on the network. Behind a TLS-terminating proxy, configure the
    /// forwarded-headers middleware with <c>ForwardedHeaders.XForwardedProto</c> (requests then count as HTTPS, and the
    /// handler then trusts the proxy); set this only for a proxy that cannot send that header.</summary>
    public bool AllowPlainHttp { get; set; }

    /// <summary>Whether people may log in with the electronic ID on their SIM (by phone number). Default true.</summary>
    public bool EnableSim { get; set; } = true;

    /// <summary>Whether people may log in with the Auðkenni app (by kennitala). Default true.</summary>
    public bool EnableApp { get; set; } = true;

    /// <summary>The poll interval used when the upstream does not give one. Default 2 seconds.</summary>
    public TimeSpan DefaultPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The handler never polls the upstream more often than this, whatever the upstream says. Default 1 second.</summary>
    public TimeSpan MinimumPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the verification page asks the handler for the status. Browsers asking more often than the
    /// upstream allows do not cause more upstream polls. Default 1 second.</summary>
    public TimeSpan StatusRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many polls in a row may fail to reach the upstream before the login fails as unavailable.
    /// Default 5.</summary>
    public int MaxConsecutivePollErrors { get; set; } = 5;

    /// <summary>Where the browser goes after login when the challenge named no local return URL. Default <c>/</c>.</summary>
    public string DefaultReturnUrl { get; set; } = "/";

    /// <summary>Who is asking: the service name shown at the top of every page, in the login page's heading and, where
    /// the provider can show a message, on the phone. Default none: the pages then name the site's host (what the person
    /// sees in the address bar; never an assembly name), the phone says only "Innskráning" (a host name taken from the
    /// request is not put on a phone), and in Production a warning is logged at startup.</summary>
    public string? ServiceName { get; set; }

    /// <summary>A logo shown beside the service name (a local path or an https URL; the default
    /// <see cref="ContentSecurityPolicy"/> allows only same-origin images). Default none.</summary>
    public string? LogoUrl { get; set; }

    /// <summary>The way back to the site from every page (a local path). Default <c>/</c>.</summary>
    public string HomeUrl { get; set; } = "/";

    /// <summary>Where the help link on every page leads. Default Auðkenni's help pages,
    /// <c>https://www.audkenni.is/adstod/</c>.</summary>
    public string HelpUrl { get; set; } = "https://www.audkenni.is/adstod/";

    /// <summary>An extra stylesheet of the host app, linked after the built-in one (a local path). Default none.</summary>
    public string? StylesheetPath { get; set; }

    /// <summary>The Content-Security-Policy sent with the handler's pages; <see langword="null"/> or empty sends none.
    /// Default: only same-origin scripts, styles and connections, no framing.</summary>
    public string? ContentSecurityPolicy { get; set; } =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>The cookie that ties a pending login to the browser that started it. It holds only a protected,
    /// expiring reference to server-side state. Default name <c>.IcelandicEid.Login</c>, HttpOnly, SameSite=Lax.</summary>
    public CookieBuilder LoginCookie
    {
        get => _loginCookie;
        set => _loginCookie = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Protects the challenge's <see cref="AuthenticationProperties"/> carried through the login form.
    /// Set by default from the data-protection system.</summary>
    public ISecureDataFormat<AuthenticationProperties> StateDataFormat { get; set; } = default!;

    /// <summary>The events of a login.</summary>
    public new IcelandicEidEvents Events
    {
        get => (IcelandicEidEvents)base.Events;
        set => base.Events = value;
    }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();

        if (ProviderInstance is null && string.IsNullOrWhiteSpace(Provider))
        {
            throw new ArgumentException(
                "The option 'Provider' (IcelandicEid:Provider) must be set: Simulator, or the name of a registered provider (Taktikal and Vettvangur after services.AddIcelandicEidProviders()).",
                nameof(Provider));
        }

        if (!BasePath.HasValue || BasePath.Value!.EndsWith('/'))
        {
            throw new ArgumentException("The option 'BasePath' must be a path such as /icelandic-eid, without a trailing slash.", nameof(BasePath));
        }

        if (!EnableSim && !EnableApp)
        {
            throw new ArgumentException("At least one of the options 'EnableSim' and 'EnableApp' must be true.", nameof(EnableSim));
        }

        if (RemoteAuthenticationTimeout <= TimeSpan.Zero || RemoteAuthenticationTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(RemoteAuthenticationTimeout), RemoteAuthenticationTimeout, "The option 'RemoteAuthenticationTimeout' (how long a started login may take) must be more than zero and at most 10 minutes.");
        }

        if (MinimumPollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumPollInterval), MinimumPollInterval, "The option 'MinimumPollInterval' must be more than zero.");
        }

        if (DefaultPollInterval < MinimumPollInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultPollInterval), DefaultPollInterval, "The option 'DefaultPollInterval' must be at least 'MinimumPollInterval'.");
        }

        if (StatusRefreshInterval < TimeSpan.FromMilliseconds(250) || StatusRefreshInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(StatusRefreshInterval), StatusRefreshInterval, "The option 'StatusRefreshInterval' must be between 250 milliseconds and 1 minute.");
        }

        if (MaxConsecutivePollErrors < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConsecutivePollErrors), MaxConsecutivePollErrors, "The option 'MaxConsecutivePollErrors' must be at least 1.");
        }

        if (!ReturnUrls.IsLocal(DefaultReturnUrl))
        {
            throw new ArgumentException("The option 'DefaultReturnUrl' must be a local path such as /.", nameof(DefaultReturnUrl));
        }

        if (!ReturnUrls.IsLocal(HomeUrl))
        {
            throw new ArgumentException("The option 'HomeUrl' must be a local path such as /.", nameof(HomeUrl));
        }

        if (LogoUrl is not null && !ReturnUrls.IsLocal(LogoUrl) && !LogoUrl.StartsWith("https://", StringComparison.Ordinal))
        {
            throw new ArgumentException("The option 'LogoUrl' must be a local path or an https URL.", nameof(LogoUrl));
        }

        if (!HelpUrl.StartsWith("https://", StringComparison.Ordinal) && !ReturnUrls.IsLocal(HelpUrl))
        {
            throw new ArgumentException("The option 'HelpUrl' must be an https URL or a local path.", nameof(HelpUrl));
        }

        if (StylesheetPath is not null && !ReturnUrls.IsLocal(StylesheetPath))
        {
            throw new ArgumentException("The option 'StylesheetPath' must be a local path such as /css/login.css.", nameof(StylesheetPath));
        }

        if (Limits.StartsPerIdentifier < 0 || Limits.StartsPerIdentifierAllNetworks < 0 || Limits.StartsPerClientAddress < 0 || Limits.Window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Limits), "The options 'Limits:StartsPerIdentifier', 'Limits:StartsPerIdentifierAllNetworks' and 'Limits:StartsPerClientAddress' must be 0 (no limit) or more, and 'Limits:Window' more than zero.");
        }

        if (Limits.HashKey is { } hashKey && hashKey.Length < 32)
        {
            throw new ArgumentException("The option 'Limits:HashKey' must be at least 32 characters when set.", nameof(Limits));
        }

        if (Limits.KnownBrowserLifetime < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Limits), "The option 'Limits:KnownBrowserLifetime' must be zero (off) or more.");
        }

        if (string.IsNullOrEmpty(LoginCookie.Name))
        {
            throw new ArgumentException("The option 'LoginCookie.Name' must be set.", nameof(LoginCookie));
        }

        if (Simulator.ApprovalDelay < TimeSpan.Zero || Simulator.PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("The options 'Simulator:ApprovalDelay' (zero or more) and 'Simulator:PollInterval' (more than zero) are out of range.", nameof(Simulator));
        }
    }

    /// <summary>Set after configuration: plain HTTP is refused (outside Development, no <see cref="AllowPlainHttp"/>, no
    /// forwarded protocol configured).</summary>
    internal bool RefusePlainHttp { get; set; }

    /// <summary>Whether the operator has been told once that plain HTTP was refused.</summary>
    internal int PlainHttpLogged;
}
