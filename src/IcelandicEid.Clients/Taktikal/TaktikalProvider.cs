namespace IcelandicEid.Taktikal;

/// <summary>Icelandic eID logins through Taktikal's Auth API: start, then poll at Taktikal's <c>pollingInterval</c>.</summary>
public sealed class TaktikalProvider : IIcelandicEidProvider, IEidProviderHealth
{
    private readonly TaktikalClient _client;
    private readonly TaktikalOptions _options;

    /// <summary>Creates the provider.</summary>
    public TaktikalProvider(TaktikalClient client, TaktikalOptions options)
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
    public string Name => "Taktikal";

    /// <inheritdoc />
    public async Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = await _client.StartAsync(
            request.Method == EidMethod.Sim
                ? new TaktikalStartRequest
                {
                    AuthenticationContextType = TaktikalAuthenticationContextType.Sim,
                    PhoneNumber = request.Identifier,
                    IncludeVerificationCode = _options.IncludeVerificationCode,
                }
                : new TaktikalStartRequest { AuthenticationContextType = TaktikalAuthenticationContextType.App, Ssn = request.Identifier },
            cancellationToken);

        if (result.Response is not { } response)
        {
            var failure = result.Failure ?? new EidFailure(EidFailureReason.UpstreamError);
            return EidStartResult.Failed(failure.Reason, failure.Detail);
        }

        return EidStartResult.Started(
            response.AuthRequestId,
            response.VerificationCode,
            response.PollingInterval > 0 ? TimeSpan.FromSeconds(response.PollingInterval) : null);
    }

    /// <inheritdoc />
    public async Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = await _client.PollAsync(request.Reference, _options.LookupType, request.PollInterval, cancellationToken);
        return result.Status switch
        {
            EidPollStatus.Pending => EidPollResult.Pending,
            EidPollStatus.Succeeded => EidPollResult.Success(result.Customer!.ToPerson()),
            _ => EidPollResult.Failed(result.Failure?.Reason ?? EidFailureReason.Other, result.Failure?.Detail),
        };
    }
}
