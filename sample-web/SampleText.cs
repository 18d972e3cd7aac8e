using System.Globalization;

namespace SampleWeb;

/// <summary>The sample's own words, in Icelandic and English: the language the person chose on the login pages (or
/// their browser's), as request localization set it.</summary>
public static class SampleText
{
    private static readonly Dictionary<string, (string Is, string En)> s_words = new(StringComparer.Ordinal)
    {
        ["Home"] = ("Forsíða", "Home"),
        ["Profile"] = ("Mínar upplýsingar", "Profile"),
        ["SignOut"] = ("Skrá út", "Sign out"),
        ["Skip"] = ("Fara beint í efni", "Skip to content"),
        ["Title"] = ("Mínar síður Sýnibæjar", "Sýnibær's service pages"),
        ["SignedInAs"] = ("Þú ert skráð(ur) inn sem", "You are signed in as"),
        ["SeeProfile"] = ("Sjá upplýsingarnar þínar", "See your profile"),
        ["Public"] = ("Þessi síða er öllum opin. Til að sjá upplýsingarnar þínar þarf að skrá sig inn með rafrænum skilríkjum.", "This page is public. Your profile needs a login with electronic ID."),
        ["LogIn"] = ("Skrá inn með rafrænum skilríkjum", "Log in with electronic ID"),
        ["Simulator"] = ("Sýnidæmið notar hermi: hvert gilt farsímanúmer eða kennitala er samþykkt eftir nokkrar sekúndur.", "The sample runs the simulator: any well-formed mobile number or kennitala is approved after a few seconds."),
        ["ProfileLead"] = ("Innskráð(ur):", "Signed in as"),
        ["ClaimType"] = ("Tegund", "Claim type"),
        ["Value"] = ("Gildi", "Value"),
        ["OtherLanguage"] = ("English", "Íslenska"),
    };

    /// <summary>Whether the page is in English.</summary>
    public static bool English => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    /// <summary>The page's language code.</summary>
    public static string Language => English ? "en" : "is";

    /// <summary>The other language's code.</summary>
    public static string OtherLanguage => English ? "is" : "en";

    /// <summary>The words for <paramref name="key"/> in the page's language.</summary>
    public static string Get(string key) => s_words.TryGetValue(key, out var words) ? (English ? words.En : words.Is) : key;
}
