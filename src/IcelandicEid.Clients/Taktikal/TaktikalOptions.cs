using IcelandicEid.Http;

namespace IcelandicEid.Taktikal;

/// <summary>Settings of the Taktikal Auth API client and provider (configuration section <c>IcelandicEid:Taktikal</c>).</summary>
public sealed class TaktikalOptions
{
    /// <summary>Production base URL.</summary>
    public static readonly Uri ProductionBaseUrl = new("https://onboarding.taktikal.is/api/");

    /// <summary>Development base URL.</summary>
    public static readonly Uri DevelopmentBaseUrl = new("https://onboardingdev.taktikal.is/api/");

    /// <summary>The API's base URL, ending in <c>/api/</c>. Default production.</summary>
    public Uri BaseUrl { get; set; } = ProductionBaseUrl;

    /// <summary>The flow key Taktikal gave you. Required.</summary>
    public string? FlowKey { get; set; }

    /// <summary>What a successful poll looks up. Default <see cref="TaktikalLookupType.NameAddress"/> (Taktikal's default).</summary>
    public TaktikalLookupType LookupType { get; set; } = TaktikalLookupType.NameAddress;

    /// <summary>Ask for the verification code for SIM logins too, so it can be shown. Default true.</summary>
    public bool IncludeVerificationCode { get; set; } = true;

    /// <summary>Optional company key for HTTP Basic authentication (as Taktikal's Signing API uses); sent only with <see cref="ApiKey"/>.</summary>
    public string? CompanyKey { get; set; }

    /// <summary>Optional API key for HTTP Basic authentication.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Timeout of the old blocking <c>POST /api/auth</c>, which waits for the person. Default 200 seconds.</summary>
    public TimeSpan BlockingTimeout { get; set; } = TimeSpan.FromSeconds(200);

    /// <summary>Timeouts, retries and circuit breaker.</summary>
    public UpstreamResilienceOptions Resilience { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttps && BaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("The option 'Taktikal:BaseUrl' must be an absolute http(s) URL such as https://onboarding.taktikal.is/api/.", "Taktikal:BaseUrl");
        }

        if (string.IsNullOrWhiteSpace(FlowKey))
        {
            throw new ArgumentException("The option 'Taktikal:FlowKey' must be set to the flow key Taktikal gave you.", "Taktikal:FlowKey");
        }

        if (string.IsNullOrEmpty(CompanyKey) != string.IsNullOrEmpty(ApiKey))
        {
            throw new ArgumentException("The options 'Taktikal:CompanyKey' and 'Taktikal:ApiKey' go together: set both or neither.", "Taktikal:ApiKey");
        }

        if (BlockingTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("Taktikal:BlockingTimeout", BlockingTimeout, "The option 'Taktikal:BlockingTimeout' must be more than zero.");
        }

        Resilience.Validate("Taktikal:");
    }
}
