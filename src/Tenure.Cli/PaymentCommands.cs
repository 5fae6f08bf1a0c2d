using System.CommandLine;
using System.Text.Json.Nodes;
using static Tenure.Cli.ClientCommands;

namespace Tenure.Cli;

/// <summary>
/// The money-moving commands: renew (one or a batch), unify, buy, spec-change, renew-downgrade, edition. Each quotes,
/// asks and pays through <see cref="Payment"/>; what is allowed is the server's decision, never the CLI's.
/// </summary>
internal static class PaymentCommands
{
    public static IEnumerable<Command> Create(Connection c) => [Renew(c), Unify(c), Buy(c), SpecChange(c), RenewDowngrade(c), Edition(c)];

    private static Option<bool> YesOption() => new("--yes") { Description = "Pay without asking after the quote (for scripts)." };

    private static Option<int> Months(string description) => CliInputs.Whole("--months", description, "months", 3);

    private static Command Renew(Connection c)
    {
        var yes = YesOption();
        var ids = new Argument<string[]>("ids")
        {
            Description = "Instance IDs (or one file with an ID per line, with --batch).", Arity = ArgumentArity.OneOrMore,
        };
        var months = Months("Months to renew (1–9, 12; products may allow 24, 36).");
        months.Required = true;
        var batch = new Option<bool>("--batch") { Description = "Renew several instances as one order (IDs, or a file of IDs)." };
        var command = c.With(new Command("renew", "Quote a renewal, confirm, and pay.") { ids, months, batch, yes });
        command.SetAction(parsed => c.Run(parsed, client =>
        {
            var targets = parsed.GetValue(ids)!.ToList();
            if (parsed.GetValue(batch) && targets.Count == 1 && File.Exists(targets[0]))
            {
                targets = [.. File.ReadAllLines(targets[0]).Select(l => l.Trim()).Where(l => l.Length > 0)];
            }

            if (targets.Count > 1 && !parsed.GetValue(batch))
            {
                client.Out.Error("several instances need --batch (one order for all).");
                return Task.FromResult(ExitCodes.Usage);
            }

            var period = parsed.GetValue(months);
            if (!parsed.GetValue(batch))
            {
                var path = $"v1/instances/{Uri.EscapeDataString(targets[0])}/renew";
                var one = new PaymentRoute(path, new JsonObject { ["periodMonths"] = period });
                return Payment.QuoteThenPay(client, one, parsed.GetValue(yes), (paid, _) =>
                    $"Paid order {paid["orderId"]}: {Money(paid["amount"], paid["currency"])} " +
                    $"({Money(paid["paidByCoupons"], paid["currency"])} from coupons); " +
                    $"{targets[0]} now expires {client.Out.Time(paid["newExpiresAt"])}.");
            }

            // A batch is one order (R7.5), whatever its size: one quote, one confirmation, one payment, never parts.
            var items = new JsonArray([.. targets.Select(id =>
                (JsonNode)new JsonObject { ["instanceId"] = id, ["periodMonths"] = period })]);
            var route = new PaymentRoute("v1/renewals/quote", "v1/renewals", new JsonObject { ["items"] = items });
            return Payment.QuoteThenPay(client, route, parsed.GetValue(yes), (paid, _) =>
                $"Paid order {paid["orderId"]}: {Money(paid["total"], paid["currency"])} " +
                $"({Money(paid["paidByCoupons"], paid["currency"])} from coupons) " +
                $"for {targets.Count} instance(s).");
        }));
        return command;
    }

    private static Command Unify(Connection c)
    {
        var yes = YesOption();
        var day = CliInputs.Whole("--day", "Day of month, 1–28.", "days (a day of the month)", 1);
        day.Required = true;
        var ids = new Argument<string[]>("ids") { Description = "ECS instance IDs.", Arity = ArgumentArity.OneOrMore };
        var command = c.With(new Command("unify", "Extend instances to one day of the month (unified expiry), paying the added days.")
        {
            day, ids, yes,
        });
        command.SetAction(parsed => c.Run(parsed, client =>
        {
            var body = new JsonObject
            {
                ["instanceIds"] = new JsonArray([.. parsed.GetValue(ids)!.Select(id => (JsonNode)id)]),
                ["dayOfMonth"] = parsed.GetValue(day),
            };
            return Payment.QuoteThenPay(client, new PaymentRoute("v1/renewals/unify-expiry", body), parsed.GetValue(yes), (paid, _) =>
                $"Paid {Payment.Amount(paid)}: {paid["items"]!.AsArray().Count} instance(s) now expire on day {parsed.GetValue(day)}.");
        }));
        return command;
    }

