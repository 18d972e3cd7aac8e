using System.Collections.Concurrent;

namespace IcelandicEid.Emulator;

/// <summary>How a scripted identifier ends.</summary>
public enum ScriptedOutcome
{
    /// <summary>The person approves.</summary>
    Approve,

    /// <summary>The person cancels (<c>mssp_401</c>).</summary>
    Cancel,

    /// <summary>No answer (<c>mssp_208</c>).</summary>
    TimeOut,

    /// <summary>No eID for the identifier (<c>mssp_105</c>), refused at the start.</summary>
    NotFound,

    /// <summary>PIN blocked (<c>mssp_402</c>).</summary>
    Blocked,

    /// <summary>Never answers: the login runs into the 180-second limit.</summary>
    Never,
}

/// <summary>A switchable fault.</summary>
public enum FaultKind
{
    /// <summary>HTTP 500 with an error body.</summary>
    ServerError,

    /// <summary>HTTP 503 with no body.</summary>
    Unavailable,

    /// <summary>HTTP 429 with Retry-After: 1.</summary>
    TooManyRequests,

    /// <summary>The answer comes after <see cref="Fault.Delay"/>.</summary>
    Slow,

    /// <summary>The connection is reset without an answer.</summary>
    Reset,

    /// <summary>HTTP 200 with a body that is not JSON.</summary>
    MalformedJson,

    /// <summary>HTTP 200 with an empty body.</summary>
    EmptyBody,
}

/// <summary>A fault applied to calls of one endpoint kind (<c>start</c>, <c>poll</c>, <c>blocking</c>, <c>flow</c> or <c>*</c>).</summary>
public sealed record Fault(FaultKind Kind, string Endpoint = "poll", double Probability = 1.0, int? Count = null, TimeSpan? Delay = null);

/// <summary>One call the emulator received.</summary>
public sealed record RecordedCall(
    DateTimeOffset At,
    string Api,
    string Endpoint,
    string HttpMethod,
    string? Identifier,
    string? Reference,
    int Status,
    bool TooEarly,
    FaultKind? Fault,
    string? AuthStyle,
    string? Message = null);

/// <summary>Settings of the emulator.</summary>
public sealed class EmulatorSettings
{
    /// <summary>The Taktikal flow key it accepts.</summary>
    public string FlowKey { get; set; } = "emulator-flow";

    /// <summary>Optional Taktikal Basic credentials it requires (company key).</summary>
    public string? CompanyKey { get; set; }

    /// <summary>Optional Taktikal Basic credentials it requires (API key).</summary>
    public string? TaktikalApiKey { get; set; }

    /// <summary>The Vettvangur API key it accepts, in either header style.</summary>
    public string ApiKey { get; set; } = "emulator-key";

    /// <summary>Taktikal's <c>pollingInterval</c>, in seconds; polls sooner are refused and recorded. Vettvangur's
    /// status endpoint enforces <see cref="VettvangurMinimumInterval"/>.</summary>
    public int PollingIntervalSeconds { get; set; } = 1;

