using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.State;
using IcelandicEid.AspNetCore.Ui;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using IcelandicEid.State;
using IcelandicEid.AspNetCore.Http;

namespace IcelandicEid.Tests.Unit;

/// <summary>The login's rules as pure functions and small units: no server, no store, no upstream.</summary>
public class PollTransitionTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly EidPerson s_person = new() { NationalId = "2410803079", Name = "Jón Jónsson" };

    private static EidLoginState Login(EidMethod method = EidMethod.Sim, int errors = 0) => new()
    {
        Id = "id",
        Provider = "Test",
        Method = method,
        Identifier = method == EidMethod.App ? "2410803079" : "+3548881234",
        Reference = "ref",
        PollInterval = TimeSpan.FromSeconds(2),
        CreatedAt = s_now.AddSeconds(-10),
        ExpiresAt = s_now.AddSeconds(170),
        NextPollAt = s_now,
        ConsecutivePollErrors = errors,
    };

    [Fact]
    public void A_poll_is_due_at_the_next_poll_time_and_never_for_an_ended_login()
    {
        var login = Login();
        Assert.False(PollTransitions.IsDue(login, s_now.AddMilliseconds(-1)));
        Assert.True(PollTransitions.IsDue(login, s_now));
        Assert.False(PollTransitions.IsDue(login with { Status = EidLoginStatus.Failed }, s_now.AddHours(1)));
        Assert.Equal(s_now + TimeSpan.FromSeconds(2) + PollTransitions.LeaseGuard, PollTransitions.LeaseUntil(login, s_now));
        Assert.Equal(s_now + TimeSpan.FromSeconds(2) + TimeSpan.FromSeconds(30), PollTransitions.ExtendedLease(login, s_now, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_quick_quiet_poll_needs_no_write_and_a_slow_or_eventful_one_does()
    {
        var lease = PollTransitions.LeaseUntil(Login(), s_now);
        var leased = Login() with { NextPollAt = lease };
        var quick = PollTransitions.Apply(leased, EidPollResult.Pending, null, s_now + TimeSpan.FromMilliseconds(200), 5).State;
        Assert.True(PollTransitions.LeaseSuffices(leased, quick, lease, extended: false));
        Assert.True(quick.NextPollAt <= lease); // the next poll comes at the lease: at least one interval after this one ended

        var slow = PollTransitions.Apply(leased, EidPollResult.Pending, null, s_now + TimeSpan.FromSeconds(1), 5).State;
        Assert.False(PollTransitions.LeaseSuffices(leased, slow, lease, extended: false));
        Assert.False(PollTransitions.LeaseSuffices(leased, quick, lease, extended: true));
        var approved = PollTransitions.Apply(leased, EidPollResult.Success(s_person), null, s_now, 5).State;
        Assert.False(PollTransitions.LeaseSuffices(leased, approved, lease, extended: false));
    }

    [Fact]
    public void Pending_moves_only_the_next_poll_time_one_interval_after_the_call_ended()
    {
        var login = Login(errors: 2);
        var step = PollTransitions.Apply(login, EidPollResult.Pending, null, s_now.AddSeconds(1), maxConsecutiveErrors: 5);
        Assert.Equal(PollEvent.StillPending, step.Event);
        Assert.Equal(s_now.AddSeconds(3), step.State.NextPollAt);
        Assert.Equal(0, step.State.ConsecutivePollErrors);
        Assert.False(PollTransitions.OnlyNextPollMoved(login, step.State)); // the error count was reset too
        var again = PollTransitions.Apply(step.State, EidPollResult.Pending, null, s_now.AddSeconds(4), 5);
        Assert.True(PollTransitions.OnlyNextPollMoved(step.State, again.State));
    }

    /// <summary>An upstream that asks for more time between polls (a tree's new waitTime, a CIBA slow_down) gets it for
    /// the rest of the login: the longer interval is written into the state, which every instance's lease reads.</summary>
    [Fact]
    public void A_poll_that_asks_for_a_longer_interval_lengthens_it_for_good_and_a_shorter_one_is_ignored()
    {
        var login = Login();
        var slower = PollTransitions.Apply(login, EidPollResult.PendingAtLeast(login.PollInterval + TimeSpan.FromSeconds(5)), null, s_now, 5);
        Assert.Equal((PollEvent.StillPending, login.PollInterval + TimeSpan.FromSeconds(5)), (slower.Event, slower.State.PollInterval));
        Assert.Equal(s_now + login.PollInterval + TimeSpan.FromSeconds(5), slower.State.NextPollAt);
        Assert.False(PollTransitions.OnlyNextPollMoved(login, slower.State)); // so the whole state is stored

        var faster = PollTransitions.Apply(slower.State, EidPollResult.PendingAtLeast(TimeSpan.FromMilliseconds(100)), null, s_now, 5);
        Assert.Equal(slower.State.PollInterval, faster.State.PollInterval);

        var absurd = PollTransitions.Apply(login, EidPollResult.PendingAtLeast(TimeSpan.FromHours(2)), null, s_now, 5);
        Assert.Equal(PollTransitions.MaxAskedInterval, absurd.State.PollInterval);
    }

    [Fact]
    public void Approval_carries_the_person_and_the_time()
    {
        var step = PollTransitions.Apply(Login(), EidPollResult.Success(s_person), null, s_now, 5);
        Assert.Equal(PollEvent.Approved, step.Event);
        Assert.Equal(EidLoginStatus.Succeeded, step.State.Status);
        Assert.Same(s_person, step.State.Person);
        Assert.Equal(s_now, step.State.CompletedAt);
    }

    [Fact]
    public void An_app_login_approved_by_another_kennitala_fails_without_a_person()
    {
        var other = new EidPerson { NationalId = "0101302989", Name = "Someone Else" };
        var step = PollTransitions.Apply(Login(EidMethod.App), EidPollResult.Success(other), null, s_now, 5);
        Assert.Equal(PollEvent.IdentityMismatch, step.Event);
        Assert.Equal(EidFailureReason.IdentityMismatch, step.State.FailureReason);
        Assert.Null(step.State.Person);

        // A SIM login is started for a phone number: whoever holds its SIM is the person.
        Assert.Equal(PollEvent.Approved, PollTransitions.Apply(Login(EidMethod.Sim), EidPollResult.Success(other), null, s_now, 5).Event);
    }

    [Fact]
    public void A_success_without_a_person_and_a_failure_without_a_reason_are_upstream_errors()
    {
        var noPerson = PollTransitions.Apply(Login(), new EidPollResult { Status = EidPollStatus.Succeeded }, null, s_now, 5);
        Assert.Equal(EidFailureReason.UpstreamError, noPerson.State.FailureReason);
        var declined = PollTransitions.Apply(Login(), EidPollResult.Failed(EidFailureReason.Cancelled), null, s_now, 5);
        Assert.Equal((PollEvent.Failed, EidFailureReason.Cancelled), (declined.Event, declined.State.FailureReason));
    }

    [Fact]
    public void Errors_count_up_and_the_login_gives_up_at_the_limit()
    {
        var login = Login();
        for (var i = 1; i < 3; i++)
        {
            var step = PollTransitions.Apply(login, null, new HttpRequestException("down"), s_now, 3);
            Assert.Equal((PollEvent.Error, i, EidLoginStatus.Pending), (step.Event, step.State.ConsecutivePollErrors, step.State.Status));
            login = step.State;
        }

        var last = PollTransitions.Apply(login, null, new HttpRequestException("down"), s_now, 3);
        Assert.Equal((PollEvent.GaveUp, EidLoginStatus.Failed, EidFailureReason.Unavailable), (last.Event, last.State.Status, last.State.FailureReason));
    }

    [Fact]
    public void A_contested_login_fails_and_forgets_the_person()
    {
        var approved = PollTransitions.Apply(Login(), EidPollResult.Success(s_person), null, s_now, 5).State;
        var contested = PollTransitions.Contested(approved);
        Assert.Equal((EidLoginStatus.Failed, EidFailureReason.Contested), (contested.Status, contested.FailureReason));
        Assert.Null(contested.Person);
        Assert.Null(contested.CompletedAt);
    }
}

public class LoginReferenceTests
{
    private static LoginReference Codec(FakeTimeProvider time, string scheme = "IcelandicEid", LoginReferenceCache? cache = null)
        => new(LoginReference.CreateProtector(new EphemeralDataProtectionProvider(), scheme), cache ?? new LoginReferenceCache(), scheme, time);

    [Fact]
    public void A_reference_reads_back_its_id_and_return_url_until_it_expires()
    {
        var time = new FakeTimeProvider();
        var codec = Codec(time);
        var cookie = codec.Protect("login-id", time.GetUtcNow().AddSeconds(180), "/síða?q=Jón");
        Assert.Equal(ReferenceProblem.None, codec.TryReadId(cookie, out var id));
        Assert.Equal("login-id", id);
        Assert.Equal("/s%C3%AD%C3%B0a?q=J%C3%B3n", codec.ReturnUrl(cookie));
        time.Advance(TimeSpan.FromSeconds(180));
        Assert.Equal(ReferenceProblem.Gone, codec.TryReadId(cookie, out _));
    }

    [Fact]
    public void Missing_forged_and_other_purpose_references_are_told_apart()
    {
        var time = new FakeTimeProvider();
        var provider = new EphemeralDataProtectionProvider();
        var codec = new LoginReference(LoginReference.CreateProtector(provider, "A"), new LoginReferenceCache(), "A", time);
        Assert.Equal(ReferenceProblem.Missing, codec.TryReadId(null, out _));
        Assert.Equal(ReferenceProblem.Forged, codec.TryReadId("not-a-reference", out _));
        var otherScheme = new LoginReference(LoginReference.CreateProtector(provider, "B"), new LoginReferenceCache(), "B", time);
        Assert.Equal(ReferenceProblem.Forged, codec.TryReadId(otherScheme.Protect("x", time.GetUtcNow().AddMinutes(1), null), out _));
        var otherPurpose = provider.CreateProtector("IcelandicEid.Browser", "A", "v1").Protect("v2|x|99999999999|/");
        Assert.Equal(ReferenceProblem.Forged, codec.TryReadId(otherPurpose, out _));
        Assert.Null(codec.ReturnUrl("not-a-reference"));
    }

    [Fact]
    public void A_hostile_return_url_inside_a_genuine_reference_is_dropped()
    {
        var time = new FakeTimeProvider();
        var provider = new EphemeralDataProtectionProvider();
        var codec = new LoginReference(LoginReference.CreateProtector(provider, "A"), new LoginReferenceCache(), "A", time);
        var handMade = LoginReference.CreateProtector(provider, "A").Protect("v2|x|99999999999|//evil.example/");
        Assert.Equal(ReferenceProblem.None, codec.TryReadId(handMade, out _));
        Assert.Null(codec.ReturnUrl(handMade));
    }
}

public class FlowNamingTests
{
    [Fact]
    public void Every_reason_has_one_name_and_the_browser_sees_the_cases_the_page_shows()
    {
        var names = Enum.GetValues<EidFailureReason>().Select(EidNames.Of).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches("^[a-z]+(-[a-z]+)*$", n));
        Assert.Equal("not-found", EidNames.ForBrowser(EidFailureReason.NotFound));
        Assert.Equal("blocked", EidNames.ForBrowser(EidFailureReason.Blocked));
        Assert.Equal("failed", EidNames.ForBrowser(EidFailureReason.Other));
        Assert.Equal("timed-out", EidNames.ForBrowser(EidFailureReason.TimedOut));
        Assert.True(EidNames.TryParseMethod(EidNames.Of(EidMethod.App), out var app) && app == EidMethod.App);
        Assert.False(EidNames.TryParseMethod("Sim", out _));
    }

    [Fact]
    public void Login_ids_are_random_and_named_everywhere_by_one_hash()
    {
        var a = EidLoginId.New().Value;
        Assert.NotEqual(a, EidLoginId.New().Value);
        Assert.Equal(43, a.Length);
        Assert.Equal(24, EidLoginId.KeyOf(a).Length);
        Assert.StartsWith(EidLoginId.ForLogOf(a), EidLoginId.KeyOf(a), StringComparison.Ordinal);
        Assert.DoesNotContain(a, EidLoginId.KeyOf(a), StringComparison.Ordinal);
        Assert.Equal(LimiterKeys.Tag(a), EidLoginId.KeyOf(a));
    }

    [Theory]
    [InlineData(EidMethod.Sim, "888 1234", 2026, true, "8881234")]
    [InlineData(EidMethod.Sim, "5551234", 2026, false, null)]
    [InlineData(EidMethod.App, "241080-3079", 2026, true, "2410803079")]
    [InlineData(EidMethod.App, "5001692259", 2026, false, null)] // a company
    [InlineData(EidMethod.App, "241080-3079", 1979, false, null)] // born after "today"
    public void Identifiers_are_checked_with_words_for_the_person_and_a_reason_for_the_log(EidMethod method, string entered, int year, bool valid, string? identifier)
    {
        var check = IdentifierInput.Check(method, entered, new DateOnly(year, 11, 30));
        Assert.Equal(valid, check.Valid);
        if (valid)
        {
            Assert.Equal(identifier, check.Identifier);
            Assert.DoesNotContain(identifier![^4..], check.Masked[..^2], StringComparison.Ordinal);
        }
        else
        {
            Assert.NotEqual(IdentifierProblem.None, check.Problem);
            Assert.False(string.IsNullOrEmpty(IcelandicEidTexts.Icelandic.ForIdentifier(check.Problem)));
            Assert.False(string.IsNullOrEmpty(IcelandicEidTexts.English.ForIdentifier(check.Problem)));
            Assert.DoesNotContain(entered, check.LogReason!, StringComparison.Ordinal);
        }
    }
}

public class BoundedMapTests
{
    [Fact]
    public void A_full_map_forgets_everything_and_updates_and_removals_do_not_count_against_it()
    {
        var map = new BoundedCache<long>(3);
        map.Set("a", 1);
        map.Set("a", 2); // an update, not a new entry
        map.Set("b", 1);
        map.Remove("b");
        map.Set("c", 1);
        map.Set("d", 1);
        Assert.True(map.TryGet("a", out var a) && a == 2);
        Assert.False(map.TryGet("b", out _));

        map.Set("e", 1); // the fourth live entry: everything else is forgotten
        Assert.True(map.TryGet("e", out _));
        Assert.False(map.TryGet("a", out _));
        Assert.False(map.TryGet("d", out _));
    }

    [Fact]
    public void Get_or_add_makes_a_value_once_per_key_and_counts_it_against_the_bound()
    {
        var map = new BoundedCache<object>(2);
        var made = 0;
        object Make(string key, int _) => new { key, n = ++made };
        var first = map.GetOrAdd("a", (k, s) => Make(k, s), 0);
        Assert.Same(first, map.GetOrAdd("a", (k, s) => Make(k, s), 0));
        Assert.Equal(1, made);

        map.GetOrAdd("b", (k, s) => Make(k, s), 0);
        map.GetOrAdd("c", (k, s) => Make(k, s), 0); // the third live entry: the others are forgotten
        Assert.False(map.TryGet("a", out _));
        Assert.NotSame(first, map.GetOrAdd("a", (k, s) => Make(k, s), 0));
    }

    [Fact]
    public void Threads_that_race_to_add_a_key_all_get_the_one_value_kept_and_it_counts_once()
    {
        var map = new BoundedCache<object>(1000);
        using var allMissed = new Barrier(8); // every thread has missed and is making its own value
        var values = new object[8];
        var threads = Enumerable.Range(0, 8).Select(i => new Thread(() => values[i] = map.GetOrAdd("k", (_, _) =>
        {
            allMissed.SignalAndWait(TimeSpan.FromSeconds(10));
            return new object();
        }, 0))).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.All(values, v => Assert.Same(values[0], v));
        for (var i = 0; i < 999; i++)
        {
            map.Set("x" + i, new object()); // 1,000 live entries with k: the race counted k once, nothing is forgotten
        }

        Assert.True(map.TryGet("k", out _));
        Assert.True(map.TryGet("x0", out _));
    }
}
