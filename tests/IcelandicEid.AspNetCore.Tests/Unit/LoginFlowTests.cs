using IcelandicEid.AspNetCore;
using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.State;
using IcelandicEid.State;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace IcelandicEid.Tests.Unit;

/// <summary>
/// One login through <see cref="LoginFlow"/> alone: start, status, finish and cancel, each a closed set of outcomes,
/// with no request, no response and no page in sight (the pages and the JSON API are adapters over this).
/// </summary>
public class LoginFlowTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly Upstream _upstream = new();
    private readonly InMemoryEidLoginStore _store;
    private readonly LoginFlow _flow;

    public LoginFlowTests()
    {
        _store = new InMemoryEidLoginStore(_time);
        _flow = FlowOver(_store);
    }

    private LoginFlow FlowOver(IEidLoginStore store)
        => new(new LoginServices(store, new InMemoryEidAbuseLimiter(_time), _upstream, new IcelandicEidMetrics(new TestMeterFactory(), _store, _time), NullLogger.Instance, new IcelandicEidOptions { Provider = "Flow" }, _time));

    private static StartInput Input(BrowserIdentity browser) => new(EidMethod.App, "2410803079", "241080-••••", string.Empty, browser, null, null, false, "is");

    [Fact]
    public async Task A_login_runs_from_start_to_a_single_sign_in()
    {
        var started = Assert.IsType<StartOutcome.Started>(await _flow.StartAsync(Input(BrowserIdentity.New()), CancellationToken.None));
        var pending = Assert.IsType<StatusOutcome.Pending>(await _flow.StatusAsync(EidLoginId.From(started.Login.Id)));
        Assert.Equal("1234", pending.Login.VerificationCode);

        _upstream.Approve = true;
        _time.Advance(started.Login.PollInterval);
        Assert.IsType<StatusOutcome.Succeeded>(await _flow.StatusAsync(EidLoginId.From(started.Login.Id)));

        var loaded = Assert.IsType<LoadOutcome.Found>(await _flow.LoadAsync(EidLoginId.From(started.Login.Id)));
        var approved = Assert.IsType<FinishOutcome.Approved>(await _flow.FinishAsync(loaded.Login));
        Assert.Equal("2410803079", approved.Person.NationalId);

        // Single use: the same login finishes once.
        Assert.IsType<FinishOutcome.Gone>(await _flow.FinishAsync(loaded.Login));
        Assert.IsType<StatusOutcome.Gone>(await _flow.StatusAsync(EidLoginId.From(started.Login.Id)));
    }

    [Fact]
    public async Task A_login_another_browser_superseded_fails_as_contested_even_when_approved()
    {
        var first = Assert.IsType<StartOutcome.Started>(await _flow.StartAsync(Input(BrowserIdentity.New()), CancellationToken.None));
        Assert.IsType<StartOutcome.Started>(await _flow.StartAsync(Input(BrowserIdentity.New()), CancellationToken.None));
        _upstream.Approve = true;
        _time.Advance(first.Login.PollInterval);
        var failed = Assert.IsType<FinishOutcome.Failed>(await _flow.FinishAsync(first.Login));
        Assert.Equal(EidFailureReason.Contested, failed.Reason);
    }

    [Fact]
    public async Task A_cancelled_login_is_gone_and_withdrawn_upstream()
    {
        var started = Assert.IsType<StartOutcome.Started>(await _flow.StartAsync(Input(BrowserIdentity.New()), CancellationToken.None));
        Assert.True(_flow.CanCancelUpstream);
        await _flow.CancelAsync(started.Login);
        Assert.IsType<LoadOutcome.Gone>(await _flow.LoadAsync(EidLoginId.From(started.Login.Id)));
        Assert.Equal(1, _upstream.Cancels);
    }

    [Fact]
    public async Task A_store_that_fails_gives_unavailable_never_an_exception()
    {
        var flow = FlowOver(new FailingStore());
        Assert.IsType<StatusOutcome.Unavailable>(await flow.StatusAsync(EidLoginId.New()));
        Assert.IsType<LoadOutcome.Unavailable>(await flow.LoadAsync(EidLoginId.New()));
    }

    private sealed class Upstream : IIcelandicEidProvider, IEidProviderCancellation
    {
        public bool Approve { get; set; }

        public int Cancels { get; private set; }

        public string Name => "Flow";

        public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
            => Task.FromResult(EidStartResult.Started("ref", "1234", TimeSpan.FromSeconds(2)));

        public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
            => Task.FromResult(Approve ? EidPollResult.Success(new EidPerson { Name = "Jón Prófari Jónsson", NationalId = "2410803079" }) : EidPollResult.Pending);

        public Task CancelAsync(EidPollRequest request, CancellationToken cancellationToken)
        {
            Cancels++;
            return Task.CompletedTask;
        }
    }

    private sealed class FailingStore : IEidLoginStore
    {
        public Task CreateAsync(EidLoginState state, CancellationToken cancellationToken) => throw new TimeoutException();

        public Task<EidLoginState?> GetAsync(string id, CancellationToken cancellationToken) => throw new TimeoutException();

        public Task<bool> TryBeginPollAsync(string id, DateTimeOffset now, DateTimeOffset nextPollAt, CancellationToken cancellationToken) => throw new TimeoutException();

        public Task UpdateAsync(EidLoginState state, CancellationToken cancellationToken) => throw new TimeoutException();

        public Task<EidLoginState?> TryConsumeAsync(string id, CancellationToken cancellationToken) => throw new TimeoutException();

        public Task RemoveAsync(string id, CancellationToken cancellationToken) => throw new TimeoutException();
    }
}
