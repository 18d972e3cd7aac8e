using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace IcelandicEid.AspNetCore;

/// <summary>The context of <see cref="IcelandicEidEvents.OnCreatingTicket"/>.</summary>
public class IcelandicEidCreatingTicketContext : ResultContext<IcelandicEidOptions>
{
    /// <summary>Creates the context.</summary>
    public IcelandicEidCreatingTicketContext(
        HttpContext context,
        AuthenticationScheme scheme,
        IcelandicEidOptions options,
        ClaimsPrincipal principal,
        AuthenticationProperties properties,
        EidPerson person,
        EidMethod method,
        string provider)
        : base(context, scheme, options)
    {
        Principal = principal;
        Properties = properties;
        Person = person;
        Method = method;
        ProviderName = provider;
    }

    /// <summary>The person as the upstream returned them.</summary>
    public EidPerson Person { get; }

    /// <summary>SIM or app.</summary>
    public EidMethod Method { get; }

    /// <summary>The provider's name.</summary>
    public string ProviderName { get; }

    /// <summary>The identity about to be signed in; add or remove claims here.</summary>
    public ClaimsIdentity? Identity => Principal?.Identity as ClaimsIdentity;
}

/// <summary>The context of <see cref="IcelandicEidEvents.OnLoginStarted"/>.</summary>
public class IcelandicEidLoginStartedContext : PropertiesContext<IcelandicEidOptions>
{
    /// <summary>Creates the context.</summary>
    public IcelandicEidLoginStartedContext(
        HttpContext context,
        AuthenticationScheme scheme,
        IcelandicEidOptions options,
        AuthenticationProperties properties,
        EidMethod method,
        string provider)
        : base(context, scheme, options, properties)
    {
        Method = method;
        ProviderName = provider;
    }

    /// <summary>SIM or app.</summary>
    public EidMethod Method { get; }

    /// <summary>The provider's name.</summary>
    public string ProviderName { get; }
}
