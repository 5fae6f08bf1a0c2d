using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using NodaTime;
using Tenure.Api;
using Tenure.Engine.Delivery;

namespace Tenure.Cli;

/// <summary><c>tenure serve</c>: the API, the engine and the dispatcher in one process (API.md "Running it").</summary>
public static class ServeCommand
{
    public static Command Create(IClock clock)
    {
        var database = new DatabaseOptions();
        var urls = new Option<string?>("--urls")
        {
            Description = "Where to listen (default Tenure:Urls, ASPNETCORE_URLS, else http://127.0.0.1:5080).",
        };
        var demo = new Option<bool>("--demo")
        {
            Description = "Seed demo accounts (one on a test clock) with instances in every interesting state "
                + "and print fresh keys (or Tenure:Demo=true).",
        };
        var command = new Command("serve", "Run the HTTP API, the lifecycle engine and the dispatcher. "
            + "Settings also come from appsettings.json and Tenure__… environment variables.") { urls, demo };
        database.AddTo(command);
        command.SetAction(async (parsed, cancellation) =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var db = database.Open(parsed);
            var config = Settings.Configuration;
            var workers = ApiOptions.DefaultEngineWorkers(db.Dialect);
            if (config["Tenure:EngineWorkers"] is { } workersText)
            {
                var problem = int.TryParse(workersText, System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out workers)
                    ? ApiOptions.EngineWorkersProblem(workers, db.Dialect)
                    : $"Tenure:EngineWorkers '{workersText}' is not a whole number.";
                if (problem is not null)
                {
                    parsed.InvocationConfiguration.Error.WriteLine($"error: {problem}");
                    return ExitCodes.Usage;
                }
            }

            db.Migrate();
            if (Settings.Rules(parsed.InvocationConfiguration.Error) is not { } rules) return ExitCodes.Usage;
            var operatorKey = config["Tenure:OperatorKey"];
            if (string.IsNullOrEmpty(operatorKey))
            {
                operatorKey = ApiKeys.NewKey(out _, out _);
                output.WriteLine($"Operator key (set Tenure__OperatorKey to keep one): {operatorKey}");
            }

            if (parsed.GetValue(demo) || config.GetValue<bool>("Tenure:Demo"))
            {
                // A newcomer signs in as the operator to advance the demo's clock: say which key that is,
                // without printing a configured one.
                if (config["Tenure:OperatorKey"] is { Length: > 0 })
                {
                    output.WriteLine("Operator key: the one configured in Tenure:OperatorKey (not printed).");
                }
                // A fresh key per demo account on every start: only hashes are kept, so earlier keys cannot be shown again.
                foreach (var key in Demo.Seed(db, rules, clock.GetCurrentInstant()))
                {
                    output.WriteLine(key.ClockId is { } clockId
                        ? $"Demo account key ({key.AccountId}, on test clock {clockId}; advance it on /console/operator): {key.Key}"
                        : $"Demo account key ({key.AccountId}): {key.Key}");
                }
            }

            var section = config.GetSection("Tenure:Delivery");
            var delivery = new DispatcherOptions
            {
                ResourceWebhookUrl = section["ResourceWebhookUrl"],
                ResourceWebhookSecret = section["ResourceWebhookSecret"],
                SmtpHost = section["SmtpHost"],
                SmtpPort = section.GetValue("SmtpPort", 25),
                SmtpFrom = section["SmtpFrom"] ?? "tenure@localhost",
                SmsGatewayUrl = section["SmsGatewayUrl"],
                MaxAttempts = section.GetValue("MaxAttempts", 30),
                Timeout = NodaTime.Duration.FromSeconds(section.GetValue("TimeoutSeconds", 10)),
                MaxConcurrency = section.GetValue("MaxConcurrency", 16),
                AllowPrivateNetworks = section.GetValue("AllowPrivateNetworks", false),
            };
            var payments = config.GetSection("Tenure:Payments");
            var pollAfter = TimeSpan.FromMinutes(10);
            if (payments["PollAfter"] is { } pollText
                && !TimeSpan.TryParse(pollText, System.Globalization.CultureInfo.InvariantCulture, out pollAfter))
            {
                parsed.InvocationConfiguration.Error.WriteLine(
                    $"error: Tenure:Payments:PollAfter '{pollText}' is not a time span (e.g. 00:10:00).");
                return ExitCodes.Usage;
            }

            var paymentOptions = new Tenure.Engine.Payments.PaymentOptions
            {
                GatewayUrl = payments["GatewayUrl"],
                Secret = payments["Secret"],
                PollAfter = NodaTime.Duration.FromTimeSpan(pollAfter),
                Timeout = NodaTime.Duration.FromSeconds(payments.GetValue("TimeoutSeconds", 10)),
                MaxConcurrency = payments.GetValue("MaxConcurrency", 8),
            };
            var listen = parsed.GetValue(urls) ?? config["Tenure:Urls"] ?? config["ASPNETCORE_URLS"] ?? "http://127.0.0.1:5080";
            // Per account or operator, and failed sign-ins per address (docs/operations.md).
            var limits = config.GetSection("Tenure:RateLimit");
            var app = TenureApi.Build(new ApiOptions(db, operatorKey, clock)
            {
                Rules = rules,
                EngineWorkers = workers,
                Delivery = delivery,
                Payments = paymentOptions,
                RateLimitPerSecond = limits.GetValue("PerSecond", 100),
                RateLimitBurst = limits.GetValue("Burst", 200),
                AuthFailureBurst = limits.GetValue("FailureBurst", 20),
                AuthFailuresPerMinute = limits.GetValue("FailuresPerMinute", 20),
                ConsoleSessionLifetime = NodaTime.Duration.FromHours(config.GetValue("Tenure:Console:SessionHours", 12)),
                IdempotencyRetention = NodaTime.Duration.FromHours(config.GetValue("Tenure:IdempotencyRetentionHours", 24)),
                ConfigureHost = Settings.ConfigureLogging,
                Provider = new Provider(
                    config["Tenure:Provider:Name"] ?? Provider.Default.Name, config["Tenure:Provider:Address"] ?? Provider.Default.Address),
            }, ["--urls", listen]);
            output.WriteLine($"Tenure listens on {listen} (console at /console, API under /v1, health at /healthz). "
                + "Ctrl+C or SIGTERM stops it after the current batch.");
            await app.StartAsync(cancellation).ConfigureAwait(false);
            await app.WaitForShutdownAsync(cancellation).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
