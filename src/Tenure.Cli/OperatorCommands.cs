using System.CommandLine;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;
using static Tenure.Cli.ClientCommands;

namespace Tenure.Cli;

/// <summary>The operator's commands (operator key): accounts, test clocks and API keys.</summary>
internal static class OperatorCommands
{
    public static IEnumerable<Command> Create(Connection c) => [Accounts(c), Clock(c), Keys(c)];

    private static Command Accounts(Connection c)
    {
        var name = new Option<string>("--name") { Description = "The customer's name.", Required = true };
        var email = new Option<string>("--email") { Description = "Where notices go.", Required = true };
        var phone = new Option<string?>("--phone") { Description = "For SMS notices." };
        var clock = new Option<string?>("--clock") { Description = "A test clock ID: the account lives on that clock's time." };
        var noStop = new Option<bool>("--no-stop-on-expiry") { Description = "Instances keep running after expiry (R4.6)." };
        var create = c.With(new Command("create", "Create an account and print its API key (shown once).")
        {
            name, email, phone, clock, noStop,
        });
        create.SetAction(parsed => c.Run(parsed, async client =>
        {
            var body = new JsonObject { ["name"] = parsed.GetValue(name), ["email"] = parsed.GetValue(email) };
            if (parsed.GetValue(phone) is { } p) body["phone"] = p;
            if (parsed.GetValue(clock) is { } k) body["testClockId"] = k;
            if (parsed.GetValue(noStop)) body["noStopOnExpiry"] = true;
            var account = await client.Api.Post("v1/accounts", body).ConfigureAwait(false);
            client.Out.Line($"Account {account["id"]} ({account["name"]}); API key, shown once: {account["apiKey"]}");
            return ExitCodes.Ok;
        }));

        var list = c.Listing(new Command("list", "Every account with its balance and clock."));
        list.SetAction(parsed => c.Run(parsed, async client =>
        {
            var items = await client.All("v1/accounts?limit=500").ConfigureAwait(false);
            client.Out.List(items, ["Account", "Name", "Email", "Balance", "Clock"], items.Select(a => (IReadOnlyList<string>)
                [Text(a, "id"), Text(a, "name"), Text(a, "email"), Money(a!["balance"], a["currency"]), Text(a, "testClockId")]));
            return ExitCodes.Ok;
        }));

        var accountId = new Argument<string>("account") { Description = "Account ID." };
        var amount = CliInputs.Amount("--amount", "Amount in the account's currency, e.g. 50 or 12.50.");
        amount.Required = true;
        var topUp = c.With(new Command("top-up", "Add to an account's balance.") { accountId, amount });
        topUp.SetAction(parsed => c.Run(parsed, async client =>
        {
            var id = Uri.EscapeDataString(parsed.GetValue(accountId)!);
            var entry = await client.Api.Post($"v1/accounts/{id}/top-ups", new { amount = parsed.GetValue(amount) }).ConfigureAwait(false);
            var (added, balance) = (Money(entry["amount"], entry["currency"]), Money(entry["balance"], entry["currency"]));
            client.Out.Line($"Topped up {added}; balance {balance}.");
            return ExitCodes.Ok;
        }));

        var expires = new Option<string>("--expires")
        {
            Description = "When the coupon expires (billing zone, e.g. 2019-12-31 or 2019-12-31 23:59).", Required = true,
        };
        var product = new Option<string?>("--product") { Description = "Only for this product." };
        var coupon = c.With(new Command("coupon", "Grant a coupon to an account.") { accountId, amount, expires, product });
        coupon.SetAction(parsed => c.Run(parsed, async client =>
        {
            if (At(client, "--expires", parsed.GetValue(expires)!) is not { } at) return ExitCodes.Usage;
            var body = new JsonObject { ["amount"] = parsed.GetValue(amount), ["expiresAt"] = InstantPattern.ExtendedIso.Format(at) };
            if (parsed.GetValue(product) is { } p) body["product"] = p;
            var path = $"v1/accounts/{Uri.EscapeDataString(parsed.GetValue(accountId)!)}/coupons";
            var granted = await client.Api.Post(path, body).ConfigureAwait(false);
            var only = granted["product"] is { } only2 ? $" for {only2}" : string.Empty;
            var worth = Money(granted["amount"], granted["currency"]);
            client.Out.Line($"Coupon {granted["id"]}: {worth}{only}, expires {client.Out.Time(granted["expiresAt"])}.");
            return ExitCodes.Ok;
        }));
        return new Command("accounts", "Accounts (operator key): create, list, top up, grant coupons.") { create, list, topUp, coupon };
    }

