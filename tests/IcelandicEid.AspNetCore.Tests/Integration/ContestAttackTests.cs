using System.Globalization;
using System.Net;
using IcelandicEid.Tests.Infrastructure;
using Xunit.Abstractions;

namespace IcelandicEid.Tests.Integration;

/// <summary>
/// The attack on the contest rule played for 10 minutes of fake time against a phone that, like Auðkenni, holds one
/// request per person: an attacker who starts again whenever their login ends or a start is refused, and a person who
/// approves their own request (the code on their own screen) 8 s after starting, declines any request whose code is not
/// on their screen, and tries again 20 s after each failure (and, on a remembered browser, signs in again 2 minutes
/// after each sign-in).
/// </summary>
public class ContestAttackTests(ITestOutputHelper output)
{
    private const string Phone = "8881234";
    private const string Number = "8881234";
    private static readonly TimeSpan s_attack = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task A_person_on_a_remembered_browser_signs_in_on_the_first_own_approval_every_time()
    {
        var (app, phone) = await StartAsync();
        await using var _ = app;
        using var browser = app.NewBrowser();
        browser.ClientAddress = "203.0.113.7";
        await SignInOnceAsync(app, phone, browser); // the browser is now remembered for the number

        var person = new Person(phone, () => browser);
        var attackers = new Attacker(app, ["198.51.100.1"]);
        var result = await PlayAsync(app, phone, person, attackers, s_attack);

        Assert.Equal(0, attackers.SignIns);
        Assert.True(person.SignIns >= 4, result);
        Assert.InRange(person.OwnApprovals - person.SignIns, 0, person.ApprovedPending ? 1 : 0); // every approval signed in
        Assert.Equal(0, person.FailedAfterOwnApproval);
        Assert.Equal(0, person.Limited);
    }

    [Theory]
    [InlineData(1, 240)]
    [InlineData(4, 360)]
    public async Task A_person_on_a_new_browser_signs_in_within_the_stated_bound(int networks, int boundSeconds)
    {
        var (app, phone) = await StartAsync();
        await using var _ = app;
        var person = new Person(phone, () =>
        {
            var fresh = app.NewBrowser(); // never signed in with the number
            fresh.ClientAddress = "203.0.113.7";
            return fresh;
        }, again: false);
        var attackers = new Attacker(app, [.. Enumerable.Range(1, networks).Select(i => "198.51.100." + i.ToString(CultureInfo.InvariantCulture))]);
        var result = await PlayAsync(app, phone, person, attackers, s_attack);

        Assert.Equal(0, attackers.SignIns);
        Assert.True(person.FirstSignInAfter is { } first && first <= TimeSpan.FromSeconds(boundSeconds), result);
        Assert.Equal(0, person.FailedAfterOwnApproval);
    }

