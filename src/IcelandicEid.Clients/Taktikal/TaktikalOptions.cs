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

    /// <summary>Checks the options (as the section <c>IcelandicEid:Taktikal</c>), naming every one that is wrong.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is wrong; every problem is listed.</exception>
    public void Validate() => Validate("IcelandicEid:Taktikal");

    internal void Validate(string section)
    {
        var errors = new OptionErrors(section);
        if (!OptionErrors.IsHttpUrl(BaseUrl))
        {
            errors.Add(nameof(BaseUrl), "must be an absolute http(s) URL such as https://onboarding.taktikal.is/api/");
        }

        if (string.IsNullOrWhiteSpace(FlowKey))
        {
            errors.Add(nameof(FlowKey), "must be set to the flow key Taktikal gave you");
        }

        if (string.IsNullOrEmpty(CompanyKey) != string.IsNullOrEmpty(ApiKey))
        {
            errors.Add(nameof(ApiKey), "and CompanyKey go together: set both or neither");
        }

        if (BlockingTimeout <= TimeSpan.Zero)
        {
            errors.Add(nameof(BlockingTimeout), "must be more than zero");
        }

        Resilience.AddErrors(errors);
        errors.ThrowIfAny<TaktikalOptions>();
    }
}
