using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using IcelandicEid.AspNetCore.Ui;
using Microsoft.AspNetCore.DataProtection;

namespace IcelandicEid.AspNetCore.Endpoints;

/// <summary>
/// What a failure page says, apart from its language: why the login ended (and by which method, where that changes the
/// words), or that a start was refused for a while (what was limited, until when). It travels, protected and
/// time-limited, in the failure page's language switch, so that the page in the other language says the same thing
/// instead of landing on an empty form.
/// </summary>
internal sealed record FailureView(
    [property: JsonPropertyName("w")] string What,
    [property: JsonPropertyName("r")] EidFailureReason? Reason = null,
    [property: JsonPropertyName("m")] EidMethod? Method = null,
    [property: JsonPropertyName("l")] string? Limit = null,
    [property: JsonPropertyName("u")] long? UntilUnix = null)
{
    private const string Purpose = "IcelandicEid.FailureView";

    /// <summary>How long a failure page's language switch works.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    public static FailureView Of(EidFailureReason reason, EidMethod? method = null) => new("reason", reason, method);

    public static FailureView TooMany(string limit, EidMethod? method, DateTimeOffset until) => new("too-many", null, method, limit, until.ToUnixTimeSeconds());

    public static FailureView Pending(DateTimeOffset until) => new("pending", EidFailureReason.AlreadyInProgress, null, null, until.ToUnixTimeSeconds());

    public static FailureView Expired { get; } = new("expired");

    public static FailureView FormExpired { get; } = new("form-expired");

    public static FailureView NotSecure { get; } = new("not-secure");

    /// <summary>A refused start whose wait is this long gets no "try again": it could not work.</summary>
    private static readonly TimeSpan s_retryableWait = TimeSpan.FromSeconds(60);

    /// <summary>The title, the message, whether it is an error (red, an alert) or something to wait out or act on
    /// (quiet), and whether "try again" can work now.</summary>
    public (string Title, string Message, bool Error, bool CanRetry) Describe(IcelandicEidTexts t, DateTimeOffset now)
    {
        var wait = UntilUnix is { } until ? TimeSpan.FromSeconds(Math.Max(1, until - now.ToUnixTimeSeconds())) : TimeSpan.Zero;
        return What switch
        {
            "too-many" => (t.TitleTooMany, t.TooMany(Limit ?? "identifier", Method, wait), false, wait <= s_retryableWait),
            "pending" => (t.TitleLoginPending, string.Format(CultureInfo.InvariantCulture, t.FailureLoginPending, t.FormatWait(wait)), false, true),
            "expired" => (t.TitleExpired, t.FailureExpired, false, true),
            "form-expired" => (t.TitleExpired, t.FormExpired, false, true),
            "not-secure" => (t.FailureTitle, t.FailureNotSecure, true, false),
            _ => (t.TitleFor(Reason), t.ForFailure(Reason ?? EidFailureReason.Other, Method), !IsQuiet(Reason), true),
        };
    }

    /// <summary>A person's own cancel, a wait they can sit out, a login that goes on elsewhere: not errors.</summary>
    private static bool IsQuiet(EidFailureReason? reason)
        => reason is EidFailureReason.Cancelled or EidFailureReason.TimedOut or EidFailureReason.Contested or EidFailureReason.AlreadyInProgress;

    public string Protect(IDataProtectionProvider provider, string scheme, string? state, DateTimeOffset now)
        => Protector(provider, scheme).Protect(JsonSerializer.Serialize(new Envelope(this, state, (now + Lifetime).ToUnixTimeSeconds())));

    /// <summary>The view and the challenge state a switch carries; null when forged, foreign or older than
    /// <see cref="Lifetime"/> on the handler's clock.</summary>
    public static (FailureView View, string? State)? Unprotect(IDataProtectionProvider provider, string scheme, string value, DateTimeOffset now)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>(Protector(provider, scheme).Unprotect(value));
            return envelope?.View is { } view && envelope.ExpiresUnix > now.ToUnixTimeSeconds() ? (view, envelope.State) : null;
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    private static IDataProtector Protector(IDataProtectionProvider provider, string scheme) => provider.CreateProtector(Purpose, scheme, "v1");

    private sealed record Envelope(
        [property: JsonPropertyName("v")] FailureView View,
        [property: JsonPropertyName("s")] string? State,
        [property: JsonPropertyName("e")] long ExpiresUnix);
}
