using Microsoft.Extensions.Options;

namespace IcelandicEid.Http;

/// <summary>
/// Every problem with one provider's options, each naming its full configuration key (<c>IcelandicEid:{name}:{option}</c>),
/// reported together in one <see cref="OptionsValidationException"/>: the one way all three providers report bad options,
/// whether the app starts or a client is made by hand.
/// </summary>
internal sealed class OptionErrors(string section)
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Adds a problem: <c>{section}:{option} {why}.</c></summary>
    public void Add(string option, string why) => _errors.Add($"{section}:{option} {why}.");

    /// <summary>Throws, naming every problem, when there is any.</summary>
    public void ThrowIfAny<TOptions>()
    {
        if (_errors.Count > 0)
        {
            throw new OptionsValidationException(section, typeof(TOptions), _errors);
        }
    }

    /// <summary>Whether <paramref name="url"/> is an absolute http or https URL.</summary>
    public static bool IsHttpUrl(Uri? url)
        => url is { IsAbsoluteUri: true } && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp);
}
