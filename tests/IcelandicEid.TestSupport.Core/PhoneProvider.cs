using System.Globalization;
using System.Security.Cryptography;
using IcelandicEid.Simulation;

namespace IcelandicEid.Tests.Infrastructure;

/// <summary>
/// An upstream with a phone per person that a test answers by hand: what the phone shows, approve, decline. Like
/// Auðkenni (which every provider sits on) it refuses a second request for a person while one is open (<c>mssp_209</c>)
/// unless <see cref="OneOpenRequestPerPerson"/> is off, for tests of the contest rule itself. A request expires after
/// <see cref="Lifetime"/>. It cannot withdraw a request (as the real APIs cannot).
/// </summary>
public sealed class PhoneProvider(TimeProvider time) : IIcelandicEidProvider
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Request> _requests = [];
    private int _starts;

    public string Name => "Phone";

    public bool OneOpenRequestPerPerson { get; set; } = true;

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(180);

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Requests accepted, all people together.</summary>
    public int Starts => _starts;

    /// <summary>The codes of the requests open on <paramref name="identifier"/>'s phone, oldest first.</summary>
    public IReadOnlyList<string> OpenCodes(string identifier)
    {
        lock (_gate)
        {
            return [.. Open(identifier).Select(r => r.Code)];
        }
    }

    /// <summary>The person approves the open request that shows <paramref name="code"/>.</summary>
    public bool Approve(string identifier, string code) => Answer(identifier, code, RequestState.Approved);

    /// <summary>The person declines the open request that shows <paramref name="code"/>.</summary>
    public bool Decline(string identifier, string code) => Answer(identifier, code, RequestState.Declined);

    public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (OneOpenRequestPerPerson && Open(request.Identifier).Any())
            {
                return Task.FromResult(EidStartResult.Failed(EidFailureReason.AlreadyInProgress, "mssp_209"));
            }

            _starts++;
            var reference = "phone." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            var code = RandomNumberGenerator.GetInt32(0, 10_000).ToString("D4", CultureInfo.InvariantCulture);
            _requests[reference] = new Request(request.Identifier, request.Method, code, time.GetUtcNow());
            return Task.FromResult(EidStartResult.Started(reference, code, PollInterval));
        }
    }

    public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_requests.TryGetValue(request.Reference, out var r))
            {
                return Task.FromResult(EidPollResult.Failed(EidFailureReason.UpstreamError, "unknown reference"));
            }

            return Task.FromResult(StateOf(r) switch
            {
                RequestState.Approved => EidPollResult.Success(r.Method == EidMethod.Sim
                    ? SimulatorProvider.TestPerson with { PhoneNumber = null }
                    : SimulatorProvider.TestPerson with { NationalId = r.Identifier }),
                RequestState.Declined => EidPollResult.Failed(EidFailureReason.Cancelled, "mssp_401"),
                RequestState.Expired => EidPollResult.Failed(EidFailureReason.TimedOut, "mssp_208"),
                _ => EidPollResult.Pending,
            });
        }
    }

    private bool Answer(string identifier, string code, RequestState answer)
    {
        lock (_gate)
        {
            if (Open(identifier).FirstOrDefault(r => r.Code == code) is not { } request)
            {
                return false;
            }

            request.State = answer;
            return true;
        }
    }

    private IEnumerable<Request> Open(string identifier)
        => _requests.Values.Where(r => r.Identifier == identifier && StateOf(r) == RequestState.Open).OrderBy(r => r.StartedAt);

    private RequestState StateOf(Request r)
        => r.State == RequestState.Open && time.GetUtcNow() - r.StartedAt >= Lifetime ? RequestState.Expired : r.State;

    private enum RequestState
    {
        Open,
        Approved,
        Declined,
        Expired,
    }

    private sealed class Request(string identifier, EidMethod method, string code, DateTimeOffset startedAt)
    {
        public string Identifier { get; } = identifier;

        public EidMethod Method { get; } = method;

        public string Code { get; } = code;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public RequestState State { get; set; }
    }
}
