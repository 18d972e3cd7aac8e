/// <summary>The simulator, approving one number at once and every other after an hour.</summary>
internal sealed class QuickForOneProvider(string quick) : IIcelandicEidProvider
{
    private readonly SimulatorProvider _slow = new(new SimulatorOptions { ApprovalDelay = TimeSpan.FromHours(1) }, TimeProvider.System);
    private readonly SimulatorProvider _fast = new(new SimulatorOptions { ApprovalDelay = TimeSpan.Zero }, TimeProvider.System);
    private readonly ConcurrentDictionary<string, bool> _fastReferences = new();

    public string Name => "Simulator";

    public async Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
    {
        var result = await (request.Identifier == quick ? _fast : _slow).StartAsync(request, cancellationToken);
        if (request.Identifier == quick && result.Reference is { } reference)
        {
            _fastReferences[reference] = true;
        }

        return result;
    }

    public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
        => (_fastReferences.ContainsKey(request.Reference) ? _fast : _slow).PollAsync(request, cancellationToken);
}

internal sealed record BenchApp(WebApplication App, Uri Address) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

internal sealed partial record LoginPage(string State, string Token, string AntiforgeryCookie, string? BrowserCookie)
{
    public static async Task<LoginPage> ReadAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/icelandic-eid/login", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        var cookie = cookies.First(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        var browser = cookies.FirstOrDefault(c => c.StartsWith(IcelandicEidDefaults.BrowserCookieName + "=", StringComparison.Ordinal));
        return new LoginPage(
            WebUtility.HtmlDecode(StateField().Match(html).Groups[1].Value),
            WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value),
            cookie[..cookie.IndexOf(';', StringComparison.Ordinal)],
            browser?[..browser.IndexOf(';', StringComparison.Ordinal)]);
    }

    [GeneratedRegex("name=\"state\" value=\"([^\"]*)\"")]
    private static partial Regex StateField();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]*)\"")]
    private static partial Regex TokenField();
}

/// <summary>Counts polls per upstream reference and when they came.</summary>
/// <summary>The system clock, except that it can stand still: while paused no time passes for the app (timers and
/// time stamps are the system's).</summary>
internal sealed class AppClock : TimeProvider
{
    private long _pausedTicks;
    private long _pausedAt = -1;

    public override DateTimeOffset GetUtcNow()
    {
        var pausedAt = Volatile.Read(ref _pausedAt);
        var now = pausedAt >= 0 ? new DateTimeOffset(pausedAt, TimeSpan.Zero) : System.GetUtcNow();
        return now - TimeSpan.FromTicks(Volatile.Read(ref _pausedTicks));
    }

    public void Pause() => Volatile.Write(ref _pausedAt, System.GetUtcNow().UtcTicks);

    public void Resume()
    {
        var pausedAt = Interlocked.Exchange(ref _pausedAt, -1);
        if (pausedAt >= 0)
        {
            Interlocked.Add(ref _pausedTicks, System.GetUtcNow().UtcTicks - pausedAt);
        }
    }
}

/// <summary>Counts upstream polls, and nothing more (no per-poll allocation under load).</summary>
internal sealed class PollCounter(IIcelandicEidProvider inner) : IIcelandicEidProvider
{
    private int _polls;

    public int Polls => Volatile.Read(ref _polls);

    public string Name => inner.Name;

    public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken) => inner.StartAsync(request, cancellationToken);

    public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _polls);
        return inner.PollAsync(request, cancellationToken);
    }
}

internal sealed class CountingUpstream(IIcelandicEidProvider inner) : IIcelandicEidProvider
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> _polls = new();

    public string Name => inner.Name;

    public IReadOnlyDictionary<string, int> PollsPerReference => _polls.ToDictionary(p => p.Key, p => p.Value.Count);

    public int GapsShorterThan(TimeSpan interval)
        => _polls.Values.Sum(q =>
        {
            var times = q.Order().ToArray();
            return times.Zip(times.Skip(1)).Count(p => p.Second - p.First < interval);
        });

    public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken) => inner.StartAsync(request, cancellationToken);

    public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        _polls.GetOrAdd(request.Reference, _ => new()).Enqueue(DateTimeOffset.UtcNow);
        return inner.PollAsync(request, cancellationToken);
    }
}
