using System.CommandLine;
using System.Text.Json.Nodes;
using static Tenure.Cli.ClientCommands;

namespace Tenure.Cli;

/// <summary><c>tenure instances list|show</c>, <c>tenure auto-renew</c> and <c>tenure forecast</c>: what a customer reads.</summary>
internal static class InstanceCommands
{
    public static IEnumerable<Command> Create(Connection c) => [Instances(c), AutoRenew(c), Forecast(c)];

    private static Command Instances(Connection c)
    {
        var tab = new Option<string?>("--tab") { Description = "Renewal tab: manual, auto or noRenew." };
        tab.AcceptOnlyFromAmong("manual", "auto", "noRenew");
        var product = new Option<string?>("--product") { Description = "Only this product." };
        var within = CliInputs.OptionalWhole("--expires-within", "Only instances expiring within N days.", "days", 7);
        var list = c.Listing(new Command("list", "The renewal list: renewable instances with expiry, days left and mode (every page).")
        {
            tab, product, within,
        });
        list.SetAction(parsed => c.Run(parsed, async client =>
        {
            var query = new List<string> { "renewable=true", "limit=500" };
            if (parsed.GetValue(tab) is { } t) query.Add($"renewalMode={t}");
            if (parsed.GetValue(product) is { } p) query.Add($"product={Uri.EscapeDataString(p)}");
            if (parsed.GetValue(within) is { } w) query.Add($"expiresWithinDays={w}");
            var items = await client.All("v1/instances?" + string.Join('&', query)).ConfigureAwait(false);
            string[] columns = ["Instance", "Product", "Spec", "Region", "Status", "Expires", "Days left", "Mode", "Auto-renew"];
            client.Out.List(items, columns, items.Select(i => (IReadOnlyList<string>)
                [Text(i, "id"), Text(i, "product"), Text(i, "spec"), Text(i, "region"), Text(i, "status"),
                    client.Out.Time(i!["expiresAt"]), Text(i, "daysLeft"), Text(i["renewal"], "mode"), AutoMonths(i)]));
            return ExitCodes.Ok;
        }));

        var showId = new Argument<string>("id") { Description = "Instance ID." };
        var show = c.Listing(new Command("show", "One instance with its timeline: past events, now, and what is planned.") { showId });
        show.SetAction(parsed => c.Run(parsed, async client =>
        {
            var id = Uri.EscapeDataString(parsed.GetValue(showId)!);
            var instance = await client.Api.Get($"v1/instances/{id}").ConfigureAwait(false);
            var events = await client.All($"v1/instances/{id}/events?limit=500").ConfigureAwait(false);
            var schedule = await client.Api.Get($"v1/instances/{id}/schedule").ConfigureAwait(false);
            Func<System.Text.Json.Nodes.JsonNode?, string> time = client.Out.Time;
            var rows = new List<IReadOnlyList<string>>();
            foreach (var e in events) rows.Add([time(e!["at"]), Text(e, "kind"), Text(e, "detail")]);
            rows.Add([time(schedule["now"]), "now", string.Empty]);
            foreach (var e in schedule["items"]!.AsArray()) rows.Add([time(e!["at"]), Text(e, "kind"), "planned"]);
            var json = new JsonObject { ["instance"] = instance.DeepClone(), ["events"] = events, ["schedule"] = schedule.DeepClone() };
            var next = instance["nextEvent"] is { } n ? $"{n["kind"]} at {time(n["at"])}" : "-";
            client.Out.List(json, ["Field", "Value"], [
                ["id", Text(instance, "id")], ["product", Text(instance, "product")], ["spec", Text(instance, "spec")],
                ["status", Text(instance, "status")], ["expires", time(instance["expiresAt"])], ["days left", Text(instance, "daysLeft")],
                ["charge type", Text(instance, "chargeType")], ["renewal", $"{Text(instance["renewal"], "mode")} {AutoMonths(instance)}"],
                ["next event", next]]);
            client.Out.List(null, ["At", "Event", "Detail"], rows);
            return ExitCodes.Ok;
        }));
        return new Command("instances", "List and show instances.") { list, show };
    }

    private static Command AutoRenew(Connection c)
    {
        var id = new Argument<string>("id") { Description = "Instance ID." };
        var months = CliInputs.OptionalWhole("--months", "Turn auto-renewal on for this period (1, 2, 3, 6 or 12 months).", "months", 1);
        var manual = new Option<bool>("--manual") { Description = "Back to manual renewal." };
        var noRenew = new Option<bool>("--no-renew") { Description = "Do not renew on expiry." };
        var command = c.With(new Command("auto-renew", "Set an instance's renewal mode.") { id, months, manual, noRenew });
        command.SetAction(parsed => c.Run(parsed, async client =>
        {
            var chosen = (parsed.GetValue(months) is not null ? 1 : 0) + (parsed.GetValue(manual) ? 1 : 0)
                + (parsed.GetValue(noRenew) ? 1 : 0);
            if (chosen != 1)
            {
                client.Out.Error("choose exactly one of --months N, --manual, --no-renew.");
                return ExitCodes.Usage;
            }

            object body = parsed.GetValue(months) is { } m
                ? new { mode = "auto", autoRenewMonths = m }
                : new { mode = parsed.GetValue(manual) ? "manual" : "noRenew" };
            var path = $"v1/instances/{Uri.EscapeDataString(parsed.GetValue(id)!)}/renewal";
            var instance = await client.Api.Put(path, body).ConfigureAwait(false);
            var auto = AutoMonths(instance) is var a && a != "-" ? $", {a}" : string.Empty;
            var next = instance["nextEvent"] is { } n ? $"; next {n["kind"]} at {client.Out.Time(n["at"])}" : string.Empty;
            client.Out.Line($"{instance["id"]}: {instance["renewal"]!["mode"]}{auto}{next}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Forecast(Connection c)
    {
        var days = CliInputs.Whole("--days", "Days ahead.", "days", 30);
        days.DefaultValueFactory = _ => 30;
        var command = c.Listing(new Command("forecast", "Auto-renew charges falling due, and whether coupons and balance cover them.")
        {
            days,
        });
        command.SetAction(parsed => c.Run(parsed, async client =>
        {
            var result = await client.Api.Get($"v1/renewals/forecast?days={parsed.GetValue(days)}").ConfigureAwait(false);
            client.Out.List(result, ["Instance", "At", "Amount"], result["items"]!.AsArray().Select(i =>
                (IReadOnlyList<string>)[Text(i, "instanceId"), client.Out.Time(i!["at"]), Money(i["amount"], result["currency"])]));
            var covered = result["covered"]!.GetValue<bool>() ? "covered." : $"short by {Money(result["shortfall"], result["currency"])}.";
            client.Out.Summary($"Total {Money(result["total"], result["currency"])}; {covered}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string AutoMonths(JsonNode? instance) =>
        instance?["renewal"]?["autoRenewMonths"] is { } m ? $"{m} month(s)" : "-";
}
