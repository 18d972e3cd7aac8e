using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using IcelandicEid.Http;
using System.Net;
using System.Security.Claims;
using IcelandicEid.AspNetCore;
using IcelandicEid.Emulator;
using IcelandicEid.Taktikal;
using IcelandicEid.Tests.Infrastructure;
using IcelandicEid.Vettvangur;
using Xunit.Abstractions;

namespace IcelandicEid.Tests.Providers;

/// <summary>Whole logins through the handler against the emulator over real HTTP, on the real clock.</summary>
public sealed class HandlerWithUpstreamTests : IClassFixture<EmulatorFixture>
{
    private readonly ITestOutputHelper _output;
    private readonly UpstreamEmulator _emulator;

    public HandlerWithUpstreamTests(EmulatorFixture fixture, ITestOutputHelper output)
    {
        _emulator = fixture.Fresh();
        _output = output;
    }

    private Task<TestApp> StartTaktikalAsync(TaktikalLookupType lookup = TaktikalLookupType.NameAddress, Action<UpstreamResilienceOptions>? resilience = null)
        => TestApp.StartAsync(
            o => o.Provider = "Taktikal",
            services: s => s.AddIcelandicEidTaktikal(t =>
            {
                t.BaseUrl = _emulator.TaktikalBaseUrl;
                t.FlowKey = "emulator-flow";
                t.LookupType = lookup;
                resilience?.Invoke(t.Resilience);
            }),
            time: TimeProvider.System);

    private Task<TestApp> StartVettvangurAsync(bool emoji, Action<UpstreamResilienceOptions>? resilience = null)
        => TestApp.StartAsync(
            o => o.Provider = "Vettvangur",
            services: s => s.AddIcelandicEidVettvangur(v =>
            {
                v.BaseUrl = _emulator.VettvangurBaseUrl;
                v.ApiKey = "emulator-key";
                v.RequestingApplication = "tests";
                v.UseEmojiChallenge = emoji;
                v.PollInterval = TimeSpan.FromSeconds(1);
                resilience?.Invoke(v.Resilience);
            }),
            time: TimeProvider.System);

    [Theory]
    [InlineData("sim", "888 1234", TaktikalLookupType.Name)]
    [InlineData("sim", "+354 777 4321", TaktikalLookupType.NameAddress)]
    [InlineData("app", "120389-4569", TaktikalLookupType.NameAddressFamily)]
    [InlineData("app", "0101302049", TaktikalLookupType.NameAddress)]
    public async Task Taktikal_logins_end_on_the_profile_with_the_lookup_types_claims(string method, string identifier, TaktikalLookupType lookup)
    {
        await using var app = await StartTaktikalAsync(lookup);
        using var browser = app.NewBrowser();
        var (finish, code) = await TestLogins.LoginUntilEndAsync(browser, method, identifier);
        Assert.Equal("/profile", finish.Headers.Location!.OriginalString);
        Assert.Matches("^[0-9]{4}$", code);

        var claims = await TestLogins.ProfileAsync(browser);
        string? Claim(string type) => claims.SingleOrDefault(c => c.Type == type)?.Value;
        Assert.Equal("Guðrún Emúladóttir", Claim(ClaimTypes.Name));
        Assert.Equal("Taktikal", Claim(IcelandicEidClaimTypes.Provider));
        Assert.Equal(method, Claim(ClaimTypes.AuthenticationMethod));
        Assert.Equal(lookup == TaktikalLookupType.Name ? null : "Hafnarstræti 9", Claim(ClaimTypes.StreetAddress));
        Assert.Equal(lookup == TaktikalLookupType.Name ? null : "Akureyri", Claim(ClaimTypes.Locality));
        Assert.Equal(lookup == TaktikalLookupType.NameAddressFamily ? "0101302049" : null, Claim(IcelandicEidClaimTypes.PartnerKennitala));
        if (method == "app")
        {
            Assert.Equal(identifier.Replace("-", string.Empty, StringComparison.Ordinal), Claim(IcelandicEidClaimTypes.Kennitala));
        }
        else
        {
            Assert.Equal(IcelandicMobileNumber.Parse(identifier).E164, Claim(ClaimTypes.MobilePhone));
        }

        Assert.Equal(0, _emulator.State.TooEarlyPolls);
        Assert.Equal(0, _emulator.State.DuplicateStarts);
    }

