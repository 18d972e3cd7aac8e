namespace IcelandicEid;

/// <summary>
/// Classifies the error texts Auðkenni's service returns through either upstream API (<c>mssp_105</c> and the like,
/// or their wording) into a <see cref="EidFailureReason"/>.
/// </summary>
internal static class AudkenniErrorCodes
{
    /// <summary>User not found: no electronic ID for the identifier.</summary>
    public const string UserNotFound = "mssp_105";

    /// <summary>Timed out waiting for the person.</summary>
    public const string Timeout = "mssp_208";

    /// <summary>A request for the same person is already in progress (open on the phone).</summary>
    public const string AlreadyInProgress = "mssp_209";

    /// <summary>The person cancelled.</summary>
    public const string UserCancelled = "mssp_401";

    /// <summary>The person's PIN is blocked.</summary>
    public const string PinBlocked = "mssp_402";

    /// <summary>Classifies an error text; <see cref="EidFailureReason.Other"/> when it says nothing recognisable.</summary>
    public static EidFailureReason Classify(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return EidFailureReason.Other;
        }

        static bool Has(string text, string value) => text.Contains(value, StringComparison.OrdinalIgnoreCase);

        if (Has(text, UserNotFound) || Has(text, "not found") || Has(text, "notfound") || Has(text, "no certificate"))
        {
            return EidFailureReason.NotFound;
        }

        if (Has(text, UserCancelled) || Has(text, "cancel"))
        {
            return EidFailureReason.Cancelled;
        }

        if (Has(text, PinBlocked) || Has(text, "blocked") || Has(text, "locked"))
        {
            return EidFailureReason.Blocked;
        }

        if (Has(text, AlreadyInProgress) || Has(text, "already in progress") || Has(text, "in progress"))
        {
            return EidFailureReason.AlreadyInProgress;
        }

        if (Has(text, Timeout) || Has(text, "timeout") || Has(text, "timed out")
            || Has(text, "expired") || Has(text, "unreachable"))
        {
            return EidFailureReason.TimedOut;
        }

        return EidFailureReason.Other;
    }
}
