using System.Globalization;
using System.Security.Claims;

namespace IcelandicEid.AspNetCore;

/// <summary>Turns an approved person into claims.</summary>
internal static class EidClaimsFactory
{
    /// <summary>
    /// Builds the identity of an approved login. Throws <see cref="EidProviderException"/> if the upstream's
    /// kennitala is not a kennitala, since nothing can be trusted about such an answer.
    /// </summary>
    /// <param name="person">What the upstream returned.</param>
    /// <param name="method">SIM or app.</param>
    /// <param name="enteredIdentifier">What the person entered: the phone number for SIM is used when the upstream returns none.</param>
    /// <param name="provider">The provider's name.</param>
    /// <param name="authenticatedAt">When the upstream reported approval.</param>
    /// <param name="authenticationType">The scheme name.</param>
    /// <param name="issuer">The claims issuer.</param>
    public static ClaimsIdentity CreateIdentity(
        EidPerson person,
        EidMethod method,
        string? enteredIdentifier,
        string provider,
        DateTimeOffset authenticatedAt,
        string authenticationType,
        string issuer)
    {
        ArgumentNullException.ThrowIfNull(person);
        if (!Kennitala.TryParse(person.NationalId, out var kennitala))
        {
            throw new EidProviderException(EidFailureReason.UpstreamError, "The upstream returned a malformed kennitala.");
        }

        if (string.IsNullOrWhiteSpace(person.Name))
        {
            throw new EidProviderException(EidFailureReason.UpstreamError, "The upstream returned no name.");
        }

        var identity = new ClaimsIdentity(authenticationType, IcelandicEidClaimTypes.Name, ClaimTypes.Role);
        void Add(string type, string? value, string valueType = ClaimValueTypes.String)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                identity.AddClaim(new Claim(type, value.Trim(), valueType, issuer));
            }
        }

        Add(IcelandicEidClaimTypes.NameIdentifier, kennitala.Value);
        Add(IcelandicEidClaimTypes.Kennitala, kennitala.Value);
        Add(IcelandicEidClaimTypes.Name, person.Name);

        var phone = person.PhoneNumber;
        if (string.IsNullOrWhiteSpace(phone) && method == EidMethod.Sim)
        {
            phone = enteredIdentifier;
        }

        Add(IcelandicEidClaimTypes.PhoneNumber, IcelandicMobileNumber.TryParse(phone, out var mobile) ? mobile.E164 : phone);
        Add(IcelandicEidClaimTypes.StreetAddress, person.Address);
        Add(IcelandicEidClaimTypes.PostalCode, person.PostalCode);
        Add(IcelandicEidClaimTypes.City, person.City);
        if (!kennitala.IsLegalEntity)
        {
            Add(IcelandicEidClaimTypes.DateOfBirth, kennitala.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ClaimValueTypes.Date);
        }

        foreach (var (key, value) in person.Meta)
        {
            Add(MetaClaimType(key), value);
        }

        Add(IcelandicEidClaimTypes.Method, method == EidMethod.Sim ? "sim" : "app");
        Add(IcelandicEidClaimTypes.Provider, provider);
        Add(
            IcelandicEidClaimTypes.AuthenticationTime,
            authenticatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ClaimValueTypes.DateTime);
        return identity;
    }

    /// <summary>The claim type for an upstream <c>meta</c> key; keys are matched without regard to case, and
    /// Taktikal's misspelt <c>ParnerSsn</c> is understood.</summary>
    public static string MetaClaimType(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ToUpperInvariant() switch
        {
            "PARNERSSN" or "PARTNERSSN" => IcelandicEidClaimTypes.PartnerKennitala,
            "FAMILYNUMBER" => IcelandicEidClaimTypes.FamilyNumber,
            "GENDERCODE" => IcelandicEidClaimTypes.GenderCode,
            "FAMILYSTATUS" => IcelandicEidClaimTypes.FamilyStatus,
            _ => IcelandicEidClaimTypes.MetaPrefix + key,
        };
    }
}
