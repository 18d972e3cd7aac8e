namespace IcelandicEid.AspNetCore.Flow;

/// <summary>What is wrong with what the person typed (the pages and the JSON API put it in words).</summary>
internal enum IdentifierProblem
{
    /// <summary>Nothing: the identifier is valid.</summary>
    None,
    PhoneEmpty,
    PhoneNotMobile,
    PhoneForeign,
    PhoneInvalid,
    KennitalaEmpty,
    KennitalaDate,
    KennitalaCentury,
    KennitalaInvalid,
    KennitalaLegalEntity,
}

/// <summary>What the person typed, checked: the normalised identifier and its masked form, or what is wrong and a
/// reason for the log (never the value).</summary>
internal readonly record struct IdentifierCheck(bool Valid, string Identifier, string Masked, IdentifierProblem Problem, string? LogReason);

/// <summary>Checks a phone number (SIM) or kennitala (app) as a person typed it.</summary>
internal static class IdentifierInput
{
    public static IdentifierCheck Check(EidMethod method, string entered, DateOnly today)
    {
        if (method == EidMethod.Sim)
        {
            if (!IcelandicMobileNumber.TryParse(entered, out var phone, out var phoneError))
            {
                var problem = phoneError switch
                {
                    MobileNumberError.Empty => IdentifierProblem.PhoneEmpty,
                    MobileNumberError.NotMobile => IdentifierProblem.PhoneNotMobile,
                    MobileNumberError.ForeignNumber => IdentifierProblem.PhoneForeign,
                    _ => IdentifierProblem.PhoneInvalid,
                };
                return new(false, string.Empty, string.Empty, problem, phoneError.ToString());
            }

            return new(true, phone.Value, phone.Masked, IdentifierProblem.None, null);
        }

        if (!Kennitala.TryParse(entered, out var kennitala, out var ktError))
        {
            var problem = ktError switch
            {
                KennitalaError.Empty => IdentifierProblem.KennitalaEmpty,
                KennitalaError.Date => IdentifierProblem.KennitalaDate,
                KennitalaError.Century => IdentifierProblem.KennitalaCentury,
                _ => IdentifierProblem.KennitalaInvalid,
            };
            return new(false, string.Empty, string.Empty, problem, ktError.ToString());
        }

        if (kennitala.IsLegalEntity)
        {
            return new(false, string.Empty, string.Empty, IdentifierProblem.KennitalaLegalEntity, "LegalEntity");
        }

        if (kennitala.DateOfBirth > today)
        {
            return new(false, string.Empty, string.Empty, IdentifierProblem.KennitalaDate, "FutureDate");
        }

        return new(true, kennitala.Value, kennitala.Masked, IdentifierProblem.None, null);
    }
}
