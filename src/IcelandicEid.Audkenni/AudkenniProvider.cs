using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IcelandicEid.Audkenni;

/// <summary>
/// The provider named <c>Audkenni</c>: Auðkenni's own API with no middleman. A start fills the tree with a random hash
/// (the phone shows the code computed from it, and so does the page); the login's authId, session cookies and hash
/// travel in its reference, which stays on the server (encrypted in the store), so any instance can poll it. When the
/// person has approved, the poll finishes the OIDC flow and returns the person only if everything verifies.
/// </summary>
internal sealed class AudkenniProvider(AudkenniClient client, AudkenniOptions options) : IIcelandicEidProvider
{
    public string Name => "Audkenni";

    public async Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hash = Convert.ToBase64String(AudkenniVerificationCode.NewHash());
        // With the confirmation prompt on, the message callback carries the long message (up to 200 characters).
        var message = options.ConfirmMessage && options.LongMessage is { } longMessage ? longMessage : options.Message ?? PhoneMessage(request);
        var started = await client.StartAsync(request.Method, request.Identifier, message, hash, cancellationToken);
        if (started.Failure is { } failure)
        {
            return EidStartResult.Failed(failure, started.Detail);
        }

        var reference = new Reference(started.AuthId!, started.Cookies!, hash);
        return EidStartResult.Started(reference.Encode(), AudkenniVerificationCode.ComputeFromBase64(hash), options.PollInterval);
    }

    public async Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Reference.Decode(request.Reference) is not { } reference)
        {
            return EidPollResult.Failed(EidFailureReason.UpstreamError, "unreadable reference");
        }

        var poll = await client.PollAsync(reference.AuthId, reference.Cookies, cancellationToken);
        switch (poll.Status)
        {
            case EidPollStatus.Pending:
                return EidPollResult.Pending;
            case EidPollStatus.Failed:
                return EidPollResult.Failed(poll.Failure ?? EidFailureReason.Other, poll.Detail);
        }

        var result = await client.FinishAsync(request.Method, poll.Cookies, reference.Hash, cancellationToken);
        return result.Person is { } person ? EidPollResult.Success(person) : EidPollResult.Failed(result.Failure ?? EidFailureReason.NotVerified, result.Detail);
    }

    /// <summary>Who is asking, in the person's language, at most 60 characters.</summary>
    private static string PhoneMessage(EidStartRequest request)
    {
        var lead = request.Language == "en" ? "Log in to " : "Innskráning hjá ";
        if (string.IsNullOrWhiteSpace(request.ServiceName))
        {
            return request.Language == "en" ? "Log in" : "Innskráning";
        }

        var message = (lead + request.ServiceName.Trim()).ReplaceLineEndings(" ");
        return message.Length <= 60 ? message : message[..59] + "…";
    }

    /// <summary>What a login needs between calls; base64url JSON, kept server-side only.</summary>
    private sealed record Reference(
        [property: JsonPropertyName("a")] string AuthId,
        [property: JsonPropertyName("c")] string Cookies,
        [property: JsonPropertyName("h")] string Hash)
    {
        public string Encode() => System.Buffers.Text.Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this));

        public static Reference? Decode(string value)
        {
            try
            {
                return JsonSerializer.Deserialize<Reference>(System.Buffers.Text.Base64Url.DecodeFromChars(value));
            }
            catch (Exception ex) when (ex is FormatException or JsonException)
            {
                return null;
            }
        }
    }
}
