namespace IcelandicEid.AspNetCore.Ui;

/// <summary>
/// The words of the login pages and of the JSON API's messages, per language: one service both share, so a page and
/// an app's own script say the same thing. Registered by <c>AddIcelandicEid()</c>; register your own before it (or
/// replace it) to change the wording, for example <c>IcelandicEidTexts.English with { ... }</c>.
/// </summary>
public interface IIcelandicEidTextProvider
{
    /// <summary>The texts for a language.</summary>
    /// <param name="language">The person's language as chosen on the pages: <c>is</c> or <c>en</c>.</param>
    /// <returns>The texts; Icelandic for a language it does not have.</returns>
    IcelandicEidTexts GetTexts(string language);
}

/// <summary>The built-in Icelandic and English texts.</summary>
internal sealed class DefaultIcelandicEidTextProvider : IIcelandicEidTextProvider
{
    public IcelandicEidTexts GetTexts(string language) => language == "en" ? IcelandicEidTexts.English : IcelandicEidTexts.Icelandic;
}
