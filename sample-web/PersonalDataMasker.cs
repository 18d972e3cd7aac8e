using IcelandicEid;
using Serilog.Core;
using Serilog.Events;

namespace SampleWeb;

/// <summary>
/// Defence in depth for logs: replaces anything that looks like a kennitala (ten digits, optionally DDMMYY-NNNN) or
/// an Icelandic mobile number (seven digits starting 6-8, optionally +354) in string properties with a masked form.
/// The handler itself logs these only masked; this catches the app's own mistakes.
/// </summary>
public sealed class PersonalDataMasker : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties.ToArray())
        {
            if (value is ScalarValue { Value: string text })
            {
                var masked = Mask(text);
                if (!ReferenceEquals(masked, text))
                {
                    logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(masked)));
                }
            }
        }
    }

    public static string Mask(string text) => PersonalData.Redact(text)!;
}
