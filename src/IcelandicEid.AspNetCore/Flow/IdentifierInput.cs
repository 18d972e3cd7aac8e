using IcelandicEid.AspNetCore.Ui;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>What the person typed, checked: the normalised identifier and its masked form, or the words that say what
/// is wrong and a reason for the log (never the value).</summary>
internal readonly record struct IdentifierCheck(bool Valid, string Identifier, string Masked, string? Error, string? LogReason);

/// <summary>Checks a phone number (SIM) or kennitala (app) as a person typed it.</summary>
internal static class IdentifierInput
{
    public static IdentifierCheck Check(EidMethod method, string entered, IcelandicEidTexts texts, DateOnly today)
    {
        if (method == EidMethod.Sim)
        {
            if (!IcelandicMobileNumber.TryParse(entered, out var phone, out var phoneError))
            {
                var error = phoneError switch
                {
                    MobileNumberError.Empty => texts.PhoneEmpty,
                    MobileNumberError.NotMobile => texts.PhoneNotMobile,
                    MobileNumberError.ForeignNumber => texts.PhoneForeign,
                    _ => texts.PhoneInvalid,
                };
                return new(false, string.Empty, string.Empty, error, phoneError.ToString());
            }

            return new(true, phone.Value, phone.Masked, null, null);
        }

        if (!Kennitala.TryParse(entered, out var kennitala, out var ktError))
        {
            var error = ktError switch
            {
                KennitalaError.Empty => texts.KennitalaEmpty,
                KennitalaError.Date => texts.KennitalaDate,
                KennitalaError.Century => texts.KennitalaCentury,
                _ => texts.KennitalaInvalid,
            };
            return new(false, string.Empty, string.Empty, error, ktError.ToString());
        }

        if (kennitala.IsLegalEntity)
        {
            return new(false, string.Empty, string.Empty, texts.KennitalaLegalEntity, "LegalEntity");
        }

        if (kennitala.DateOfBirth > today)
        {
            return new(false, string.Empty, string.Empty, texts.KennitalaDate, "FutureDate");
        }

        return new(true, kennitala.Value, kennitala.Masked, null, null);
    }
}
