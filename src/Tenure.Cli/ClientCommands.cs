using System.CommandLine;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;
using Tenure.Api;

namespace Tenure.Cli;

/// <summary>
/// The client commands: talk to a running server. Exit codes: 0 done, 1 refused by the server
/// (its problem+json is printed), 2 bad arguments, 3 the server could not be reached.
/// </summary>
public static class ClientCommands
{
    public const int Unreachable = 3;

    private sealed class Connection
    {
        public Option<string> Server { get; } = new("--server") { Description = "Server URL (or TENURE_SERVER).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TENURE_SERVER") ?? "http://127.0.0.1:5080" };

        public Option<string?> Key { get; } = new("--key") { Description = "API key (or TENURE_KEY).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TENURE_KEY") };

        public Command With(Command command)
        {
            command.Options.Add(Server);
            command.Options.Add(Key);
            return command;
        }
    }

    public static IEnumerable<Command> Create(IAnsiConsole console, Func<HttpMessageHandler?>? handler = null)
    {
        var c = new Connection();

        int Run(ParseResult parsed, Func<ApiClient, Task<int>> action)
        {
            var error = parsed.InvocationConfiguration.Error;
            if (parsed.GetValue(c.Key) is not { Length: > 0 } key)
            {
                error.WriteLine("error: no API key: pass --key or set TENURE_KEY.");
                return ExitCodes.Usage;
            }

            try
            {
                return action(ApiClient.Create(parsed.GetValue(c.Server)!, key, handler?.Invoke())).GetAwaiter().GetResult();
            }
            catch (ApiProblem problem)
            {
                error.WriteLine($"error: {problem.Code} ({problem.Status}): {problem.Detail}");
                return problem.Status == 400 ? ExitCodes.Usage : ExitCodes.Refused;
            }
            catch (HttpRequestException e)
            {
                error.WriteLine($"error: cannot reach {parsed.GetValue(c.Server)}: {e.Message}");
                return Unreachable;
            }
        }

        // tenure instances list|show
        var tab = new Option<string?>("--tab") { Description = "Renewal tab: manual, auto or noRenew." };
        tab.AcceptOnlyFromAmong("manual", "auto", "noRenew");
        var product = new Option<string?>("--product") { Description = "Only this product." };
        var within = new Option<int?>("--expires-within") { Description = "Only instances expiring within N days." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var list = c.With(new Command("list", "The renewal list: renewable instances with expiry, days left and mode.") { tab, product, within, json });
        list.SetAction(parsed => Run(parsed, async api =>
        {
            var query = new List<string> { "renewable=true", "limit=500" };
            if (parsed.GetValue(tab) is { } t) query.Add($"renewalMode={t}");
            if (parsed.GetValue(product) is { } p) query.Add($"product={Uri.EscapeDataString(p)}");
            if (parsed.GetValue(within) is { } w) query.Add($"expiresWithinDays={w}");
            var page = await api.Get("v1/instances?" + string.Join('&', query)).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                parsed.InvocationConfiguration.Output.WriteLine(page["items"]!.ToJsonString());
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("Instance", "Product", "Spec", "Region", "Status", "Expires (UTC)", "Mode", "Auto-renew");
            foreach (var i in page["items"]!.AsArray())
            {
                table.AddRow(Text(i, "id"), Text(i, "product"), Text(i, "spec"), Text(i, "region"), Text(i, "status"), Text(i, "expiresAt"),
                    Text(i!["renewal"], "mode"), i["renewal"]!["autoRenewMonths"] is { } m ? $"{m} month(s)" : "-");
            }

            console.Write(table);
            return ExitCodes.Ok;
        }));

        var showId = new Argument<string>("id") { Description = "Instance ID." };
        var show = c.With(new Command("show", "One instance with its timeline.") { showId });
        show.SetAction(parsed => Run(parsed, async api =>
        {
            var id = Uri.EscapeDataString(parsed.GetValue(showId)!);
            var instance = await api.Get($"v1/instances/{id}").ConfigureAwait(false);
            var events = await api.Get($"v1/instances/{id}/events?limit=500").ConfigureAwait(false);
            var grid = new Grid().AddColumn().AddColumn();
            foreach (var field in new[] { "id", "product", "spec", "status", "expiresAt", "chargeType" }) grid.AddRow(field, Text(instance, field));
            grid.AddRow("renewal", $"{Text(instance["renewal"], "mode")} {instance["renewal"]!["autoRenewMonths"]}");
            grid.AddRow("next event", instance["nextEvent"] is { } next ? $"{next["kind"]} at {next["at"]}" : "-");
            console.Write(grid);
            var schedule = await api.Get($"v1/instances/{id}/schedule").ConfigureAwait(false);
            var timeline = new Table().AddColumns("At (UTC)", "Event", "Detail");
            foreach (var e in events["items"]!.AsArray()) timeline.AddRow(Text(e, "at"), Text(e, "kind"), Text(e, "detail"));
            timeline.AddRow($"[bold]{Text(schedule, "now")}[/]", "[bold]now[/]", string.Empty);
            foreach (var e in schedule["items"]!.AsArray()) timeline.AddRow(Text(e, "at"), Text(e, "kind"), "planned");
            console.Write(timeline);
            return ExitCodes.Ok;
        }));
        var instances = new Command("instances", "List and show instances.") { list, show };

        // tenure renew ID --months N [--yes] | tenure renew --batch FILE|IDs…
        var ids = new Argument<string[]>("ids") { Description = "Instance IDs (or one file with an ID per line, with --batch).", Arity = ArgumentArity.OneOrMore };
        var months = new Option<int>("--months") { Description = "Months to renew (1–9, 12; products may allow 24, 36).", Required = true };
        var batch = new Option<bool>("--batch") { Description = "Renew several instances as one order (IDs, or a file of IDs)." };
        var yes = new Option<bool>("--yes") { Description = "Pay without asking after the quote." };
        var renew = c.With(new Command("renew", "Quote a renewal, confirm, and pay.") { ids, months, batch, yes });
        renew.SetAction(parsed => Run(parsed, async api =>
        {
            var targets = parsed.GetValue(ids)!.ToList();
            if (parsed.GetValue(batch) && targets.Count == 1 && File.Exists(targets[0])) targets = [.. File.ReadAllLines(targets[0]).Select(l => l.Trim()).Where(l => l.Length > 0)];
            if (targets.Count > 1 && !parsed.GetValue(batch))
            {
                parsed.InvocationConfiguration.Error.WriteLine("error: several instances need --batch (one order for all).");
                return ExitCodes.Usage;
            }

            // A batch is one order (R7.5), whatever its size: one quote, one confirmation, one payment, never parts.
            var items = targets.Select(id => new { instanceId = id, periodMonths = parsed.GetValue(months) }).ToList();
            var quote = await api.Post("v1/renewals/quote", new { items }).ConfigureAwait(false);
            var table = new Table().AddColumns("Instance", "Expires now (UTC)", "New expiry (UTC)", "Amount");
            foreach (var q in quote["items"]!.AsArray())
            {
                table.AddRow(Text(q, "instanceId"), Text(q, "currentExpiresAt"), Text(q, "newExpiresAt"), Money(q!["amount"], quote["currency"]));
            }

            console.Write(table);
            var many = items.Count > 1 ? $" for {items.Count} instances in one order" : string.Empty;
            console.WriteLine($"Total: {Money(quote["total"], quote["currency"])}{many}");
            if (!parsed.GetValue(yes))
            {
                if (!console.Profile.Capabilities.Interactive || Console.IsInputRedirected)
                {
                    parsed.InvocationConfiguration.Error.WriteLine("error: not a terminal: pass --yes to pay the quote.");
                    return ExitCodes.Usage;
                }

                if (!console.Confirm("Pay this quote?", defaultValue: false)) return ExitCodes.Ok;
            }

            var paid = await api.Post("v1/renewals", new { items }).ConfigureAwait(false);
            var coupons = Money(paid["paidByCoupons"], paid["currency"]);
            console.WriteLine($"Paid order {paid["orderId"]}: {Money(paid["total"], paid["currency"])} ({coupons} from coupons).");
            return ExitCodes.Ok;
        }));

        // tenure auto-renew ID --months N | --manual | --no-renew
        var autoId = new Argument<string>("id") { Description = "Instance ID." };
        var autoMonths = new Option<int?>("--months") { Description = "Turn auto-renewal on for this period (1, 2, 3, 6 or 12 months)." };
        var manual = new Option<bool>("--manual") { Description = "Back to manual renewal." };
        var noRenew = new Option<bool>("--no-renew") { Description = "Do not renew on expiry." };
        var auto = c.With(new Command("auto-renew", "Set an instance's renewal mode.") { autoId, autoMonths, manual, noRenew });
        auto.SetAction(parsed => Run(parsed, async api =>
        {
            var chosen = (parsed.GetValue(autoMonths) is not null ? 1 : 0) + (parsed.GetValue(manual) ? 1 : 0) + (parsed.GetValue(noRenew) ? 1 : 0);
            if (chosen != 1)
            {
                parsed.InvocationConfiguration.Error.WriteLine("error: choose exactly one of --months N, --manual, --no-renew.");
                return ExitCodes.Usage;
            }

            object body = parsed.GetValue(autoMonths) is { } m ? new { mode = "auto", autoRenewMonths = m } : new { mode = parsed.GetValue(manual) ? "manual" : "noRenew" };
            var instance = await api.Put($"v1/instances/{Uri.EscapeDataString(parsed.GetValue(autoId)!)}/renewal", body).ConfigureAwait(false);
            console.WriteLine($"{instance["id"]}: {instance["renewal"]!["mode"]}{(instance["renewal"]!["autoRenewMonths"] is { } months2 ? $", {months2} month(s)" : string.Empty)}; next {instance["nextEvent"]?["kind"]} at {instance["nextEvent"]?["at"]}");
            return ExitCodes.Ok;
        }));

        // tenure unify --day D IDs…
        var day = new Option<int>("--day") { Description = "Day of month, 1–28.", Required = true };
        var unifyIds = new Argument<string[]>("ids") { Description = "ECS instance IDs.", Arity = ArgumentArity.OneOrMore };
        var unify = c.With(new Command("unify", "Extend instances to one day of the month (unified expiry), paying the added days.") { day, unifyIds, yes });
        unify.SetAction(parsed => Run(parsed, async api =>
        {
            var body = new { instanceIds = parsed.GetValue(unifyIds), dayOfMonth = parsed.GetValue(day), quoteOnly = !parsed.GetValue(yes) };
            var result = await api.Post("v1/renewals/unify-expiry", body).ConfigureAwait(false);
            foreach (var q in result["items"]!.AsArray()) console.WriteLine($"{q!["instanceId"]}: {q["currentExpiresAt"]} → {q["newExpiresAt"]} for {Money(q["amount"], result["currency"])}");
            console.WriteLine(parsed.GetValue(yes) ? $"Paid {Money(result["total"], result["currency"])}." : $"Quote: {Money(result["total"], result["currency"])}; run again with --yes to pay.");
            return ExitCodes.Ok;
        }));

        // tenure clock create|advance
        var frozen = new Option<string>("--at") { Description = "Frozen instant, UTC (e.g. 2019-03-20T00:00:00Z).", Required = true };
        var create = c.With(new Command("create", "Create a test clock (operator key).") { frozen });
        create.SetAction(parsed => Run(parsed, async api =>
        {
            var clock = await api.Post("v1/test-clocks", new { frozenTime = parsed.GetValue(frozen) }).ConfigureAwait(false);
            console.WriteLine($"{clock["id"]} frozen at {clock["frozenTime"]}");
            return ExitCodes.Ok;
        }));
        var clockId = new Argument<string>("id") { Description = "Test clock ID." };
        var to = new Option<string>("--to") { Description = "Advance to this instant, UTC.", Required = true };
        var advance = c.With(new Command("advance", "Advance a test clock, running every event that falls due (operator key).") { clockId, to });
        advance.SetAction(parsed => Run(parsed, async api =>
        {
            var path = $"v1/test-clocks/{Uri.EscapeDataString(parsed.GetValue(clockId)!)}";
            var target = InstantPattern.ExtendedIso.Parse(parsed.GetValue(to)!);
            if (!target.Success)
            {
                parsed.InvocationConfiguration.Error.WriteLine("error: --to is an ISO-8601 UTC instant like 2019-03-27T00:00:00Z.");
                return ExitCodes.Usage;
            }

            // Day by day, so the bar shows how far the clock is; the events are the same as in one step (each runs on its own time).
            var from = InstantPattern.ExtendedIso.Parse((await api.Get(path).ConfigureAwait(false))["frozenTime"]!.ToString()).Value;
            var days = Math.Max(1, (int)Math.Ceiling((target.Value - from).TotalDays));
            var step = Duration.FromDays(Math.Max(1, (days + 399) / 400)); // at most 400 requests
            var (events, reached) = (0, from);
            await console.Progress().StartAsync(async progress =>
            {
                var bar = progress.AddTask("Advancing the clock", maxValue: days);
                do
                {
                    reached = reached + step < target.Value ? reached + step : target.Value;
                    var clock = await api.Post($"{path}/advance", new { to = InstantPattern.ExtendedIso.Format(reached) }).ConfigureAwait(false);
                    events += clock["eventsProcessed"]?.GetValue<int>() ?? 0;
                    bar.Value = Math.Min(days, (reached - from).TotalDays);
                    bar.Description = $"Advancing the clock: {InstantPattern.ExtendedIso.Format(reached)}, {events} event(s)";
                }
                while (reached < target.Value);
            }).ConfigureAwait(false);
            console.WriteLine($"{parsed.GetValue(clockId)} now at {InstantPattern.ExtendedIso.Format(reached)}: {events} event(s) ran.");
            return ExitCodes.Ok;
        }));
        var clockCommand = new Command("clock", "Test clocks.") { create, advance };

        // tenure forecast
        var days = new Option<int>("--days") { Description = "Days ahead.", DefaultValueFactory = _ => 30 };
        var forecast = c.With(new Command("forecast", "Auto-renew charges falling due, and whether coupons and balance cover them.") { days });
        forecast.SetAction(parsed => Run(parsed, async api =>
        {
            var result = await api.Get($"v1/renewals/forecast?days={parsed.GetValue(days)}").ConfigureAwait(false);
            var table = new Table().AddColumns("Instance", "At (UTC)", "Amount");
            foreach (var i in result["items"]!.AsArray()) table.AddRow(Text(i, "instanceId"), Text(i, "at"), Money(i!["amount"], result["currency"]));
            console.Write(table);
            console.WriteLine($"Total {Money(result["total"], result["currency"])}; " +
                (result["covered"]!.GetValue<bool>() ? "covered." : $"short by {Money(result["shortfall"], result["currency"])}."));
            return ExitCodes.Ok;
        }));

        return [instances, renew, auto, unify, clockCommand, forecast];
    }

    private static string Text(JsonNode? node, string field) => Markup.Escape(node?[field]?.ToString() ?? "-");

    private static string Money(JsonNode? minor, JsonNode? currency) =>
        minor is null ? "-" : new Domain.Money.Money(minor.GetValue<long>(), currency?.ToString() ?? string.Empty).ToString();
}
