using System.CommandLine;
using NodaTime;
using Tenure.Engine.Payments;

namespace Tenure.Cli;

/// <summary><c>tenure dev …</c>: tools for running the whole flow on one machine.</summary>
public static class DevCommands
{
    /// <summary>
    /// <c>tenure dev gateway --port 5090</c>: the reference payment gateway (README, "Payments locally"): amounts ending in
    /// 01 decline hard, 02 decline soft, 03 are pending and succeed <c>--pending-seconds</c> later, anything else succeeds.
    /// </summary>
    public static Command Create(IClock clock)
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 to listen on.", DefaultValueFactory = _ => 5090 };
        var secret = new Option<string?>("--secret")
        {
            Description = "The shared secret (Tenure:Payments:Secret); default Tenure:Payments:Secret.",
        };
        var pending = new Option<double>("--pending-seconds")
        {
            Description = "How long an amount ending in 03 stays pending.",
            DefaultValueFactory = _ => 30,
        };
        var tenure = new Option<string?>("--tenure-url")
        {
            Description = "Tenure's base URL: a pending charge's result is posted to it when it settles.",
        };
        var gateway = new Command("gateway", "Run the reference payment gateway until Ctrl+C.") { port, secret, pending, tenure };
        gateway.SetAction(async (parsed, cancellation) =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var key = parsed.GetValue(secret) ?? Settings.Configuration["Tenure:Payments:Secret"];
            await using var server =
                new ReferenceGateway(clock, parsed.GetValue(port), key, parsed.GetValue(pending), parsed.GetValue(tenure));
            output.WriteLine($"Reference gateway on {server.Url} (set Tenure__Payments__GatewayUrl={server.Url}" +
                (key is null ? "; no secret: signatures are not checked)." : " and the same secret)."));
            output.WriteLine("Amounts ending in 01 decline hard, 02 decline soft, 03 are pending, anything else succeeds.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                var succeeded = server.Charges.Count(c => c.Status == "succeeded");
                output.WriteLine($"Stopped after {server.Charges.Count} charge(s), {succeeded} succeeded.");
            }

            return ExitCodes.Ok;
        });
        return new Command("dev", "Development tools.") { gateway };
    }
}