    private static Command Buy(Connection c)
    {
        var yes = YesOption();
        var product = new Option<string>("--product")
        {
            Description = "Product code (ecs, mqtt, rocketmq, oss-package, event-ticket).", Required = true,
        };
        var region = new Option<string>("--region") { Description = "Region, e.g. cn-hangzhou.", Required = true };
        var spec = new Option<string>("--spec") { Description = "Spec code, e.g. ecs.small.", Required = true };
        var edition = new Option<string?>("--edition") { Description = "Edition, for products that have them." };
        var months = Months("Subscription period in months (1–9, 12; products may allow 24, 36).");
        months.DefaultValueFactory = _ => 1;
        var payg = new Option<bool>("--payg") { Description = "Pay as you go instead of a subscription." };
        var auto = new Option<bool>("--auto-renew") { Description = "Renew automatically before expiry." };
        var command = c.With(new Command("buy", "Quote a purchase, confirm, and pay (R2.3).")
        {
            product, region, spec, edition, months, payg, auto, yes,
        });
        command.SetAction(parsed => c.Run(parsed, client =>
        {
            var body = new JsonObject
            {
                ["product"] = parsed.GetValue(product), ["region"] = parsed.GetValue(region), ["spec"] = parsed.GetValue(spec),
                ["chargeType"] = parsed.GetValue(payg) ? "payg" : "subscription",
            };
            if (parsed.GetValue(edition) is { } e) body["edition"] = e;
            if (!parsed.GetValue(payg)) body["periodMonths"] = parsed.GetValue(months);
            if (parsed.GetValue(auto)) body["autoRenew"] = true;
            var route = new PaymentRoute("v1/instances", body, purchase: true);
            return Payment.QuoteThenPay(client, route, parsed.GetValue(yes), (bought, quote) =>
                $"Bought {bought["id"]}: {bought["product"]} {bought["spec"]}, expires {client.Out.Time(bought["expiresAt"])}; " +
                $"paid {Payment.Amount(quote)}.");
        }));
        return command;
    }

    private static Command SpecChange(Connection c)
    {
        var yes = YesOption();
        var id = new Argument<string>("id") { Description = "Instance ID." };
        var spec = new Option<string>("--spec") { Description = "The new spec of the same edition (R6.1–R6.3).", Required = true };
        var command = c.With(new Command("spec-change", "Quote an upgrade or downgrade, confirm, and pay (a refund for a downgrade).")
        {
            id, spec, yes,
        });
        command.SetAction(parsed => c.Run(parsed, client =>
        {
            var path = $"v1/instances/{Uri.EscapeDataString(parsed.GetValue(id)!)}/spec-change";
            var route = new PaymentRoute(path, new JsonObject { ["spec"] = parsed.GetValue(spec) });
            return Payment.QuoteThenPay(client, route, parsed.GetValue(yes),
                (changed, quote) => changed["pendingChange"] is { } pending && pending.GetValueKind() != System.Text.Json.JsonValueKind.Null
                    ? $"{changed["id"]}: the change to {parsed.GetValue(spec)} waits for review; {Payment.Amount(quote)} was paid."
                    : $"{changed["id"]}: spec is now {changed["spec"]}; paid {Payment.Amount(quote)}.");
        }));
        return command;
    }

    private static Command RenewDowngrade(Connection c)
    {
        var yes = YesOption();
        var id = new Argument<string>("id") { Description = "Instance ID." };
        var months = Months("Months to renew.");
        months.Required = true;
        var spec = new Option<string?>("--spec") { Description = "A smaller spec for the renewed period (R6.4)." };
        var command = c.With(new Command("renew-downgrade", "Quote a renewal at a smaller spec, confirm, and pay.")
        {
            id, months, spec, yes,
        });
        command.SetAction(parsed => c.Run(parsed, client =>
        {
            var body = new JsonObject { ["periodMonths"] = parsed.GetValue(months) };
            if (parsed.GetValue(spec) is { } s) body["spec"] = s;
            var path = $"v1/instances/{Uri.EscapeDataString(parsed.GetValue(id)!)}/renew-downgrade";
            return Payment.QuoteThenPay(client, new PaymentRoute(path, body), parsed.GetValue(yes), (renewed, quote) =>
                $"{renewed["id"]}: {renewed["spec"]} until {client.Out.Time(renewed["expiresAt"])}; paid {Payment.Amount(quote)}.");
        }));
        return command;
    }

    private static Command Edition(Connection c)
    {
        var yes = YesOption();
        var id = new Argument<string>("id") { Description = "Instance ID." };
        var edition = new Option<string>("--edition") { Description = "The new edition (R6.6).", Required = true };
        var months = Months("Months of the new edition's subscription.");
        months.Required = true;
        var command = c.With(new Command("edition", "Quote an edition change, confirm, and pay.") { id, edition, months, yes });
        command.SetAction(parsed => c.Run(parsed, client =>
        {
            var body = new JsonObject { ["edition"] = parsed.GetValue(edition), ["periodMonths"] = parsed.GetValue(months) };
            var path = $"v1/instances/{Uri.EscapeDataString(parsed.GetValue(id)!)}/edition";
            return Payment.QuoteThenPay(client, new PaymentRoute(path, body), parsed.GetValue(yes), (changed, quote) =>
                $"{changed["id"]}: edition {changed["edition"]}, expires {client.Out.Time(changed["expiresAt"])}; " +
                $"paid {Payment.Amount(quote)}.");
        }));
        return command;
    }
}
