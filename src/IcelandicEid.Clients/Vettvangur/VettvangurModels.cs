using System.Text.Json;
using IcelandicEid.Http;

namespace IcelandicEid.Vettvangur;

/// <summary>Where the API key goes. The document's text and its curl examples disagree.</summary>
public enum VettvangurApiKeyHeader
{
    /// <summary><c>Authorization: apiKey &lt;key&gt;</c>, as the document's text says. The default.</summary>
    Authorization,

    /// <summary>A header named <c>apiKey</c>, as the document's curl examples send.</summary>
    ApiKeyHeader,
}

/// <summary>The HTTP method of the status endpoints. The document says POST; its curl examples send GET with a JSON body.</summary>
public enum VettvangurStatusMethod
{
    /// <summary>POST, as documented. The default.</summary>
    Post,

    /// <summary>GET with a JSON body, as the curl examples do.</summary>
    Get,
}

/// <summary>The body of <c>/authorize-code</c> (requestingApplication comes from the options).</summary>
public sealed record VettvangurCodeRequest
{
    /// <summary><c>sim</c> or <c>app</c>.</summary>
    public required EidMethod AuthType { get; init; }

    /// <summary>The phone number (sim) or kennitala (app).</summary>
    public required string PhoneNumberOrSsn { get; init; }

    /// <summary>A challenge of your own (sim only); Vettvangur makes one if not given.</summary>
    public string? Challenge { get; init; }

    /// <summary>Emoji challenge instead of digits; the API's default is true.</summary>
    public bool? UseEmojiChallenge { get; init; }

    /// <summary>Text before the challenge on a SIM phone.</summary>
    public string? SimChallengePrefix { get; init; }

    /// <summary>Extra message shown in the app.</summary>
    public string? AppAdditionalMessage { get; init; }

    /// <summary>Language code, <c>is</c> by default.</summary>
    public string? Lang { get; init; }
}

/// <summary>The answer of <c>/authorize-code</c>.</summary>
public sealed record VettvangurCodeResponse
{
    /// <summary>The login's id for the status endpoints.</summary>
    public Guid Identifier { get; init; }

    /// <summary>Four digits or four emojis.</summary>
    public string? Challenge { get; init; }

    /// <summary>Only used for app logins.</summary>
    public string? ChallengeHash { get; init; }

    /// <summary><c>sim</c> or <c>app</c>.</summary>
    public string? AuthType { get; init; }

    /// <summary>The requesting application.</summary>
    public string? RequestingApplication { get; init; }

    /// <summary>An error message, if any.</summary>
    public string? Error { get; init; }

    internal static VettvangurCodeResponse From(JsonElement json) => new()
    {
        Identifier = Guid.TryParse(json.String("identifier"), out var id) ? id : Guid.Empty,
        Challenge = json.String("challenge"),
        ChallengeHash = json.String("challengeHash"),
        AuthType = json.String("authType"),
        RequestingApplication = json.String("requestingApplication"),
        Error = json.String("error"),
    };
}

/// <summary>What <c>/authorize-code</c> came to.</summary>
public sealed record VettvangurCodeResult
{
    /// <summary>The answer, when started.</summary>
    public VettvangurCodeResponse? Response { get; init; }

    /// <summary>Why not, when refused.</summary>
    public EidFailure? Failure { get; init; }
}

/// <summary>The body of <c>/authorize-simple</c>.</summary>
public sealed record VettvangurSimpleRequest
{
    /// <summary><c>sim</c> or <c>app</c>.</summary>
    public required EidMethod AuthType { get; init; }

    /// <summary>The phone number (sim) or kennitala (app).</summary>
    public required string PhoneNumberOrSsn { get; init; }

    /// <summary>A challenge or message shown on the phone.</summary>
    public string? ChallengeOrMessage { get; init; }

    /// <summary>Language code, <c>is</c> by default.</summary>
    public string? Lang { get; init; }
}

/// <summary>Vettvangur's <c>userInfo</c>: only name and kennitala.</summary>
public sealed record VettvangurUserInfo
{
    /// <summary>Full name.</summary>
    public string? Name { get; init; }

    /// <summary>Kennitala.</summary>
    public string? Ssn { get; init; }

    /// <summary>As the provider-neutral person; throws <see cref="UpstreamFormatException"/> without name or kennitala.</summary>
    public EidPerson ToPerson() => new()
    {
        Name = string.IsNullOrWhiteSpace(Name) ? throw new UpstreamFormatException("Vettvangur's userInfo has no name.") : Name,
        NationalId = string.IsNullOrWhiteSpace(Ssn) ? throw new UpstreamFormatException("Vettvangur's userInfo has no ssn.") : Ssn,
    };

    internal static VettvangurUserInfo? From(JsonElement json)
        => json.Property("userInfo") is { ValueKind: JsonValueKind.Object } info
            ? new VettvangurUserInfo { Name = info.String("name"), Ssn = info.String("ssn") }
            : null;
}

/// <summary>What a status call (or <c>/authorize-simple</c>) came to.</summary>
public sealed record VettvangurStatusResult
{
    /// <summary>Pending, succeeded or failed.</summary>
    public required EidPollStatus Status { get; init; }

    /// <summary><c>finishedPendingUser</c>: true when succeeded.</summary>
    public bool FinishedPendingUser { get; init; }

    /// <summary>The person, when succeeded.</summary>
    public VettvangurUserInfo? UserInfo { get; init; }

    /// <summary>Vettvangur's <c>error</c>.</summary>
    public string? Error { get; init; }

    /// <summary>Why, when failed.</summary>
    public EidFailure? Failure { get; init; }
}
