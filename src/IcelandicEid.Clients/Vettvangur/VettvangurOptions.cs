using IcelandicEid.Http;

namespace IcelandicEid.Vettvangur;

/// <summary>Settings of the Vettvangur Audkenni API client and provider (configuration section <c>IcelandicEid:Vettvangur</c>).</summary>
public sealed class VettvangurOptions
{
    /// <summary>The API's base URL. Default <c>https://audkenni.vettvangur.is/</c>.</summary>
    public Uri BaseUrl { get; set; } = new("https://audkenni.vettvangur.is/");

    /// <summary>The API key Vettvangur gave you. Required.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Alias, name or id of your application (<c>requestingApplication</c>). Required.</summary>
    public string? RequestingApplication { get; set; }

    /// <summary>Where the API key goes. Default <see cref="VettvangurApiKeyHeader.Authorization"/> (the document's text).</summary>
    public VettvangurApiKeyHeader ApiKeyHeader { get; set; } = VettvangurApiKeyHeader.Authorization;

    /// <summary>The HTTP method of the status endpoints. Default <see cref="VettvangurStatusMethod.Post"/> (the document's text).</summary>
    public VettvangurStatusMethod StatusMethod { get; set; } = VettvangurStatusMethod.Post;

    /// <summary>Ask for four emojis instead of four digits. Default true, as the API.</summary>
    public bool UseEmojiChallenge { get; set; } = true;

    /// <summary>Text before the challenge on SIM phones. Default none.</summary>
    public string? SimChallengePrefix { get; set; }

    /// <summary>Extra message in the app. Default none.</summary>
    public string? AppAdditionalMessage { get; set; }

    /// <summary>How often to poll <c>/authorize-status</c>; the API gives no interval. Default 2 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Timeout of the endpoints that block until the person answers. Default 200 seconds.</summary>
    public TimeSpan BlockingTimeout { get; set; } = TimeSpan.FromSeconds(200);

    /// <summary>Timeouts, retries and circuit breaker.</summary>
    public UpstreamResilienceOptions Resilience { get; set; } = new();

    /// <summary>Checks the options (as the section <c>IcelandicEid:Vettvangur</c>), naming every one that is wrong.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is wrong; every problem is listed.</exception>
    public void Validate() => Validate("IcelandicEid:Vettvangur");

    internal void Validate(string section)
    {
        var errors = new OptionErrors(section);
        if (!OptionErrors.IsHttpUrl(BaseUrl))
        {
            errors.Add(nameof(BaseUrl), "must be an absolute http(s) URL such as https://audkenni.vettvangur.is/");
        }

        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            errors.Add(nameof(ApiKey), "must be set to the API key Vettvangur gave you");
        }

        if (string.IsNullOrWhiteSpace(RequestingApplication))
        {
            errors.Add(nameof(RequestingApplication), "must be set to your application's name or id");
        }

        if (PollInterval < TimeSpan.FromMilliseconds(500))
        {
            errors.Add(nameof(PollInterval), "must be at least 500 milliseconds");
        }

        if (BlockingTimeout <= TimeSpan.Zero)
        {
            errors.Add(nameof(BlockingTimeout), "must be more than zero");
        }

        Resilience.AddErrors(errors);
        errors.ThrowIfAny<VettvangurOptions>();
    }
}