    private async Task<string> PlayAsync(TestApp app, PhoneProvider phone, Person person, Attacker attacker, TimeSpan length)
    {
        var begin = app.Time.GetUtcNow();
        await attacker.ActAsync(); // the attacker is first
        for (var t = TimeSpan.Zero; t < length; t += TimeSpan.FromSeconds(1))
        {
            app.Time.Advance(TimeSpan.FromSeconds(1));
            await attacker.ActAsync();
            await person.ActAsync(app.Time.GetUtcNow() - begin);
        }

        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"person: {person.Attempts} attempts, {person.SignIns} sign-ins (first after {person.FirstSignInAfter?.TotalSeconds} s), {person.OwnApprovals} own approvals, {person.Refused} refused as in progress, {person.Limited} limited, {person.Failed} failed; attacker: {attacker.Accepted} accepted starts, {attacker.Refused} refused, {attacker.SignIns} sign-ins; upstream requests {phone.Starts}");
        output.WriteLine(summary);
        return summary;
    }

    private static async Task<(TestApp App, PhoneProvider Phone)> StartAsync()
    {
        var time = new FakeTimeProvider();
        var phone = new PhoneProvider(time);
        var app = await TestApp.StartAsync(o => o.ProviderInstance = phone, time: time);
        return (app, phone);
    }

    private static async Task SignInOnceAsync(TestApp app, PhoneProvider phone, TestBrowser browser)
    {
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", Phone)).StatusCode);
        var code = (await browser.StatusAsync()).Json.GetProperty("verificationCode").GetString()!;
        Assert.True(phone.Approve(Number, code));
        app.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);
    }

    private sealed class Person(PhoneProvider phone, Func<TestBrowser> browserForAttempt, bool again = true)
    {
        private TestBrowser? _browser;
        private string? _screenCode;
        private TimeSpan _startedAt;
        private TimeSpan _nextTry;

        public int Attempts { get; private set; }

        public int SignIns { get; private set; }

        public int OwnApprovals { get; private set; }

        public int Refused { get; private set; }

        public int Limited { get; private set; }

        public int Failed { get; private set; }

        public int FailedAfterOwnApproval { get; private set; }

        public bool Pending => _screenCode is not null;

        public bool ApprovedPending { get; private set; }

        public TimeSpan? FirstSignInAfter { get; private set; }

        public async Task ActAsync(TimeSpan now)
        {
            if (_screenCode is { } code)
            {
                // The phone: approve one's own request (the code on one's screen) after 8 s; decline any other.
                foreach (var shown in phone.OpenCodes(Number))
                {
                    if (shown != code)
                    {
                        phone.Decline(Number, shown);
                    }
                    else if (!ApprovedPending && now - _startedAt >= TimeSpan.FromSeconds(8))
                    {
                        phone.Approve(Number, code);
                        OwnApprovals++;
                        ApprovedPending = true;
                    }
                }

                var (_, json) = await _browser!.StatusAsync();
                switch (json.GetProperty("status").GetString())
                {
                    case "succeeded":
                        var finish = await _browser.FinishAsync();
                        Assert.Equal(HttpStatusCode.Redirect, finish.StatusCode);
                        Assert.Equal(HttpStatusCode.OK, (await _browser.GetAsync("/profile")).StatusCode);
                        SignIns++;
                        FirstSignInAfter ??= now;
                        End(now);
                        _nextTry = now + TimeSpan.FromMinutes(2); // signs in again a while later
                        break;
                    case "failed":
                        Failed++;
                        FailedAfterOwnApproval += ApprovedPending ? 1 : 0;
                        await _browser.FinishAsync();
                        End(now);
                        break;
                }

                return;
            }

            if (now < _nextTry || (!again && SignIns > 0))
            {
                return;
            }

            Attempts++;
            _browser = browserForAttempt();
            var started = await _browser.SubmitAsync(await _browser.ReadLoginAsync("/icelandic-eid/login"), "sim", Phone);
            switch (started.StatusCode)
            {
                case HttpStatusCode.SeeOther:
                    _screenCode = (await _browser.StatusAsync()).Json.GetProperty("verificationCode").GetString();
                    _startedAt = now;
                    break;
                case HttpStatusCode.Conflict:
                    // "A request is open on your phone: decline it; never approve one whose code is not on your screen."
                    Refused++;
                    foreach (var shown in phone.OpenCodes(Number))
                    {
                        phone.Decline(Number, shown);
                    }

                    _nextTry = now + TimeSpan.FromSeconds(20);
                    break;
                case HttpStatusCode.TooManyRequests:
                    Limited++;
                    _nextTry = now + TimeSpan.FromSeconds(20);
                    break;
                default:
                    Failed++;
                    _nextTry = now + TimeSpan.FromSeconds(20);
                    break;
            }
        }

        private void End(TimeSpan now)
        {
            _screenCode = null;
            ApprovedPending = false;
            _nextTry = now + TimeSpan.FromSeconds(20);
        }
    }

    /// <summary>Holds a pending login for the number whenever it can, from its networks in turn.</summary>
    private sealed class Attacker(TestApp app, string[] networks)
    {
        private TestBrowser? _browser;
        private int _next;

        public int Accepted { get; private set; }

        public int Refused { get; private set; }

        public int SignIns { get; private set; }

        public async Task ActAsync()
        {
            if (_browser is not null)
            {
                var (_, json) = await _browser.StatusAsync();
                var status = json.GetProperty("status").GetString();
                if (status == "pending")
                {
                    return;
                }

                // Ended (contested, declined, approved): finish it in case it signs in, and start again at once.
                await _browser.FinishAsync();
                if ((await _browser.GetAsync("/profile")).StatusCode == HttpStatusCode.OK)
                {
                    SignIns++;
                }

                _browser.Dispose();
                _browser = null;
            }

            var browser = app.NewBrowser();
            browser.ClientAddress = networks[_next++ % networks.Length];
            var started = await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", Phone);
            if (started.StatusCode == HttpStatusCode.SeeOther)
            {
                Accepted++;
                _browser = browser;
            }
            else
            {
                Refused++;
                browser.Dispose();
            }
        }
    }
}
