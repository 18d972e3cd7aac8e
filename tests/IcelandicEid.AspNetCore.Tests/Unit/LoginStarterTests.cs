using System.Net;
using IcelandicEid.AspNetCore;
using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.Http;
using IcelandicEid.AspNetCore.State;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using IcelandicEid.State;

namespace IcelandicEid.Tests.Unit;

/// <summary>Starting a login as a unit: the store, the limiter, the clock and the upstream are in-memory fakes; no
/// server and no HTTP.</summary>
public class LoginStarterTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly IDataProtector _protector = new EphemeralDataProtectionProvider().CreateProtector("browser");
    private readonly ScriptedProvider _upstream = new();
    private readonly InMemoryEidLoginStore _store;
    private readonly LoginServices _services;

    public LoginStarterTests()
    {
        _store = new InMemoryEidLoginStore(_time);
        var options = new IcelandicEidOptions { Provider = "Scripted" };
        options.Limits.StartsPerIdentifier = 2;
        options.Limits.StartsPerIdentifierAllNetworks = 3;
        _services = new LoginServices(_store, new InMemoryEidAbuseLimiter(_time), _upstream, new IcelandicEidMetrics(new TestMeterFactory(), _store, _time), NullLogger.Instance, options, _time);
    }

    private BrowserIdentity NewBrowser() => BrowserCookie.Read(new DefaultHttpContext(), _protector, "b");

    /// <summary>The login a start made (the test fails when the start ended otherwise).</summary>
    private static EidLoginState Started(StartOutcome outcome) => Assert.IsType<StartOutcome.Started>(outcome).Login;

    /// <summary>The same browser on its next request: its cookie read back.</summary>
    private BrowserIdentity Again(BrowserIdentity browser)
    {
        var written = new DefaultHttpContext();
        BrowserCookie.Write(written, _protector, "b", browser, new CookieOptions());
        var next = new DefaultHttpContext();
        next.Request.Headers.Cookie = written.Response.Headers.SetCookie.ToString().Split(';')[0];
        return BrowserCookie.Read(next, _protector, "b");
    }

    private Task<StartOutcome> StartAsync(BrowserIdentity browser, string phone = "+3548881234", string? own = null, string address = "192.0.2.1")
        => new LoginStarter(_services).StartAsync(
            new StartInput(EidMethod.Sim, phone, "888 ••34", LoginProperties.Serialize(new AuthenticationProperties { RedirectUri = "/profile" }), browser, IPAddress.Parse(address), own is null ? null : EidLoginId.From(own), false, "is"),
            CancellationToken.None);

    [Fact]
    public async Task A_start_creates_the_login_with_the_upstreams_code_interval_and_the_return_url()
    {
        _upstream.Interval = TimeSpan.FromMilliseconds(200); // below the minimum: raised to it
        var outcome = await StartAsync(NewBrowser());
        var login = await _store.GetAsync(Started(outcome).Id, CancellationToken.None);
        Assert.Equal(("ref-1", "1234", TimeSpan.FromSeconds(1)), (login!.Reference, login.VerificationCode, login.PollInterval));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(180), login.ExpiresAt);
        Assert.Equal("/profile", LoginProperties.Read(login, "/").RedirectUri);
    }

    [Fact]
    public async Task The_browsers_own_pending_login_is_resumed_without_asking_the_upstream()
    {
        var browser = NewBrowser();
        var first = await StartAsync(browser);
        var again = await StartAsync(Again(browser), own: Started(first).Id);
        Assert.Equal(Started(first).Id, Assert.IsType<StartOutcome.Resumed>(again).Login.Id);
        Assert.Equal(1, _upstream.Starts);
    }

    [Fact]
    public async Task Only_starts_that_reached_the_upstream_spend_the_budget()
    {
        _upstream.Throw = new EidProviderException(EidFailureReason.Unavailable, "down");
        for (var i = 0; i < 5; i++)
        {
            var failed = await StartAsync(NewBrowser());
            Assert.Equal(new StartOutcome.Failed(EidFailureReason.Unavailable), failed);
        }

        _upstream.Throw = null;
        // 2 from anywhere, then this network's own (2), capped at 3 across all networks: the five failures cost nothing.
        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<StartOutcome.Started>(await StartAsync(NewBrowser()));
        }

        var limited = await StartAsync(NewBrowser());
        var spent = Assert.IsType<StartOutcome.Limited>(limited);
        Assert.Equal("identifier-all-networks", spent.Limit);
        Assert.InRange(spent.Wait, TimeSpan.FromSeconds(1), _services.Options.Limits.Window);
        Assert.Equal(8, _upstream.Starts);
    }

    [Fact]
    public async Task A_start_from_another_browser_contests_the_first_which_is_no_longer_current()
    {
        var first = await StartAsync(NewBrowser());
        Assert.True(await _services.Rules.IsCurrentAsync("+3548881234", Started(first).Id, null, CancellationToken.None));
        var second = await StartAsync(NewBrowser());
        Assert.False(await _services.Rules.IsCurrentAsync("+3548881234", Started(first).Id, null, CancellationToken.None));
        Assert.True(await _services.Rules.IsCurrentAsync("+3548881234", Started(second).Id, null, CancellationToken.None));
    }

    [Fact]
    public async Task A_started_login_needs_no_marker_read_at_its_first_poll_and_later_reads_it_with_the_lease()
    {
        var limiter = new CountingLimiter(new InMemoryEidAbuseLimiter(_time));
        var services = new LoginServices(_store, limiter, _upstream, new IcelandicEidMetrics(new TestMeterFactory(), _store, _time), NullLogger.Instance, _services.Options, _time);
        var login = Started(await new LoginStarter(services).StartAsync(
            new StartInput(EidMethod.Sim, "+3548881234", "888 ••34", LoginProperties.Serialize(new AuthenticationProperties()), NewBrowser(), null, null, false, "is"),
            CancellationToken.None));
        var poller = new LoginPoller(services);
        var atStart = limiter.Reads; // the start read the marker once, for the contest rule

        // The start made it current: the first poll (one interval later) asks nobody whether it still is.
        _time.Advance(login.PollInterval);
        Assert.Null(services.Contest.ProbeIfDue(login.Id));
        var polled = await poller.PollWithLeaseAsync(login with { NextPollAt = _time.GetUtcNow() + login.PollInterval });
        Assert.Equal((EidLoginStatus.Pending, 0), (polled.Status, limiter.Reads - atStart));

        // Once that has gone stale, the read that takes the next lease reads the marker with it, and the poll uses it.
        _time.Advance(CurrentLoginCache.Freshness);
        var probe = services.Contest.ProbeIfDue(login.Id);
        Assert.NotNull(probe);
        Assert.Equal(1, limiter.Reads - atStart);
        polled = await poller.PollWithLeaseAsync(polled with { NextPollAt = _time.GetUtcNow() + login.PollInterval }, probe);
        Assert.Equal((EidLoginStatus.Pending, 1), (polled.Status, limiter.Reads - atStart));
        Assert.True(services.Contest.IsFresh(login.Id));
    }

    [Fact]
    public async Task The_marker_is_read_with_the_poll_the_lease_allows_not_sooner()
    {
        _upstream.Interval = TimeSpan.FromSeconds(6); // longer than the freshness: the marker goes stale before each poll
        var login = Started(await StartAsync(NewBrowser()));
        var poller = new LoginPoller(_services);

        _time.Advance(TimeSpan.FromSeconds(6));
        var probe = _services.Contest.ProbeIfDue(login.Id);
        Assert.NotNull(probe);
        var lease = _time.GetUtcNow() + login.PollInterval + PollTransitions.LeaseGuard;
        var polled = await poller.PollWithLeaseAsync(login with { NextPollAt = lease }, probe);
        Assert.Equal(lease, polled.NextPollAt); // a quick quiet poll: the lease is the next poll time

        // Past one interval but inside the lease no poll can happen, so no marker is read for one.
        _time.Advance(login.PollInterval + TimeSpan.FromMilliseconds(200));
        Assert.Null(_services.Contest.ProbeIfDue(login.Id));
        _time.Advance(PollTransitions.LeaseGuard);
        Assert.NotNull(_services.Contest.ProbeIfDue(login.Id));
    }

    [Fact]
    public async Task A_marker_read_with_the_lease_fails_a_contested_login_but_an_approval_reads_the_marker_again()
    {
        var first = Started(await StartAsync(NewBrowser()));
        await StartAsync(NewBrowser()); // another browser: the first is contested
        var poller = new LoginPoller(_services);

        // Still pending upstream: the probe read with the lease says it is no longer current.
        _time.Advance(CurrentLoginCache.Freshness);
        var probe = _services.Contest.ProbeIfDue(first.Id);
        Assert.NotNull(probe);
        var polled = await poller.PollWithLeaseAsync(first with { NextPollAt = _time.GetUtcNow() + first.PollInterval }, probe);
        Assert.Equal((EidLoginStatus.Failed, EidFailureReason.Contested), (polled.Status, polled.FailureReason));

        // Approved upstream: an earlier answer that it was current does not count; the marker is read again.
        _upstream.Approve = true;
        polled = await poller.PollWithLeaseAsync(first with { NextPollAt = _time.GetUtcNow() + first.PollInterval }, Task.FromResult<bool?>(true));
        Assert.Equal((EidLoginStatus.Failed, EidFailureReason.Contested, null), (polled.Status, polled.FailureReason, polled.Person));
    }

    [Fact]
    public async Task A_store_told_of_contests_hears_of_the_superseded_login_and_its_polls_ask_the_marker_only_to_back_that_up()
    {
        var store = new TellingStore(new InMemoryEidLoginStore(_time));
        var limiter = new CountingLimiter(new InMemoryEidAbuseLimiter(_time));
        var services = new LoginServices(store, limiter, _upstream, new IcelandicEidMetrics(new TestMeterFactory(), store, _time), NullLogger.Instance, _services.Options, _time);
        StartInput Input() => new(EidMethod.Sim, "+3548881234", "888 ••34", LoginProperties.Serialize(new AuthenticationProperties()), NewBrowser(), null, null, false, "is");
        var first = Started(await new LoginStarter(services).StartAsync(Input(), CancellationToken.None));
        var poller = new LoginPoller(services);
        var atStart = limiter.Reads;

        // Past the usual freshness the marker is not read: the store hears of a contest from the start that makes it.
        _time.Advance(CurrentLoginCache.Freshness + first.PollInterval);
        Assert.Null(services.Contest.ProbeIfDue(first.Id));
        var polled = await poller.PollWithLeaseAsync(first with { NextPollAt = _time.GetUtcNow() + first.PollInterval });
        Assert.Equal((EidLoginStatus.Pending, 0), (polled.Status, limiter.Reads - atStart));

        // It is still read now and then, in case that word was lost.
        _time.Advance(CurrentLoginCache.FreshnessWithStoreNotice);
        Assert.NotNull(services.Contest.ProbeIfDue(first.Id));

        var second = Started(await new LoginStarter(services).StartAsync(Input(), CancellationToken.None));
        Assert.Equal([EidLoginId.KeyOf(first.Id)], store.Contested);
        Assert.NotEqual(first.Id, second.Id);
    }

    [Fact]
    public async Task An_upstream_request_already_open_gives_the_whole_lifetime_as_the_wait_not_when_the_open_one_began()
    {
        var first = await StartAsync(NewBrowser());
        _time.Advance(TimeSpan.FromSeconds(30));
        _upstream.Refuse = EidFailureReason.AlreadyInProgress;
        var outcome = await StartAsync(NewBrowser());
        Assert.Equal(new StartOutcome.InProgress(TimeSpan.FromSeconds(180)), outcome); // not 150: what was left of the first, so when it began

        // The refused start contests nobody: the open request's login is still its identifier's current one.
        Assert.True(await _services.Rules.IsCurrentAsync("+3548881234", Started(first).Id, null, CancellationToken.None));
    }

    [Fact]
    public async Task A_full_store_refuses_before_anything_is_counted_or_sent()
    {
        var store = new InMemoryEidLoginStore(_time) { MaxEntries = 1 };
        var services = new LoginServices(store, new InMemoryEidAbuseLimiter(_time), _upstream, new IcelandicEidMetrics(new TestMeterFactory(), store, _time), NullLogger.Instance, new IcelandicEidOptions { Provider = "Scripted" }, _time);
        var input = new StartInput(EidMethod.Sim, "+3548881234", "888 ••34", LoginProperties.Serialize(new AuthenticationProperties()), NewBrowser(), null, null, false, "is");
        Assert.IsType<StartOutcome.Started>(await new LoginStarter(services).StartAsync(input, CancellationToken.None));
        Assert.IsType<StartOutcome.Unavailable>(await new LoginStarter(services).StartAsync(input with { Identifier = "+3547771234", Browser = NewBrowser() }, CancellationToken.None));
        Assert.Equal(1, _upstream.Starts);
    }

    private sealed class ScriptedProvider : IIcelandicEidProvider
    {
        public int Starts { get; private set; }

        public Exception? Throw { get; set; }

        public EidFailureReason? Refuse { get; set; }

        public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

        public string Name => "Scripted";

        public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
        {
            Starts++;
            if (Throw is not null)
            {
                throw Throw;
            }

            return Task.FromResult(Refuse is { } reason
                ? EidStartResult.Failed(reason, "scripted")
                : EidStartResult.Started("ref-" + Starts, "1234", Interval));
        }

        public bool Approve { get; set; }

        public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
            => Task.FromResult(Approve ? EidPollResult.Success(new EidPerson { Name = "Jón", NationalId = "2410803079" }) : EidPollResult.Pending);
    }

    /// <summary>Counts the reads of a limiter value (the contest marker).</summary>
    /// <summary>A store that hears of contests (as the Redis store does) and records what it heard.</summary>
    private sealed class TellingStore(InMemoryEidLoginStore inner) : IEidLoginStore, IEidContestedLogins
    {
        public List<string> Contested { get; } = [];

        public Task CreateAsync(EidLoginState state, CancellationToken cancellationToken) => inner.CreateAsync(state, cancellationToken);

        public Task<EidLoginState?> GetAsync(string id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

        public Task<bool> TryBeginPollAsync(string id, DateTimeOffset now, DateTimeOffset nextPollAt, CancellationToken cancellationToken) => inner.TryBeginPollAsync(id, now, nextPollAt, cancellationToken);

        public Task UpdateAsync(EidLoginState state, CancellationToken cancellationToken) => inner.UpdateAsync(state, cancellationToken);

        public Task<EidLoginState?> TryConsumeAsync(string id, CancellationToken cancellationToken) => inner.TryConsumeAsync(id, cancellationToken);

        public Task RemoveAsync(string id, CancellationToken cancellationToken) => inner.RemoveAsync(id, cancellationToken);

        public Task<EidPollRequest?> FailContestedAsync(string loginKey, CancellationToken cancellationToken)
        {
            Contested.Add(loginKey);
            return Task.FromResult<EidPollRequest?>(null);
        }
    }

    private sealed class CountingLimiter(IEidAbuseLimiter inner) : IEidAbuseLimiter
    {
        public int Reads { get; private set; }

        public Task<EidLimiterCount> HitAsync(string key, TimeSpan window, CancellationToken cancellationToken) => inner.HitAsync(key, window, cancellationToken);

        public Task RefundAsync(string key, CancellationToken cancellationToken) => inner.RefundAsync(key, cancellationToken);

        public Task<EidLimiterValue?> TryLockAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken) => inner.TryLockAsync(key, owner, ttl, cancellationToken);

        public Task<bool> ReplaceAsync(string key, string expected, string value, TimeSpan ttl, CancellationToken cancellationToken) => inner.ReplaceAsync(key, expected, value, ttl, cancellationToken);

        public Task<EidLimiterValue?> SwapAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken) => inner.SwapAsync(key, value, ttl, cancellationToken);

        public Task<EidLimiterValue?> GetAsync(string key, CancellationToken cancellationToken)
        {
            Reads++;
            return inner.GetAsync(key, cancellationToken);
        }

        public Task ReleaseAsync(string key, string owner, CancellationToken cancellationToken) => inner.ReleaseAsync(key, owner, cancellationToken);

        public Task<byte[]> GetHashKeyAsync(CancellationToken cancellationToken) => inner.GetHashKeyAsync(cancellationToken);
    }
}

