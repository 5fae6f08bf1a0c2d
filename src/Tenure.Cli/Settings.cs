using Microsoft.Extensions.Configuration;
using Tenure.Domain;
using Tenure.Domain.Time;

namespace Tenure.Cli;

/// <summary>
/// Deployment settings every command reads the same way: a command-line option wins, then
/// <c>appsettings.json</c> in the working directory, then <c>Tenure__…</c> environment variables
/// (the later source wins between those two, as ASP.NET does).
/// </summary>
public static class Settings
{
    public static IConfiguration Configuration { get; } = new ConfigurationBuilder()
        .SetBasePath(Directory.GetCurrentDirectory())
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .Build();

    /// <summary>The rules with the billing zone of <c>Tenure:Billing:TimeZone</c> (default Asia/Shanghai); null, after saying why, for an unknown zone.</summary>
    public static Rules? Rules(TextWriter error)
    {
        var zone = Configuration["Tenure:Billing:TimeZone"] ?? BillingCalendar.DefaultZoneId;
        if (BillingCalendar.ForZone(zone) is { } calendar) return Domain.Rules.Default with { Calendar = calendar };
        error.WriteLine($"error: Tenure:Billing:TimeZone '{zone}' is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin).");
        return null;
    }
}