    [Theory]
    [InlineData("sim", "8881234", true)]
    [InlineData("app", "1203894569", false)]
    [InlineData("app", "120389-4569", true)]
    public async Task Vettvangur_logins_end_on_the_profile_with_digit_or_emoji_codes(string method, string identifier, bool emoji)
    {
        await using var app = await StartVettvangurAsync(emoji);
        using var browser = app.NewBrowser();
        var (finish, code) = await TestLogins.LoginUntilEndAsync(browser, method, identifier);
        Assert.Equal("/profile", finish.Headers.Location!.OriginalString);
        Assert.Equal(!emoji, System.Text.RegularExpressions.Regex.IsMatch(code, "^[0-9]{4}$"));
        var claims = await TestLogins.ProfileAsync(browser);
        Assert.Contains(claims, c => c.Type == ClaimTypes.Name && c.Value == "Guðrún Emúladóttir");
        Assert.Contains(claims, c => c.Type == IcelandicEidClaimTypes.Provider && c.Value == "Vettvangur");
        Assert.DoesNotContain(claims, c => c.Type == ClaimTypes.StreetAddress); // Vettvangur gives name and kennitala only
        Assert.Equal(0, _emulator.State.TooEarlyPolls);
    }

    [Theory]
    [InlineData("is", "Innskráning hjá Stéttarfélagið Eining")]
    [InlineData("en", "Log in to Stéttarfélagið Eining")]
    public async Task The_app_shows_who_is_asking_in_the_persons_language(string language, string message)
    {
        await using var app = await TestApp.StartAsync(
            o => { o.Provider = "Vettvangur"; o.ServiceName = "Stéttarfélagið Eining"; },
            services: s => s.AddIcelandicEidVettvangur(v =>
            {
                v.BaseUrl = _emulator.VettvangurBaseUrl;
                v.ApiKey = "emulator-key";
                v.RequestingApplication = "tests";
            }),
            time: TimeProvider.System);
        using var browser = app.NewBrowser();
        browser.AcceptLanguage = language;
        var form = await browser.OpenLoginAsync();
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(form, "app", "120389-4569")).StatusCode);
        Assert.Equal(message, Assert.Single(_emulator.State.Calls, c => c.Endpoint == "start").Message);
    }

    [Theory]
    [InlineData("Taktikal", "7500001", ScriptedOutcome.Cancel, "Beiðninni var hafnað í símanum.")]
    [InlineData("Vettvangur", "7500002", ScriptedOutcome.Blocked, "Skilríkin læsast ef PIN-númer er slegið of oft rangt inn.")]
    [InlineData("Taktikal", "7500003", ScriptedOutcome.TimeOut, "Innskráningin var ekki staðfest í tæka tíð.")]
    public async Task Upstream_failures_show_their_message(string provider, string phone, ScriptedOutcome outcome, string message)
    {
        _emulator.State.Script(phone, outcome, TimeSpan.FromMilliseconds(500));
        await using var app = provider == "Taktikal" ? await StartTaktikalAsync() : await StartVettvangurAsync(true);
        using var browser = app.NewBrowser();
        var (finish, _) = await TestLogins.LoginUntilEndAsync(browser, "sim", phone);
        Assert.Equal(HttpStatusCode.OK, finish.StatusCode);
        Assert.Contains(message, await finish.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Taktikal", "app", "120389-4569")]
    [InlineData("Taktikal", "sim", "7700001")]
    [InlineData("Vettvangur", "sim", "7700002")]
    public async Task Like_Audkenni_the_emulator_holds_one_open_request_per_person_and_a_refused_start_contests_nobody(string provider, string method, string identifier)
    {
        _emulator.State.Script(identifier.Replace("-", string.Empty, StringComparison.Ordinal), ScriptedOutcome.Approve, TimeSpan.FromSeconds(2));
        await using var app = provider == "Taktikal" ? await StartTaktikalAsync() : await StartVettvangurAsync(false);
        using var first = app.NewBrowser();
        using var second = app.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await first.SubmitAsync(await first.OpenLoginAsync(), method, identifier)).StatusCode);

        var refused = await second.SubmitAsync(await second.OpenLoginAsync(), method, identifier);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Hafnaðu henni", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, _emulator.State.Calls.Count(c => c.Endpoint == "start"));

        // The open request's own login is left alone and signs in when approved.
        string? status = null;
        for (var i = 0; i < 40 && status is null or "pending"; i++)
        {
            await Task.Delay(250);
            status = (await first.StatusAsync()).Json.GetProperty("status").GetString();
        }

        Assert.Equal("succeeded", status);
        Assert.Equal("/profile", (await first.FinishAsync()).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task With_the_switch_off_the_emulator_sends_a_second_request_for_tests_of_the_contest_rule_itself()
    {
        _emulator.State.Settings.OneOpenRequestPerPerson = false;
        try
        {
            _emulator.State.Script("7700003", ScriptedOutcome.Never);
            await using var app = await StartTaktikalAsync();
            using var first = app.NewBrowser();
            using var second = app.NewBrowser();
            Assert.Equal(HttpStatusCode.SeeOther, (await first.SubmitAsync(await first.OpenLoginAsync(), "sim", "7700003")).StatusCode);
            Assert.Equal(HttpStatusCode.SeeOther, (await second.SubmitAsync(await second.OpenLoginAsync(), "sim", "7700003")).StatusCode);
            Assert.Equal(2, _emulator.State.Calls.Count(c => c.Endpoint == "start" && c.Status == 200));
        }
        finally
        {
            _emulator.State.Settings.OneOpenRequestPerPerson = true;
        }
    }

    [Fact]
    public async Task A_dead_upstream_shows_service_unavailable_and_the_start_is_not_repeated()
    {
        _emulator.State.AddFault(new Fault(FaultKind.ServerError, "start", Count: 1));
        await using var app = await StartTaktikalAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        var response = await browser.SubmitAsync(form, "sim", "7600001");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("ekki tiltæk", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(_emulator.State.Calls, c => c.Endpoint == "start" && c.Identifier == "7600001");
    }

    [Fact]
    public async Task An_open_circuit_gives_a_clear_try_again_page()
    {
        await using var app = await TestApp.StartAsync(
            o => o.Provider = "Taktikal",
            services: s => s.AddIcelandicEidTaktikal(t =>
            {
                t.BaseUrl = new Uri("http://127.0.0.1:9/api/"); // discard port: nothing answers
                t.FlowKey = "f";
                t.Resilience.BreakerMinimumThroughput = 2;
            }),
            time: TimeProvider.System);
        using var browser = app.NewBrowser();
        for (var i = 0; i < 4; i++)
        {
            var form = await browser.OpenLoginAsync();
            var response = await browser.SubmitAsync(form, "sim", "8881234");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("Reyndu aftur", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Contains(app.Logs.Entries, e => e.Message.Contains("circuit breaker", StringComparison.Ordinal));
        Assert.Contains(app.Logs.Entries, e => e.Category == "IcelandicEid.Clients.Taktikal" && e.Id.Id == 102 && e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task Options_for_a_real_provider_are_validated_at_startup_only_when_chosen_every_error_at_once()
    {
        // Registered alone or with the others, but not chosen: never checked, so one registration serves every
        // environment (the simulator in development, a real upstream in production).
        await using (await TestApp.StartAsync(services: s => s.AddIcelandicEidTaktikal()))
        {
        }

        await using (await TestApp.StartAsync(services: s => s.AddIcelandicEidProviders()))
        {
        }

        // Chosen: checked when the app starts, every wrong option named at once, in the same exception type for all three.
        var taktikal = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(
            o => o.Provider = "Taktikal",
            services: s => s.AddIcelandicEidTaktikal(t => { t.BaseUrl = new Uri("ftp://x/"); t.Resilience.MaxPollRetries = 99; })));
        Assert.Contains(taktikal.Failures, f => f.Contains("IcelandicEid:Taktikal:FlowKey", StringComparison.Ordinal));
        Assert.Contains(taktikal.Failures, f => f.Contains("IcelandicEid:Taktikal:BaseUrl", StringComparison.Ordinal));
        Assert.Contains(taktikal.Failures, f => f.Contains("IcelandicEid:Taktikal:Resilience:MaxPollRetries", StringComparison.Ordinal));

        var vettvangur = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(
            o => o.Provider = "vettvangur",
            services: s => s.AddIcelandicEidProviders().Configure<VettvangurOptions>("Vettvangur", v => v.PollInterval = TimeSpan.FromMilliseconds(10))));
        Assert.Contains(vettvangur.Failures, f => f.Contains("IcelandicEid:Vettvangur:ApiKey", StringComparison.Ordinal));
        Assert.Contains(vettvangur.Failures, f => f.Contains("IcelandicEid:Vettvangur:RequestingApplication", StringComparison.Ordinal));
        Assert.Contains(vettvangur.Failures, f => f.Contains("IcelandicEid:Vettvangur:PollInterval", StringComparison.Ordinal));

        // Auðkenni is one of "all the providers" too, in the same shape.
        var audkenni = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(o => o.Provider = "Audkenni", services: s => s.AddIcelandicEidProviders()));
        foreach (var option in (string[])["ClientId", "ClientSecret", "RedirectUri", "RootCertificatePaths"])
        {
            Assert.Contains(audkenni.Failures, f => f.Contains("IcelandicEid:Audkenni:" + option, StringComparison.Ordinal));
        }

        // A custom name binds and names its own section.
        var named = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(o => o.Provider = "TaktikalTest", services: s => s.AddIcelandicEidTaktikal(name: "TaktikalTest")));
        Assert.Contains(named.Failures, f => f.Contains("IcelandicEid:TaktikalTest:FlowKey", StringComparison.Ordinal));

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(o => o.Provider = "Nobody", services: s => s.AddIcelandicEidProviders()));
        Assert.Contains("'Nobody'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Audkenni", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Many logins at once while a share of the upstream's answers to polls are faults (5xx, 429, resets, malformed
    /// JSON, empty bodies, slow answers): every login must finish, no start may be sent twice, and no poll may come
    /// sooner than the polling interval.
    /// </summary>
    [Theory]
    [InlineData("Taktikal")]
    [InlineData("Vettvangur")]
    public async Task Fault_injection_run_loses_no_login(string provider)
    {
        const int logins = 24;
        const double share = 0.2;
        foreach (var kind in new[] { FaultKind.ServerError, FaultKind.Unavailable, FaultKind.TooManyRequests, FaultKind.Reset, FaultKind.MalformedJson, FaultKind.EmptyBody, FaultKind.Slow })
        {
            // Spread the share over the kinds: each is tried in turn, so the total is about `share`.
            _emulator.State.AddFault(new Fault(kind, "poll", share / 7 / (1 - (share / 7 * Array.IndexOf(Enum.GetValues<FaultKind>(), kind))), Delay: TimeSpan.FromMilliseconds(400)));
        }

        // The breaker must not open on a small unlucky sample here (its own tests are in TaktikalClientTests): a fifth
        // of faults is what a flaky upstream looks like, not a dead one.
        static void Breaker(UpstreamResilienceOptions o) => o.BreakerMinimumThroughput = 200;

        await using var app = provider == "Taktikal" ? await StartTaktikalAsync(resilience: Breaker) : await StartVettvangurAsync(true, Breaker);
        var results = await Task.WhenAll(Enumerable.Range(0, logins).Select(async i =>
        {
            using var browser = app.NewBrowser();
            var method = i % 2 == 0 ? "sim" : "app";
            var identifier = method == "sim" ? (8_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture) : $"1203{89 - (i % 50):D2}45{i % 10}9";
            var (finish, _) = await TestLogins.LoginUntilEndAsync(browser, method, identifier);
            return finish.Headers.Location?.OriginalString == "/profile"
                && (await browser.GetAsync("/profile")).StatusCode == HttpStatusCode.OK;
        }));

        var calls = _emulator.State.Calls;
        var polls = calls.Count(c => c.Endpoint == "poll");
        var faults = calls.Count(c => c.Fault is not null);
        _output.WriteLine($"{provider}: {results.Count(r => r)}/{logins} logins completed; {calls.Count(c => c.Endpoint == "start")} starts, "
            + $"{_emulator.State.DuplicateStarts} duplicate starts; {polls} polls, {faults} injected faults ({100.0 * faults / Math.Max(1, polls):F0}%), "
            + $"{_emulator.State.TooEarlyPolls} polls sooner than the interval.");

        Assert.All(results, Assert.True);
        Assert.Equal(0, _emulator.State.DuplicateStarts);
        Assert.Equal(0, _emulator.State.TooEarlyPolls);
        Assert.True(faults > 0, "no fault was injected");

        // The client says what it did about the faults, under its own category, with no identifier in clear.
        var client = app.Logs.Entries.Where(e => e.Category == "IcelandicEid.Clients." + provider).ToList();
        Assert.Contains(client, e => e.Id.Id == 101 && e.Message.Contains("retry", StringComparison.Ordinal));
        if (_emulator.State.Calls.Any(c => c.Status >= 400))
        {
            Assert.Contains(client, e => e.Id.Id == 104);
        }

        Assert.DoesNotContain(client, e => System.Text.RegularExpressions.Regex.IsMatch(e.Message, "(?<![0-9])[0-9]{7}(?![0-9])|[0-9]{6}-?[0-9]{4}"));
    }

    [Fact]
    public async Task Each_upstream_call_takes_its_HttpClient_from_the_factory()
    {
        var factory = new CountingHttpClientFactory();
        await using var app = await TestApp.StartAsync(
            o => o.Provider = "Taktikal",
            services: s =>
            {
                s.AddIcelandicEidTaktikal(t =>
                {
                    t.BaseUrl = _emulator.TaktikalBaseUrl;
                    t.FlowKey = "emulator-flow";
                });
                var real = s.Last(d => d.ServiceType == typeof(IHttpClientFactory));
                s.AddSingleton<IHttpClientFactory>(sp => factory.Wrap((IHttpClientFactory)real.ImplementationFactory!(sp)));
            },
            time: TimeProvider.System);
        using var browser = app.NewBrowser();
        var (finish, _) = await TestLogins.LoginUntilEndAsync(browser, "sim", "7600042");
        Assert.Equal("/profile", finish.Headers.Location!.OriginalString);
        var calls = _emulator.State.Calls.Count(c => c.Identifier is null || c.Identifier == "7600042");
        Assert.True(factory.Created >= calls, $"{factory.Created} clients for {calls} upstream calls: a client is kept instead of taken per call");
    }

    /// <summary>Counts <see cref="IHttpClientFactory.CreateClient"/> calls of the app's real factory.</summary>
    private sealed class CountingHttpClientFactory
    {
        private int _created;

        public int Created => Volatile.Read(ref _created);

        public IHttpClientFactory Wrap(IHttpClientFactory real) => new Counting(real, this);

        private sealed class Counting(IHttpClientFactory inner, CountingHttpClientFactory owner) : IHttpClientFactory
        {
            public HttpClient CreateClient(string name)
            {
                Interlocked.Increment(ref owner._created);
                return inner.CreateClient(name);
            }
        }
    }
}
