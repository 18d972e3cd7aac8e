using System.Text.Json.Serialization;
using IcelandicEid.State;

namespace IcelandicEid.Redis;

/// <summary>The compact stored form of <see cref="EidLoginState"/>: short names, times as Unix milliseconds, defaults
/// left out, and no id (the caller knows it). Kept small: Redis memory per pending login is a target.</summary>
internal sealed class StoredLogin
{
    [JsonPropertyName("p")] public string Provider { get; set; } = string.Empty;

    [JsonPropertyName("m")] public EidMethod Method { get; set; }

    [JsonPropertyName("x")] public string Identifier { get; set; } = string.Empty;

    [JsonPropertyName("f")] public string Reference { get; set; } = string.Empty;

    [JsonPropertyName("c")] public string? VerificationCode { get; set; }

    [JsonPropertyName("i")] public long PollIntervalMs { get; set; }

    [JsonPropertyName("t")] public long CreatedAt { get; set; }

    [JsonPropertyName("e")] public long ExpiresAt { get; set; }

    [JsonPropertyName("s")] public EidLoginStatus Status { get; set; }

    [JsonPropertyName("r")] public EidFailureReason? FailureReason { get; set; }

    [JsonPropertyName("u")] public EidPerson? Person { get; set; }

    [JsonPropertyName("a")] public long? CompletedAt { get; set; }

    [JsonPropertyName("k")] public int ConsecutivePollErrors { get; set; }

    [JsonPropertyName("q")] public string? Properties { get; set; }

    public static StoredLogin From(EidLoginState state) => new()
    {
        Provider = state.Provider,
        Method = state.Method,
        Identifier = state.Identifier,
        Reference = state.Reference,
        VerificationCode = state.VerificationCode,
        PollIntervalMs = (long)state.PollInterval.TotalMilliseconds,
        CreatedAt = state.CreatedAt.ToUnixTimeMilliseconds(),
        ExpiresAt = state.ExpiresAt.ToUnixTimeMilliseconds(),
        Status = state.Status,
        FailureReason = state.FailureReason,
        Person = state.Person,
        CompletedAt = state.CompletedAt?.ToUnixTimeMilliseconds(),
        ConsecutivePollErrors = state.ConsecutivePollErrors,
        Properties = state.Properties,
    };

    public EidLoginState ToState(string id, DateTimeOffset nextPollAt) => new()
    {
        Id = id,
        Provider = Provider,
        Method = Method,
        Identifier = Identifier,
        Reference = Reference,
        VerificationCode = VerificationCode,
        PollInterval = TimeSpan.FromMilliseconds(PollIntervalMs),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
        ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(ExpiresAt),
        NextPollAt = nextPollAt,
        Status = Status,
        FailureReason = FailureReason,
        Person = Person,
        CompletedAt = CompletedAt is { } completed ? DateTimeOffset.FromUnixTimeMilliseconds(completed) : null,
        ConsecutivePollErrors = ConsecutivePollErrors,
        Properties = Properties,
    };
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault, UseStringEnumConverter = false)]
[JsonSerializable(typeof(StoredLogin))]
internal sealed partial class StoredLoginJson : JsonSerializerContext;

/// <summary>A protected body and what it decrypts to. Equality is by reference: a new body is a new entry.</summary>
internal sealed class DecryptedBody(byte[] body, StoredLogin login) : IEquatable<DecryptedBody>
{
    public byte[] Body { get; } = body;

    public StoredLogin Login { get; } = login;

    public bool Equals(DecryptedBody? other) => ReferenceEquals(this, other);

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
