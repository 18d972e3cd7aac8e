using System.Security.Claims;

namespace IcelandicEid.AspNetCore;

/// <summary>The claim types the handler issues.</summary>
/// <remarks>Standard <see cref="ClaimTypes"/> are used where one fits, so <c>User.Identity.Name</c> and
/// <c>User.FindFirst(ClaimTypes.NameIdentifier)</c> work as in any ASP.NET Core app.</remarks>
public static class IcelandicEidClaimTypes
{
    /// <summary>Full name (<see cref="ClaimTypes.Name"/>).</summary>
    public const string Name = ClaimTypes.Name;

    /// <summary>The kennitala as the user's identifier (<see cref="ClaimTypes.NameIdentifier"/>).</summary>
    public const string NameIdentifier = ClaimTypes.NameIdentifier;

    /// <summary>The kennitala, ten digits without a dash.</summary>
    public const string Kennitala = "urn:icelandic-eid:kennitala";

    /// <summary>The mobile number in E.164 form, <c>+3548881234</c> (<see cref="ClaimTypes.MobilePhone"/>).</summary>
    public const string PhoneNumber = ClaimTypes.MobilePhone;

    /// <summary>Legal street address (<see cref="ClaimTypes.StreetAddress"/>).</summary>
    public const string StreetAddress = ClaimTypes.StreetAddress;

    /// <summary>Postal code (<see cref="ClaimTypes.PostalCode"/>).</summary>
    public const string PostalCode = ClaimTypes.PostalCode;

    /// <summary>City or town (<see cref="ClaimTypes.Locality"/>).</summary>
    public const string City = ClaimTypes.Locality;

    /// <summary>Date of birth derived from the kennitala, <c>yyyy-MM-dd</c> (<see cref="ClaimTypes.DateOfBirth"/>).</summary>
    public const string DateOfBirth = ClaimTypes.DateOfBirth;

    /// <summary>The kennitala of the spouse or partner, from the family lookup (Taktikal's <c>ParnerSsn</c>).</summary>
    public const string PartnerKennitala = "urn:icelandic-eid:partner-kennitala";

    /// <summary>The family number (fjölskyldunúmer) from the family lookup.</summary>
    public const string FamilyNumber = "urn:icelandic-eid:family-number";

    /// <summary>The gender code from the family lookup, as Registers Iceland writes it.</summary>
    public const string GenderCode = "urn:icelandic-eid:gender-code";

    /// <summary>The family status code from the family lookup, as Registers Iceland writes it.</summary>
    public const string FamilyStatus = "urn:icelandic-eid:family-status";

    /// <summary>Prefix of claims for further <c>meta</c> keys the upstream sends: <c>urn:icelandic-eid:meta:{key}</c>.</summary>
    public const string MetaPrefix = "urn:icelandic-eid:meta:";

    /// <summary>How the person logged in: <c>sim</c> or <c>app</c> (<see cref="ClaimTypes.AuthenticationMethod"/>).</summary>
    public const string Method = ClaimTypes.AuthenticationMethod;

    /// <summary>Which upstream vouched for the person: <c>Simulator</c>, <c>Taktikal</c> or <c>Vettvangur</c>.</summary>
    public const string Provider = "urn:icelandic-eid:provider";

    /// <summary>When the person approved, ISO 8601 UTC (<see cref="ClaimTypes.AuthenticationInstant"/>).</summary>
    public const string AuthenticationTime = ClaimTypes.AuthenticationInstant;
}
