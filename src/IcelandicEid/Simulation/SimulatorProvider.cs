using System.Globalization;
using System.Security.Cryptography;

namespace IcelandicEid.Simulation;

/// <summary>How the simulator writes verification codes.</summary>
public enum VerificationCodeStyle
{
    /// <summary>Four digits, as Taktikal and Auðkenni SIM logins show.</summary>
    Digits,

    /// <summary>Four emojis, as Vettvangur shows by default.</summary>
    Emojis,
}

/// <summary>Settings of the credential-free simulator.</summary>
public sealed class SimulatorOptions
{
    /// <summary>How long after the start the simulated person answers. Default 3 seconds.</summary>
    public TimeSpan ApprovalDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The polling interval the simulator asks for. Default 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Digits or emojis. Default <see cref="VerificationCodeStyle.Digits"/>.</summary>
    public VerificationCodeStyle VerificationCodeStyle { get; set; } = VerificationCodeStyle.Digits;
}

/// <summary>
/// A provider that needs no credentials and sends nothing anywhere. Any well-formed identifier is approved after
/// <see cref="SimulatorOptions.ApprovalDelay"/> as <see cref="TestPerson"/> (for an app login, with the kennitala
/// entered); the identities in
/// <see cref="TestIdentities"/> end in the other outcomes.
/// </summary>
/// <remarks>Stateless: everything a poll needs is in the reference, so it works across server instances.</remarks>
public sealed class SimulatorProvider : IIcelandicEidProvider
{
    private static readonly string[] s_emojis =
    [
        "🐑", "🐴", "🐟", "🐳", "🦊", "🐦", "🌋", "🌊", "❄️", "🌈", "⭐", "🍀", "🚗", "⛵", "🎈", "🔔",
    ];

    private readonly SimulatorOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the simulator.</summary>
    public SimulatorProvider(SimulatorOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>The fixed person every approved simulated login signs in as (kennitala 241080-3079).</summary>
    public static EidPerson TestPerson { get; } = new()
    {
        Name = "Jón Prófari Jónsson",
        NationalId = "2410803079",
        PhoneNumber = "8881234",
        Address = "Laugavegur 1",
        PostalCode = "101",
        City = "Reykjavík",
        Meta = new Dictionary<string, string>
        {
            ["ParnerSsn"] = "0101302049",
            ["FamilyNumber"] = "2410803079",
            ["GenderCode"] = "1",
            ["FamilyStatus"] = "3",
        },
    };

    /// <summary>Identifiers that end in something other than approval: phone number or kennitala → outcome.</summary>
    public static IReadOnlyDictionary<string, SimulatedOutcome> TestIdentities { get; } = new Dictionary<string, SimulatedOutcome>
    {
        ["6100001"] = SimulatedOutcome.Cancelled,
        ["6100002"] = SimulatedOutcome.TimedOut,
        ["6100003"] = SimulatedOutcome.UpstreamError,
        ["6100004"] = SimulatedOutcome.NotFound,
        ["6100005"] = SimulatedOutcome.Blocked,
        ["6100006"] = SimulatedOutcome.AlreadyInProgress,
        ["6100009"] = SimulatedOutcome.Unavailable,
        ["0101901019"] = SimulatedOutcome.Cancelled,
        ["0101901029"] = SimulatedOutcome.TimedOut,
        ["0101901039"] = SimulatedOutcome.UpstreamError,
        ["0101901049"] = SimulatedOutcome.NotFound,
        ["0101901059"] = SimulatedOutcome.Blocked,
        ["0101901069"] = SimulatedOutcome.AlreadyInProgress,
        ["0101901079"] = SimulatedOutcome.OtherPerson,
        ["0101901099"] = SimulatedOutcome.Unavailable,
    };

    /// <inheritdoc />
    public string Name => "Simulator";

    /// <inheritdoc />
    public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        var outcome = TestIdentities.TryGetValue(request.Identifier, out var o) ? o : SimulatedOutcome.Approved;
        switch (outcome)
        {
            case SimulatedOutcome.Unavailable:
                throw new EidProviderException(EidFailureReason.Unavailable, "The simulated upstream is unavailable.");
            case SimulatedOutcome.NotFound:
                return Task.FromResult(EidStartResult.Failed(EidFailureReason.NotFound, "mssp_105"));
            case SimulatedOutcome.AlreadyInProgress:
                return Task.FromResult(EidStartResult.Failed(EidFailureReason.AlreadyInProgress, "mssp_209"));
        }

        // The reference stays on the server (never sent to the browser); an app login carries the kennitala so that
        // the approval can name the person it was started for, as the real upstreams do.
        var startedAt = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var person = request.Method == EidMethod.App && outcome == SimulatedOutcome.Approved ? request.Identifier : "-";
        var reference = string.Create(
            CultureInfo.InvariantCulture,
            $"sim.{(int)outcome}.{startedAt}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.{person}");
        return Task.FromResult(EidStartResult.Started(reference, CreateCode(), _options.PollInterval));
    }