    /// <summary>The shortest gap between two Vettvangur status calls for one login.</summary>
    public TimeSpan VettvangurMinimumInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>When unscripted identifiers approve.</summary>
    public TimeSpan DefaultApproveAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The upstream's limit on a login.</summary>
    public TimeSpan LoginLifetime { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>Whether a start for a person who has a request open is refused with <c>mssp_209</c>, as Auðkenni (which
    /// every provider sits on) does. Default on; off only for tests of the contest rule itself.</summary>
    public bool OneOpenRequestPerPerson { get; set; } = true;

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;
}

internal sealed class EmulatedLogin
{
    public required string Reference { get; init; }

    public required string Api { get; init; }

    public required string Method { get; init; }

    public required string Identifier { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required ScriptedOutcome Outcome { get; init; }

    public required TimeSpan After { get; init; }

    public required string Code { get; init; }

    public DateTimeOffset? LastPollAt { get; set; }

    public object Lock { get; } = new();
}

/// <summary>What the emulator knows: scripts, faults, logins and every call.</summary>
public sealed class EmulatorState
{
    private readonly ConcurrentDictionary<string, (ScriptedOutcome Outcome, TimeSpan? After)> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedCall> _calls = new();
    private readonly object _faultLock = new();
    private readonly List<Fault> _faults = [];

    public EmulatorState(EmulatorSettings settings)
    {
        Settings = settings;

        ScriptDefaults();
    }

    public EmulatorSettings Settings { get; }

    /// <summary>The Auðkenni mode: its test root, keys, sessions and faults.</summary>
    public AudkenniEmulator Audkenni { get; } = new();

    /// <summary>Back to a fresh emulator (scripts, faults, logins and calls), for an emulator shared by a test class.</summary>
    public void Reset()
    {
        Audkenni.Reset();
        _scripts.Clear();
        ClearFaults();
        ClearCalls();
        Logins.Clear();
        ScriptDefaults();
    }

    private void ScriptDefaults()
    {
        // The same test identities as the built-in simulator, so local development behaves alike.
        Script("6100001", ScriptedOutcome.Cancel);
        Script("6100002", ScriptedOutcome.TimeOut);
        Script("6100004", ScriptedOutcome.NotFound);
        Script("6100005", ScriptedOutcome.Blocked);
        Script("0101901019", ScriptedOutcome.Cancel);
        Script("0101901029", ScriptedOutcome.TimeOut);
        Script("0101901049", ScriptedOutcome.NotFound);
        Script("0101901059", ScriptedOutcome.Blocked);
    }

    internal ConcurrentDictionary<string, EmulatedLogin> Logins { get; } = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<RecordedCall> Calls => _calls.ToArray();

    /// <summary>Makes <paramref name="identifier"/> end in <paramref name="outcome"/> after <paramref name="after"/>
    /// (default: <see cref="EmulatorSettings.DefaultApproveAfter"/>).</summary>
    public void Script(string identifier, ScriptedOutcome outcome, TimeSpan? after = null) => _scripts[identifier] = (outcome, after);

    public void AddFault(Fault fault)
    {
        lock (_faultLock)
        {
            _faults.Add(fault);
        }
    }

    public void ClearFaults()
    {
        lock (_faultLock)
        {
            _faults.Clear();
        }
    }

    public void ClearCalls() => _calls.Clear();

    /// <summary>Starts on identifiers that were started more than once.</summary>
    public int DuplicateStarts => Calls.Where(c => c.Endpoint is "start" or "blocking" && c.Status is >= 200 and < 300 && c.Identifier is not null)
        .GroupBy(c => c.Identifier).Sum(g => g.Count() - 1);

    /// <summary>Polls that came sooner than the interval allows.</summary>
    public int TooEarlyPolls => Calls.Count(c => c.TooEarly);

    internal (ScriptedOutcome Outcome, TimeSpan After) ScriptFor(string identifier)
        => _scripts.TryGetValue(identifier, out var script)
            ? (script.Outcome, script.After ?? Settings.DefaultApproveAfter)
            : (ScriptedOutcome.Approve, Settings.DefaultApproveAfter);

    internal Fault? TakeFault(string endpoint)
    {
        lock (_faultLock)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var fault = _faults[i];
                if ((fault.Endpoint == "*" || fault.Endpoint == endpoint) && Random.Shared.NextDouble() < fault.Probability)
                {
                    if (fault.Count is { } count)
                    {
                        if (count <= 1)
                        {
                            _faults.RemoveAt(i);
                        }
                        else
                        {
                            _faults[i] = fault with { Count = count - 1 };
                        }
                    }

                    return fault;
                }
            }
        }

        return null;
    }

    internal void Record(RecordedCall call) => _calls.Enqueue(call);
}
