using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
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

    /// <summary>
    /// What <c>tenure serve</c> logs unless <c>Logging:…</c> settings say otherwise (docs/operations.md, "Logs"):
    /// Tenure's own categories from Information; ASP.NET Core's and HttpClient's, which write lines for every
    /// request, only from Warning.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> LoggingDefaults { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
    };

    /// <summary>
    /// Puts <see cref="LoggingDefaults"/> beneath every configuration source, so that appsettings.json and
    /// <c>Logging__…</c> environment variables override them, and lets <c>Logging:Console:FormatterName</c>
    /// (<c>simple</c>, <c>json</c> or <c>systemd</c>) choose the console format.
    /// </summary>
    public static void ConfigureLogging(WebApplicationBuilder builder)
    {
        var defaults = new Dictionary<string, string?>(LoggingDefaults);
        if (string.Equals(builder.Configuration["Logging:Console:FormatterName"], "json", StringComparison.OrdinalIgnoreCase))
        {
            // A JSON line without a time is of little use to a log collector; the simple format keeps its usual look.
            defaults["Logging:Console:FormatterOptions:TimestampFormat"] = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            defaults["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true";
        }

        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });

        // The slim host sets the console format to "simple" in code, over the configuration; bound again here so the setting counts.
        builder.Services.Configure<ConsoleLoggerOptions>(builder.Configuration.GetSection("Logging:Console"));
    }

    /// <summary>
    /// The rules with the billing zone of <c>Tenure:Billing:TimeZone</c>
    /// (default Asia/Shanghai); null, after saying why, for an unknown zone.
    /// </summary>
    public static Rules? Rules(TextWriter error)
    {
        var zone = Configuration["Tenure:Billing:TimeZone"] ?? BillingCalendar.DefaultZoneId;
        if (BillingCalendar.ForZone(zone) is { } calendar)
        {
            // R7.10: how long a pending payment holds back a stop or release.
            return Domain.Rules.Default with
            {
                Calendar = calendar, PaymentPendingHours = Configuration.GetValue("Tenure:Payments:PendingHours", 24),
            };
        }

        error.WriteLine($"error: Tenure:Billing:TimeZone '{zone}' is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin).");
        return null;
    }
}