    private static Command Clock(Connection c)
    {
        var frozen = new Option<string>("--at")
        {
            Description = "Frozen time (billing zone, e.g. 2019-03-20 10:00, or UTC like 2019-03-20T02:00:00Z).", Required = true,
        };
        var create = c.With(new Command("create", "Create a test clock (operator key).") { frozen });
        create.SetAction(parsed => c.Run(parsed, async client =>
        {
            if (At(client, "--at", parsed.GetValue(frozen)!) is not { } at) return ExitCodes.Usage;
            var body = new { frozenTime = InstantPattern.ExtendedIso.Format(at) };
            var clock = await client.Api.Post("v1/test-clocks", body).ConfigureAwait(false);
            client.Out.Line($"{clock["id"]} frozen at {client.Out.Time(clock["frozenTime"])}");
            return ExitCodes.Ok;
        }));

        var list = c.Listing(new Command("list", "Every test clock and its time (operator key)."));
        list.SetAction(parsed => c.Run(parsed, async client =>
        {
            var items = await client.All("v1/test-clocks").ConfigureAwait(false);
            client.Out.List(items, ["Clock", "Frozen at"], items.Select(k =>
                (IReadOnlyList<string>)[Text(k, "id"), client.Out.Time(k!["frozenTime"])]));
            return ExitCodes.Ok;
        }));

        var clockId = new Argument<string>("id") { Description = "Test clock ID." };
        var to = new Option<string>("--to")
        {
            Description = "Advance to this time (billing zone, or UTC like 2019-03-27T00:00:00Z).", Required = true,
        };
        var advance = c.With(new Command("advance", "Advance a test clock, running every event that falls due (operator key).")
        {
            clockId, to,
        });
        advance.SetAction(parsed => c.Run(parsed, async client =>
        {
            if (At(client, "--to", parsed.GetValue(to)!) is not { } target) return ExitCodes.Usage;
            var path = $"v1/test-clocks/{Uri.EscapeDataString(parsed.GetValue(clockId)!)}";
            var from = InstantPattern.ExtendedIso.Parse((await client.Api.Get(path).ConfigureAwait(false))["frozenTime"]!.ToString()).Value;
            var (events, reached) = await Advance(client, path, from, target).ConfigureAwait(false);
            client.Out.Line($"{parsed.GetValue(clockId)} now at {client.Out.Time(reached)}: {events} event(s) ran.");
            return ExitCodes.Ok;
        }));
        return new Command("clock", "Test clocks (operator key): create, list, advance.") { create, list, advance };
    }

    private static Command Keys(Connection c)
    {
        var accountId = new Argument<string>("account") { Description = "Account ID." };
        var create = c.With(new Command("create", "Issue a new API key for an account (shown once).") { accountId });
        create.SetAction(parsed => c.Run(parsed, async client =>
        {
            var path = $"v1/accounts/{Uri.EscapeDataString(parsed.GetValue(accountId)!)}/keys";
            var key = await client.Api.Post(path, new { }).ConfigureAwait(false);
            client.Out.Line($"Key {key["id"]}, shown once: {key["apiKey"]}");
            return ExitCodes.Ok;
        }));

        var list = c.Listing(new Command("list", "An account's keys: prefix, created, last used, revoked (never the secret).")
        {
            accountId,
        });
        list.SetAction(parsed => c.Run(parsed, async client =>
        {
            var items = await client.All($"v1/accounts/{Uri.EscapeDataString(parsed.GetValue(accountId)!)}/keys").ConfigureAwait(false);
            Func<System.Text.Json.Nodes.JsonNode?, string> time = client.Out.Time;
            client.Out.List(items, ["Key", "Prefix", "Created", "Last used", "Revoked"], items.Select(k => (IReadOnlyList<string>)
                [Text(k, "id"), Text(k, "prefix"), time(k!["createdAt"]), time(k["lastUsedAt"]), time(k["revokedAt"])]));
            return ExitCodes.Ok;
        }));

        var keyId = new Argument<string>("key") { Description = "Key ID (from keys list)." };
        var revoke = c.With(new Command("revoke", "Revoke a key at once.") { accountId, keyId });
        revoke.SetAction(parsed => c.Run(parsed, async client =>
        {
            var (account, key) = (Uri.EscapeDataString(parsed.GetValue(accountId)!), Uri.EscapeDataString(parsed.GetValue(keyId)!));
            var path = $"v1/accounts/{account}/keys/{key}";
            var revoked = await client.Api.Delete(path).ConfigureAwait(false);
            client.Out.Line($"Key {revoked["id"]} revoked at {client.Out.Time(revoked["revokedAt"])}.");
            return ExitCodes.Ok;
        }));
        return new Command("keys", "API keys of an account (operator key): create, list, revoke.") { create, list, revoke };
    }

    private static Instant? At(Client client, string name, string text)
    {
        if (CliInputs.Time(text, client.Out.Zone) is { } at) return at;
        client.Out.Error(CliInputs.TimeError(name, text));
        return null;
    }

    /// <summary>
    /// Day by day, so that a bar shows how far the clock is; the events are the same as in one step (each runs on its own time).
    /// </summary>
    private static async Task<(int Events, Instant Reached)> Advance(Client client, string path, Instant from, Instant target)
    {
        var days = Math.Max(1, (int)Math.Ceiling((target - from).TotalDays));
        var step = Duration.FromDays(Math.Max(1, (days + 399) / 400)); // at most 400 requests
        var (events, reached) = (0, from);
        async Task Steps(ProgressTask? bar)
        {
            do
            {
                reached = reached + step < target ? reached + step : target;
                var body = new { to = InstantPattern.ExtendedIso.Format(reached) };
                var clock = await client.Api.Post($"{path}/advance", body).ConfigureAwait(false);
                events += clock["eventsProcessed"]?.GetValue<int>() ?? 0;
                if (bar is null) continue;
                bar.Value = Math.Min(days, (reached - from).TotalDays);
                bar.Description = $"Advancing the clock: {client.Out.Time(reached)}, {events} event(s)";
            }
            while (reached < target);
        }

        // A bar only on a terminal: piped, it would leave its redraws in the output.
        if (client.Out.IsTerminal)
        {
            await client.Out.Console.Progress()
                .StartAsync(p => Steps(p.AddTask("Advancing the clock", maxValue: days))).ConfigureAwait(false);
        }
        else
        {
            await Steps(null).ConfigureAwait(false);
        }

        return (events, reached);
    }
}
