using System.Text.Json;
using IcelandicEid.Http;

namespace IcelandicEid.Taktikal;

/// <summary>Taktikal's <c>AuthenticationContextType</c>.</summary>
public enum TaktikalAuthenticationContextType
{
    /// <summary>Electronic ID on the SIM, by phone number.</summary>
    Sim,

    /// <summary>The Auðkenni app, by kennitala (<c>Ssn</c>).</summary>
    App,
}

/// <summary>How much Taktikal looks up about the person on a successful poll.</summary>
public enum TaktikalLookupType
{
    /// <summary>Name and kennitala. No additional cost.</summary>
    Name,

    /// <summary>Name, kennitala and legal address. Costs extra; Taktikal's default.</summary>
    NameAddress,

    /// <summary>Name, kennitala, address, gender code and family (in <c>meta</c>). Needs special permission.</summary>
    NameAddressFamily,
}

/// <summary>The body of <c>POST /api/auth/start</c> (the flow key comes from the options unless set here).</summary>
public sealed record TaktikalStartRequest
{
    /// <summary>Sim or App.</summary>
    public required TaktikalAuthenticationContextType AuthenticationContextType { get; init; }

    /// <summary>The mobile number, for Sim.</summary>
    public string? PhoneNumber { get; init; }

    /// <summary>The kennitala, for App.</summary>
    public string? Ssn { get; init; }

    /// <summary>Ask for the verification code for Sim too (Taktikal's default is false).</summary>
    public bool IncludeVerificationCode { get; init; }

    /// <summary>Overrides <see cref="TaktikalOptions.FlowKey"/>.</summary>
    public string? FlowKey { get; init; }
}

/// <summary>The answer of <c>POST /api/auth/start</c>.</summary>
public sealed record TaktikalStartResponse
{
    /// <summary>The login's key for every poll.</summary>
    public required string AuthRequestId { get; init; }

    /// <summary>The code the person sees; empty for Sim unless asked for.</summary>
    public string? VerificationCode { get; init; }

    /// <summary>Seconds that must pass between two polls: a hard rate limit.</summary>
    public int PollingInterval { get; init; }
}

/// <summary>The person, as Taktikal's <c>customer</c> object gives it.</summary>
public sealed record TaktikalCustomer
{
    /// <summary>Full name.</summary>
    public string? Name { get; init; }

    /// <summary>Kennitala.</summary>
    public string? Ssn { get; init; }

    /// <summary>Mobile number.</summary>
    public string? PhoneNumber { get; init; }

    /// <summary>Street address (NameAddress and up).</summary>
    public string? Address { get; init; }

    /// <summary>Postal code (NameAddress and up).</summary>
    public string? PostalCode { get; init; }

    /// <summary>City (NameAddress and up).</summary>
    public string? City { get; init; }

    /// <summary>Taktikal's token for the login.</summary>
    public string? Token { get; init; }

    /// <summary>The flow key.</summary>
    public string? FlowKey { get; init; }

    /// <summary>Extra values (NameAddressFamily): <c>ParnerSsn</c> (sic), <c>FamilyNumber</c>, <c>GenderCode</c>, <c>FamilyStatus</c>.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();

    /// <summary>As the provider-neutral person; throws <see cref="Http.UpstreamFormatException"/> without name or kennitala.</summary>
    public EidPerson ToPerson() => new()
    {
        Name = string.IsNullOrWhiteSpace(Name) ? throw new Http.UpstreamFormatException("Taktikal's customer has no name.") : Name,
        NationalId = string.IsNullOrWhiteSpace(Ssn) ? throw new Http.UpstreamFormatException("Taktikal's customer has no ssn.") : Ssn,
        PhoneNumber = PhoneNumber,
        Address = Address,
        PostalCode = PostalCode,
        City = City,
        Meta = Meta,
    };

    internal static TaktikalCustomer From(JsonElement json) => new()
    {
        Name = json.String("name"),
        Ssn = json.String("ssn"),
        PhoneNumber = json.String("phoneNumber"),
        Address = json.String("address"),
        PostalCode = json.String("postalCode"),
        City = json.String("city"),
        Token = json.String("token"),
        FlowKey = json.String("flowKey"),
        Meta = json.StringMap("meta"),
    };
}

/// <summary>What a poll (or the old blocking call) came to.</summary>
public sealed record TaktikalPollResult
{
    /// <summary>Pending, succeeded or failed.</summary>
    public required EidPollStatus Status { get; init; }

    /// <summary>The person, when succeeded.</summary>
    public TaktikalCustomer? Customer { get; init; }

    /// <summary>Taktikal's <c>statusMessage</c>, or the 403 body's reason.</summary>
    public string? StatusMessage { get; init; }

    /// <summary>Why, when failed.</summary>
    public EidFailure? Failure { get; init; }
}

/// <summary>What a start came to: started, or refused with a reason.</summary>
public sealed record TaktikalStartResult
{
    /// <summary>The answer, when started.</summary>
    public TaktikalStartResponse? Response { get; init; }

    /// <summary>Why not, when refused (a 4xx answer).</summary>
    public EidFailure? Failure { get; init; }
}

/// <summary>One flow of <c>GET /api/management/flow</c>. The document does not give the schema, so the raw object is kept.</summary>
public sealed record TaktikalFlow
{
    /// <summary>The flow key (<c>flowKey</c> or <c>key</c>).</summary>
    public string? FlowKey { get; init; }

    /// <summary>The flow's name (<c>name</c> or <c>title</c>).</summary>
    public string? Name { get; init; }

    /// <summary>The object as Taktikal sent it.</summary>
    public JsonElement Raw { get; init; }
}