    /// <inheritdoc />
    public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        var parts = request.Reference.Split('.');
        if (parts.Length != 5 || parts[0] != "sim"
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var outcomeValue)
            || !Enum.IsDefined((SimulatedOutcome)outcomeValue)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var startedAt))
        {
            return Task.FromResult(EidPollResult.Failed(EidFailureReason.UpstreamError, "unknown simulator reference"));
        }

        var elapsed = _timeProvider.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(startedAt);
        if (elapsed < _options.ApprovalDelay)
        {
            return Task.FromResult(EidPollResult.Pending);
        }

        return Task.FromResult((SimulatedOutcome)outcomeValue switch
        {
            SimulatedOutcome.Approved => EidPollResult.Success(
                request.Method == EidMethod.Sim ? TestPerson with { PhoneNumber = null }
                : parts[4].Length == 10 ? TestPerson with { NationalId = parts[4] } : TestPerson),
            SimulatedOutcome.OtherPerson => EidPollResult.Success(TestPerson),
            SimulatedOutcome.Cancelled => EidPollResult.Failed(EidFailureReason.Cancelled, "mssp_401"),
            SimulatedOutcome.TimedOut => EidPollResult.Failed(EidFailureReason.TimedOut, "mssp_208"),
            SimulatedOutcome.Blocked => EidPollResult.Failed(EidFailureReason.Blocked, "mssp_402"),
            _ => EidPollResult.Failed(EidFailureReason.UpstreamError, "simulated upstream error"),
        });
    }

    private string CreateCode()
    {
        if (_options.VerificationCodeStyle == VerificationCodeStyle.Emojis)
        {
            return string.Concat(Enumerable.Range(0, 4).Select(_ => s_emojis[RandomNumberGenerator.GetInt32(s_emojis.Length)]));
        }

        return RandomNumberGenerator.GetInt32(0, 10_000).ToString("D4", CultureInfo.InvariantCulture);
    }
}

/// <summary>What the simulator does with an identifier.</summary>
public enum SimulatedOutcome
{
    /// <summary>Approved as <see cref="SimulatorProvider.TestPerson"/> after the approval delay.</summary>
    Approved,

    /// <summary>The person cancels on the phone.</summary>
    Cancelled,

    /// <summary>The phone does not answer in time.</summary>
    TimedOut,

    /// <summary>The upstream reports an error while polling.</summary>
    UpstreamError,

    /// <summary>The start is refused: no electronic ID for that identifier.</summary>
    NotFound,

    /// <summary>The person's PIN is blocked.</summary>
    Blocked,

    /// <summary>The upstream cannot be reached at the start.</summary>
    Unavailable,

    /// <summary>The start is refused: a request for this person is already open on the phone (<c>mssp_209</c>).</summary>
    AlreadyInProgress,

    /// <summary>Approved, but as <see cref="SimulatorProvider.TestPerson"/> whatever kennitala was entered: the
    /// upstream vouches for someone else.</summary>
    OtherPerson,
}
