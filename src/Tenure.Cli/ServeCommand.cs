using System.CommandLine;
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
        var urls = new Option<string>("--urls") { Description = "Where to listen, e.g. http://127.0.0.1:5080.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var demo = new Option<bool>("--demo") { Description = "Seed a demo account with instances in every interesting state and print its key." };
        var command = new Command("serve", "Run the HTTP API, the lifecycle engine and the dispatcher. Settings also come from Tenure__… environment variables.") { urls, demo };
        database.AddTo(command);
        command.SetAction(async (parsed, cancellation) =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var db = database.Open(parsed);
            db.Migrate();
            if (Settings.Rules(parsed.InvocationConfiguration.Error) is not { } rules) return ExitCodes.Usage;
            var operatorKey = Environment.GetEnvironmentVariable("Tenure__OperatorKey");
            if (string.IsNullOrEmpty(operatorKey))
            {
                operatorKey = ApiKeys.NewKey(out _, out _);
                output.WriteLine($"Operator key (set Tenure__OperatorKey to keep one): {operatorKey}");
            }

            if (parsed.GetValue(demo))
            {
                var demoKey = Demo.Seed(db, rules, clock.GetCurrentInstant());
                output.WriteLine(demoKey is null ? "Demo account acc-demo already exists (its key was printed when it was made)." : $"Demo account key (acc-demo): {demoKey}");
            }

            var delivery = new DispatcherOptions
            {
                ResourceWebhookUrl = Environment.GetEnvironmentVariable("Tenure__Delivery__ResourceWebhookUrl"),
                ResourceWebhookSecret = Environment.GetEnvironmentVariable("Tenure__Delivery__ResourceWebhookSecret"),
                SmtpHost = Environment.GetEnvironmentVariable("Tenure__Delivery__SmtpHost"),
                SmsGatewayUrl = Environment.GetEnvironmentVariable("Tenure__Delivery__SmsGatewayUrl"),
            };
            var app = TenureApi.Build(new ApiOptions(db, operatorKey, clock) { Rules = rules, Delivery = delivery }, ["--urls", parsed.GetValue(urls)!]);
            output.WriteLine($"Tenure listens on {parsed.GetValue(urls)} (API under /v1, health at /healthz). Ctrl+C or SIGTERM stops it after the current batch.");
            await app.StartAsync(cancellation).ConfigureAwait(false);
            await app.WaitForShutdownAsync(cancellation).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
