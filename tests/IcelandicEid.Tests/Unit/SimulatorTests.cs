using IcelandicEid.Simulation;
using IcelandicEid.Tests.Infrastructure;

namespace IcelandicEid.Tests.Unit;

public class SimulatorTests
{
    private readonly FakeTimeProvider _time = new();

    private SimulatorProvider Create(VerificationCodeStyle style = VerificationCodeStyle.Digits)
        => new(new SimulatorOptions { ApprovalDelay = TimeSpan.FromSeconds(3), VerificationCodeStyle = style }, _time);

    [Fact]
    public async Task Approves_any_identifier_after_the_delay()
    {
        var sim = Create();
        var start = await sim.StartAsync(new EidStartRequest(EidMethod.App, "1203894569"), default);
        Assert.True(start.Succeeded);
        Assert.Matches("^[0-9]{4}$", start.VerificationCode);

        Assert.Equal(EidPollStatus.Pending, (await sim.PollAsync(new EidPollRequest(EidMethod.App, start.Reference!), default)).Status);
        _time.Advance(TimeSpan.FromSeconds(3));
        var result = await sim.PollAsync(new EidPollRequest(EidMethod.App, start.Reference!), default);
        Assert.Equal(EidPollStatus.Succeeded, result.Status);
        Assert.Equal("1203894569", result.Person!.NationalId); // an app login names the person it was started for
        Assert.Equal(SimulatorProvider.TestPerson.Name, result.Person.Name);
    }

    [Fact]
    public async Task The_other_person_identity_is_approved_as_someone_else()
    {
        var sim = Create();
        var start = await sim.StartAsync(new EidStartRequest(EidMethod.App, "0101901079"), default);
        _time.Advance(TimeSpan.FromSeconds(3));
        var result = await sim.PollAsync(new EidPollRequest(EidMethod.App, start.Reference!), default);
        Assert.Equal(EidPollStatus.Succeeded, result.Status);
        Assert.Equal(SimulatorProvider.TestPerson.NationalId, result.Person!.NationalId);
    }

    [Theory]
    [InlineData(EidMethod.Sim, "6100006")]
    [InlineData(EidMethod.App, "0101901069")]
    public async Task The_already_in_progress_identity_is_refused_at_the_start(EidMethod method, string identifier)
    {
        var start = await Create().StartAsync(new EidStartRequest(method, identifier), default);
        Assert.Equal(EidFailureReason.AlreadyInProgress, start.Failure!.Reason);
    }

    [Theory]
    [InlineData("6100001", EidFailureReason.Cancelled)]
    [InlineData("6100002", EidFailureReason.TimedOut)]
    [InlineData("6100003", EidFailureReason.UpstreamError)]
    [InlineData("6100005", EidFailureReason.Blocked)]
    [InlineData("0101901019", EidFailureReason.Cancelled)]
    [InlineData("0101901029", EidFailureReason.TimedOut)]
    [InlineData("0101901039", EidFailureReason.UpstreamError)]
    [InlineData("0101901059", EidFailureReason.Blocked)]
    public async Task Test_identities_end_in_their_outcome(string identifier, EidFailureReason reason)
    {
        var sim = Create();
        var method = identifier.Length == 7 ? EidMethod.Sim : EidMethod.App;
        var start = await sim.StartAsync(new EidStartRequest(method, identifier), default);
        _time.Advance(TimeSpan.FromSeconds(3));
        var result = await sim.PollAsync(new EidPollRequest(method, start.Reference!), default);
        Assert.Equal(EidPollStatus.Failed, result.Status);
        Assert.Equal(reason, result.Failure!.Reason);
    }

    [Fact]
    public async Task Not_found_is_refused_at_the_start_and_unavailable_throws()
    {
        var sim = Create();
        var start = await sim.StartAsync(new EidStartRequest(EidMethod.Sim, "6100004"), default);
        Assert.Equal(EidFailureReason.NotFound, start.Failure!.Reason);
        await Assert.ThrowsAsync<EidProviderException>(() => sim.StartAsync(new EidStartRequest(EidMethod.Sim, "6100009"), default));
    }

    [Fact]
    public async Task Emoji_codes_are_four_emojis()
    {
        var start = await Create(VerificationCodeStyle.Emojis).StartAsync(new EidStartRequest(EidMethod.Sim, "8881234"), default);
        var elements = System.Globalization.StringInfo.GetTextElementEnumerator(start.VerificationCode!);
        var count = 0;
        while (elements.MoveNext())
        {
            count++;
        }

        Assert.Equal(4, count);
        Assert.DoesNotMatch("[0-9]", start.VerificationCode!);
    }

    [Fact]
    public async Task An_unknown_reference_is_an_upstream_error_not_a_crash()
    {
        var result = await Create().PollAsync(new EidPollRequest(EidMethod.Sim, "garbage"), default);
        Assert.Equal(EidFailureReason.UpstreamError, result.Failure!.Reason);
    }
}
