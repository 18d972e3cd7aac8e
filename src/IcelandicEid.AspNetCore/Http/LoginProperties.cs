using IcelandicEid.State;
using Microsoft.AspNetCore.Authentication;

namespace IcelandicEid.AspNetCore.Http;

/// <summary>The challenge's <see cref="AuthenticationProperties"/> as kept in a login's state.</summary>
internal static class LoginProperties
{
    public static string Serialize(AuthenticationProperties properties)
        => Convert.ToBase64String(PropertiesSerializer.Default.Serialize(properties));

    /// <summary>The login's properties; when unreadable, new ones that go to <paramref name="defaultReturnUrl"/>.</summary>
    public static AuthenticationProperties Read(EidLoginState login, string defaultReturnUrl)
    {
        if (login.Properties is not null)
        {
            try
            {
                if (PropertiesSerializer.Default.Deserialize(Convert.FromBase64String(login.Properties)) is { } properties)
                {
                    return properties;
                }
            }
            catch (FormatException)
            {
            }
        }

        return new AuthenticationProperties { RedirectUri = defaultReturnUrl };
    }
}