/// <summary>The poll lease on the real clock: quick polls write nothing after themselves, slow ones extend the lease
/// before it runs out, and polls never overlap or come sooner than the interval.</summary>
public class PollLeaseTests
{
    [Fact]
    public async Task A_slow_poll_extends_its_lease_so_no_other_request_polls_while_it_runs()
    {
        var time = TimeProvider.System;
        var store = new InMemoryEidLoginStore(time);
        var upstream = new SlowProvider(TimeSpan.FromSeconds(2)); // longer than interval + guard: the short lease alone would run out
        var options = new IcelandicEidOptions { Provider = "Slow" };
        options.Limits.OnePendingLoginPerIdentifier = false; // no start made the login current: the contest rule is not the subject
        var services = new LoginServices(store, new InMemoryEidAbuseLimiter(time), upstream, new IcelandicEidMetrics(new TestMeterFactory(), store, time), NullLogger.Instance, options, time);
        var now = time.GetUtcNow();
        var login = new EidLoginState
        {
            Id = EidLoginId.New().Value, Provider = "Slow", Method = EidMethod.Sim, Identifier = "+3548881234", Reference = "r",
            PollInterval = TimeSpan.FromSeconds(1), CreatedAt = now, ExpiresAt = now.AddMinutes(3), NextPollAt = now,
        };
        await store.CreateAsync(login, CancellationToken.None);

        // Eight "tabs" ask as fast as they can for 5 s, each through the lease.
        var until = DateTime.UtcNow.AddSeconds(5);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (DateTime.UtcNow < until)
            {
                var current = await store.GetAsync(login.Id, CancellationToken.None);
                await new LoginPoller(services).PollIfDueAsync(current!);
                await Task.Delay(20);
            }
        }));

        Assert.Equal(0, upstream.Overlaps);
        Assert.Equal(2, upstream.Polls); // 0–2 s, then one interval after its end: 3–5 s
        var ends = upstream.Ends;
        var starts = upstream.Starts;
        for (var i = 1; i < starts.Count; i++)
        {
            Assert.True(starts[i] - ends[i - 1] >= TimeSpan.FromSeconds(1), $"poll {i} came {(starts[i] - ends[i - 1]).TotalMilliseconds:F0} ms after the previous one ended");
        }
    }

    [Fact]
    public async Task A_quick_quiet_poll_writes_nothing_and_the_next_comes_one_interval_and_the_guard_later()
    {
        var time = new FakeTimeProvider();
        var store = new CountingStore(new InMemoryEidLoginStore(time));
        var upstream = new SlowProvider(TimeSpan.Zero);
        var options = new IcelandicEidOptions { Provider = "Slow" };
        options.Limits.OnePendingLoginPerIdentifier = false;
        var services = new LoginServices(store, new InMemoryEidAbuseLimiter(time), upstream, new IcelandicEidMetrics(new TestMeterFactory(), store, time), NullLogger.Instance, options, time);
        var now = time.GetUtcNow();
        var login = new EidLoginState
        {
            Id = EidLoginId.New().Value, Provider = "Slow", Method = EidMethod.Sim, Identifier = "+3548881234", Reference = "r",
            PollInterval = TimeSpan.FromSeconds(2), CreatedAt = now, ExpiresAt = now.AddMinutes(3), NextPollAt = now,
        };
        await store.CreateAsync(login, CancellationToken.None);
        var after = await new LoginPoller(services).PollIfDueAsync(login);
        Assert.Equal(1, upstream.Polls);
        Assert.Equal(0, store.Writes);
        Assert.Equal(now + TimeSpan.FromSeconds(2) + PollTransitions.LeaseGuard, after.NextPollAt);
        Assert.Equal(after.NextPollAt, (await store.GetAsync(login.Id, CancellationToken.None))!.NextPollAt);
    }

    private sealed class SlowProvider(TimeSpan duration) : IIcelandicEidProvider
    {
        private readonly List<DateTimeOffset> _starts = [];
        private readonly List<DateTimeOffset> _ends = [];
        private int _running;

        public int Polls { get; private set; }

        public int Overlaps { get; private set; }

        public IReadOnlyList<DateTimeOffset> Starts { get { lock (_starts) { return [.. _starts]; } } }

        public IReadOnlyList<DateTimeOffset> Ends { get { lock (_starts) { return [.. _ends]; } } }

        public string Name => "Slow";

        public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
        {
            lock (_starts)
            {
                Polls++;
                _starts.Add(DateTimeOffset.UtcNow);
            }

            if (Interlocked.Increment(ref _running) > 1)
            {
                Overlaps++;
            }

            if (duration > TimeSpan.Zero)
            {
                await Task.Delay(duration, cancellationToken);
            }

            Interlocked.Decrement(ref _running);
            lock (_starts)
            {
                _ends.Add(DateTimeOffset.UtcNow);
            }

            return EidPollResult.Pending;
        }
    }

    /// <summary>Counts the writes that follow a poll (next-poll moves and updates).</summary>
    private sealed class CountingStore(IEidLoginStore inner) : IEidLoginStore
    {
        public int Writes { get; private set; }

        public Task CreateAsync(EidLoginState state, CancellationToken cancellationToken) => inner.CreateAsync(state, cancellationToken);

        public Task<EidLoginState?> GetAsync(string id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

        public Task<bool> TryBeginPollAsync(string id, DateTimeOffset now, DateTimeOffset nextPollAt, CancellationToken cancellationToken) => inner.TryBeginPollAsync(id, now, nextPollAt, cancellationToken);

        public Task SetNextPollAsync(string id, DateTimeOffset nextPollAt, CancellationToken cancellationToken)
        {
            Writes++;
            return inner.SetNextPollAsync(id, nextPollAt, cancellationToken);
        }

        public Task UpdateAsync(EidLoginState state, CancellationToken cancellationToken)
        {
            Writes++;
            return inner.UpdateAsync(state, cancellationToken);
        }

        public Task<EidLoginState?> TryConsumeAsync(string id, CancellationToken cancellationToken) => inner.TryConsumeAsync(id, cancellationToken);

        public Task RemoveAsync(string id, CancellationToken cancellationToken) => inner.RemoveAsync(id, cancellationToken);
    }
}
