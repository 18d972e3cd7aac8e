using IcelandicEid.Vettvangur;

namespace IcelandicEid.Tests.Providers;

/// <summary>Contract tests of every Vettvangur endpoint against the emulator, in both header styles and both status methods.</summary>
public sealed class VettvangurClientTests : IClassFixture<FastEmulatorProcess>, IAsyncLifetime, IDisposable
{
    private readonly EmulatorProcess _emulator;
    private readonly HttpClient _http = new();

    public VettvangurClientTests(FastEmulatorProcess fixture) => _emulator = fixture;

    public Task InitializeAsync() => _emulator.FreshAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _http.Dispose();

    private VettvangurClient Client(Action<VettvangurOptions>? configure = null)
    {
        var options = new VettvangurOptions { BaseUrl = _emulator.VettvangurBaseUrl, ApiKey = "emulator-key", RequestingApplication = "tests" };
        options.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(100);
        configure?.Invoke(options);
        return new VettvangurClient(_http, options);
    }

    [Theory]
    [InlineData(VettvangurApiKeyHeader.Authorization, VettvangurStatusMethod.Post, "authorization", "POST")]
    [InlineData(VettvangurApiKeyHeader.ApiKeyHeader, VettvangurStatusMethod.Get, "apikey-header", "GET")]
    [InlineData(VettvangurApiKeyHeader.Authorization, VettvangurStatusMethod.Get, "authorization", "GET")]
    [InlineData(VettvangurApiKeyHeader.ApiKeyHeader, VettvangurStatusMethod.Post, "apikey-header", "POST")]
    public async Task Code_then_status_in_every_documented_style(VettvangurApiKeyHeader header, VettvangurStatusMethod method, string style, string httpMethod)
    {
        var client = Client(o =>
        {
            o.ApiKeyHeader = header;
            o.StatusMethod = method;
        });
        await _emulator.ScriptAsync("8881234", "Approve", TimeSpan.FromSeconds(1));
        var code = await client.AuthorizeWithCodeAsync(new VettvangurCodeRequest { AuthType = EidMethod.Sim, PhoneNumberOrSsn = "8881234" });
        Assert.Null(code.Failure);
        Assert.NotEqual(Guid.Empty, code.Response!.Identifier);
        Assert.Equal("sim", code.Response.AuthType);
        Assert.Equal("tests", code.Response.RequestingApplication);

        var pending = await client.GetAuthorizationStatusAsync(code.Response.Identifier);
        Assert.Equal(EidPollStatus.Pending, pending.Status);
        Assert.False(pending.FinishedPendingUser);

        await Task.Delay(1500);
        var done = await client.GetAuthorizationStatusAsync(code.Response.Identifier);
        Assert.Equal(EidPollStatus.Succeeded, done.Status);
        Assert.True(done.FinishedPendingUser);
        Assert.Equal("Guðrún Emúladóttir", done.UserInfo!.Name);

        var calls = (await _emulator.CallsAsync()).Where(c => c.Reference == code.Response.Identifier.ToString("D").ToUpperInvariant()).ToList();
        Assert.All(calls, c => Assert.Equal(style, c.AuthStyle));
        Assert.All(calls.Where(c => c.Endpoint == "poll"), c => Assert.Equal(httpMethod, c.HttpMethod));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task The_challenge_is_emojis_unless_digits_are_asked_for(bool emoji, bool digits)
    {
        var code = await Client(o => o.UseEmojiChallenge = emoji).AuthorizeWithCodeAsync(new VettvangurCodeRequest { AuthType = EidMethod.App, PhoneNumberOrSsn = "1203894569" });
        Assert.Equal(digits, System.Text.RegularExpressions.Regex.IsMatch(code.Response!.Challenge!, "^[0-9]{4}$"));
        Assert.NotNull(code.Response.ChallengeHash); // app logins carry a hash
    }

    [Fact]
    public async Task A_wrong_api_key_is_an_upstream_error()
    {
        var result = await Client(o => o.ApiKey = "wrong").AuthorizeWithCodeAsync(new VettvangurCodeRequest { AuthType = EidMethod.Sim, PhoneNumberOrSsn = "8881234" });
        Assert.Equal(EidFailureReason.UpstreamError, result.Failure!.Reason);
        Assert.StartsWith("401", result.Failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_in_the_answer_is_a_typed_failure()
    {
        var result = await Client().AuthorizeWithCodeAsync(new VettvangurCodeRequest { AuthType = EidMethod.Sim, PhoneNumberOrSsn = "6100004" });
        Assert.Equal(EidFailureReason.NotFound, result.Failure!.Reason);
    }

    [Theory]
    [InlineData("Cancel", EidFailureReason.Cancelled)]
    [InlineData("TimeOut", EidFailureReason.TimedOut)]
    [InlineData("Blocked", EidFailureReason.Blocked)]
    public async Task Failed_status_carries_its_reason(string outcome, EidFailureReason reason)
    {
        await _emulator.ScriptAsync("7300001", outcome, TimeSpan.FromMilliseconds(100));
        var client = Client();
        var code = await client.AuthorizeWithCodeAsync(new VettvangurCodeRequest { AuthType = EidMethod.Sim, PhoneNumberOrSsn = "7300001" });
        var result = await client.PollAuthorizationStatusAsync(code.Response!.Identifier);
        Assert.Equal(EidPollStatus.Failed, result.Status);
        Assert.Equal(reason, result.Failure!.Reason);
    }

    [Fact]
    public async Task The_blocking_endpoints_answer_when_the_person_has()
    {
        var client = Client();
        var simple = await client.AuthorizeSimpleAsync(new VettvangurSimpleRequest { AuthType = EidMethod.App, PhoneNumberOrSsn = "120389-4569", ChallengeOrMessage = "Innskráning" });
        Assert.Equal(EidPollStatus.Succeeded, simple.Status);
        Assert.Equal("1203894569", simple.UserInfo!.Ssn);

        var code = await client.AuthorizeWithCodeAsync(new VettvangurCodeRequest { AuthType = EidMethod.Sim, PhoneNumberOrSsn = "8881299" });
        var polled = await client.PollAuthorizationStatusAsync(code.Response!.Identifier);
        Assert.Equal(EidPollStatus.Succeeded, polled.Status);
    }

    [Fact]
    public async Task A_transient_status_fault_is_retried_no_sooner_than_the_interval()
    {
        await _emulator.ScriptAsync("7400001", "Approve", TimeSpan.FromSeconds(30));
        var client = Client();
        var code = await client.AuthorizeWithCodeAsync(new VettvangurCodeRequest { AuthType = EidMethod.Sim, PhoneNumberOrSsn = "7400001" });
        await _emulator.AddFaultAsync("ServerError", "poll", 1);
        var result = await client.GetAuthorizationStatusAsync(code.Response!.Identifier, pollInterval: TimeSpan.FromSeconds(1));
        Assert.Equal(EidPollStatus.Pending, result.Status);
        Assert.Equal(0, await _emulator.TooEarlyPollsAsync());
    }

    [Theory]
    [InlineData("ApiKey")]
    [InlineData("RequestingApplication")]
    public void Missing_options_are_named(string option)
    {
        var options = new VettvangurOptions { ApiKey = "k", RequestingApplication = "a" };
        if (option == "ApiKey")
        {
            options.ApiKey = null;
        }
        else
        {
            options.RequestingApplication = " ";
        }

        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(options.Validate);
        Assert.Contains("IcelandicEid:Vettvangur:" + option, Assert.Single(ex.Failures), StringComparison.Ordinal);
    }
}
