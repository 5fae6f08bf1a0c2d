using Tenure.Domain;
using Tenure.Domain.Time;

namespace Tenure.Cli;

/// <summary>Deployment settings every command reads the same way.</summary>
public static class Settings
{
    /// <summary>The rules with the billing zone of <c>Tenure__Billing__TimeZone</c> (default Asia/Shanghai); null, after saying why, for an unknown zone.</summary>
    public static Rules? Rules(TextWriter error)
    {
        var zone = Environment.GetEnvironmentVariable("Tenure__Billing__TimeZone") ?? BillingCalendar.DefaultZoneId;
        if (BillingCalendar.ForZone(zone) is { } calendar) return Domain.Rules.Default with { Calendar = calendar };
        error.WriteLine($"error: Tenure__Billing__TimeZone '{zone}' is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin).");
        return null;
    }
}
