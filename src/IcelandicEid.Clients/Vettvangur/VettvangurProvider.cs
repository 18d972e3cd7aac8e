namespace IcelandicEid.Vettvangur;

/// <summary>Icelandic eID logins through Vettvangur's Audkenni API: <c>/authorize-code</c>, then <c>/authorize-status</c>.</summary>
public sealed class VettvangurProvider : IIcelandicEidProvider, IEidProviderHealth
{
    private readonly VettvangurClient _client;
    private readonly VettvangurOptions _options;

    /// <summary>Creates the provider.</summary>
    public VettvangurProvider(VettvangurClient client, VettvangurOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options;
    }

    /// <inheritdoc />
    public Task<EidUpstreamHealth> CheckHealthAsync(CancellationToken cancellationToken)
        => Http.UpstreamPipelines.CheckHealthAsync(Name, _client.IsCircuitOpen, () => _client.IsReachableAsync(TimeSpan.FromSeconds(5), cancellationToken));

    /// <inheritdoc />
    public string Name => "Vettvangur";

    /// <summary>Who is asking, in the app (the only place Vettvangur shows a message): at most 60 characters, as
    /// Auðkenni limits messages on the phone.</summary>
    private static string? AppMessage(EidStartRequest request)
    {
        if (request.Method != EidMethod.App || string.IsNullOrWhiteSpace(request.ServiceName))
        {
            return null;
        }

        var message = (request.Language == "en" ? "Log in to " : "Innskráning hjá ") + request.ServiceName.Trim();
        return message.Length <= 60 ? message : message[..59] + "…";
    }

    /// <inheritdoc />
    public async Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = await _client.AuthorizeWithCodeAsync(
            new VettvangurCodeRequest
            {
                AuthType = request.Method,
                PhoneNumberOrSsn = request.Identifier,
                Lang = request.Language,
                AppAdditionalMessage = _options.AppAdditionalMessage ?? AppMessage(request),
            },
            cancellationToken);
        if (result.Failure is { } failure || result.Response is null)
        {
            return EidStartResult.Failed(result.Failure?.Reason ?? EidFailureReason.UpstreamError, result.Failure?.Detail);
        }

        return EidStartResult.Started(result.Response.Identifier.ToString("D"), result.Response.Challenge, _options.PollInterval);
    }

    /// <inheritdoc />
    public async Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Guid.TryParse(request.Reference, out var identifier))
        {
            return EidPollResult.Failed(EidFailureReason.UpstreamError, "not a Vettvangur identifier");
        }

        var result = await _client.GetAuthorizationStatusAsync(identifier, null, request.PollInterval, cancellationToken);
        return result.Status switch
        {
            EidPollStatus.Pending => EidPollResult.Pending,
            EidPollStatus.Succeeded => EidPollResult.Success(result.UserInfo!.ToPerson()),
            _ => EidPollResult.Failed(result.Failure?.Reason ?? EidFailureReason.Other, result.Failure?.Detail),
        };
    }
}
