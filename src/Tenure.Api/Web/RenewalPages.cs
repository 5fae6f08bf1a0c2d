using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Tenure.Api.Web;

/// <summary>The renewal list's filters, as the page's GET form sends them.</summary>
public sealed record RenewalFilters(string Tab, string? Product, string? Region, string? Status, int? ExpiresWithinDays, string? AccountId)
{
    /// <summary>The API query of the list (R8.1: <c>renewable=true</c>, one tab per renewal mode).</summary>
    public string ApiQuery(string? cursor = null) => $"renewable=true&renewalMode={Tab}{Parts(cursor)}";

    /// <summary>The API query of the tab counts: the same filters, every tab.</summary>
    public string CountsQuery() => Parts(null).TrimStart('&');

    /// <summary>The console's own query for these filters (tab links, next page, CSV).</summary>
    public string PageQuery(string? cursor = null) => $"tab={Tab}{Parts(cursor)}";

    private string Parts(string? cursor) =>
        string.Concat(Part("product", Product), Part("region", Region), Part("status", Status),
            Part("expiresWithinDays", ExpiresWithinDays?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Part("accountId", AccountId), Part("cursor", cursor));

    private static string Part(string name, string? value) =>
        string.IsNullOrEmpty(value) ? string.Empty : $"&{name}={Uri.EscapeDataString(value)}";
}

/// <summary>A hidden form field of a confirm step.</summary>
public sealed record Hidden(string Name, string Value);

/// <summary>Seed 003's renewal management: the three tabs, batch renewal through a quote, batch auto-renew, unified expiry, CSV.</summary>
public static partial class WebConsole
{
    private static readonly string[] Tabs = ["manual", "auto", "noRenew"];

    private static void MapRenewals(RouteGroupBuilder console)
    {
        console.MapGet("/renewals", (HttpContext http, string? tab, string? product, string? region, string? status,
                string? expiresWithinDays, string? accountId, string? cursor, string? notice, string? error, string? code) =>
            SignedIn(http, async (user, client) =>
            {
                var filters = Filters(tab, product, region, status, expiresWithinDays, accountId);
                var page = await client.Get<Page<InstanceDto>>($"/v1/instances?{filters.ApiQuery(cursor)}&limit=100").ConfigureAwait(false);
                // Seed 003's tab counts, counted by the API under the same filters.
                var counted = await client.Get<RenewalCountsDto>($"/v1/renewals/counts?{filters.CountsQuery()}").ConfigureAwait(false);
                var counts = new Dictionary<string, long>(StringComparer.Ordinal)
                {
                    ["manual"] = counted.Manual, ["auto"] = counted.Auto, ["noRenew"] = counted.NoRenew,
                };
                return Page<RenewalsPage>(new Frame(user, "Renewal management", notice, error, code),
                    new { Filters = filters, List = page, Back = http.Request.Path + http.Request.QueryString, Counts = counts });
            }));
        console.MapGet("/renewals.csv", (HttpContext http, string? tab, string? product, string? region, string? status,
                string? expiresWithinDays, string? accountId) =>
            SignedIn(http, async (_, client) =>
            {
                var query = Filters(tab, product, region, status, expiresWithinDays, accountId).ApiQuery();
                var csv = await client.GetText($"/v1/instances?{query}", "text/csv").ConfigureAwait(false);
                return Results.File(System.Text.Encoding.UTF8.GetBytes(csv), "text/csv", "renewals.csv");
            }));
        console.MapPost("/renewals/quote", Handler(http => SignedIn(http, async (user, client) =>
        {
            var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
            return Quoted(user, await QuoteBatch(client, form).ConfigureAwait(false));
        })));
        console.MapPost("/renewals/pay", Handler(http => SignedIn(http, async (user, client) =>
        {
            var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
            return await PayOrRequote(user, async () =>
            {
                var months = Number(form["months"].ToString(), "Months");
                var (ids, _) = await Batch(client, form).ConfigureAwait(false);
                var body = new RenewalBatch([.. ids.Select(id => new RenewalItem(id, months))], QuoteId(form));
                var (paid, pending) = await client.Pay<BatchResult>("/v1/renewals", body, form["idempotencyKey"]).ConfigureAwait(false);
                if (pending is not null)
                {
                    return (Local(form["back"].ToString(), "/console/renewals"),
                        Show.Text("Payment {0} is pending; the renewal is applied once it succeeds.", pending.PaymentId));
                }

                return (Local(form["back"].ToString(), "/console/renewals"),
                    Show.Text("Renewed {0} instance(s) in order {1}: {2} ({3} by coupons, {4} from balance).", paid!.Items.Count,
                        paid.OrderId, Show.Money(paid.Total, paid.Currency), Show.Money(paid.PaidByCoupons, paid.Currency),
                        Show.Money(paid.PaidByBalance, paid.Currency)));
            }, () => QuoteBatch(client, form)).ConfigureAwait(false);
        })));
        console.MapPost("/renewals/settings", Handler(http => Posted(http, async (_, client, form) =>
        {
            var (ids, _) = await Batch(client, form).ConfigureAwait(false);
            var mode = Enum.TryParse<Domain.Instances.RenewalMode>(form["mode"], ignoreCase: true, out var m)
                ? m
                : throw new ApiProblem(400, "validation", "Choose a renewal mode.");
            int? months = mode == Domain.Instances.RenewalMode.Auto
                ? Number(form["autoRenewMonths"].ToString(), "Auto-renew period")
                : null;
            await client.Put("/v1/renewals/settings", new BatchRenewalSettings(ids, mode, months)).ConfigureAwait(false);
            return (Local(form["back"].ToString(), "/console/renewals"),
                Show.Text("Set {0} instance(s) to {1}.", ids.Count, Show.Mode(mode, months)));
        })));
        console.MapPost("/renewals/unify", Handler(http => SignedIn(http, async (user, client) =>
        {
            var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
            if (form["confirm"] != "yes") return Quoted(user, await QuoteUnify(client, form).ConfigureAwait(false));
            return await PayOrRequote(user, async () =>
            {
                var day = Number(form["day"].ToString(), "Day of month");
                var (ids, _) = await Batch(client, form).ConfigureAwait(false);
                var unify = new UnifyExpiry(ids, day, QuoteId: QuoteId(form));
                var (done, pending) = await client.Pay<QuoteDto>("/v1/renewals/unify-expiry", unify, form["idempotencyKey"])
                    .ConfigureAwait(false);
                if (pending is not null)
                {
                    return (Local(form["back"].ToString(), "/console/renewals"),
                        Show.Text("Payment {0} is pending; the change is applied once it succeeds.", pending.PaymentId));
                }

                return (Local(form["back"].ToString(), "/console/renewals"),
                    Show.Text("Unified {0} instance(s) on day {1}: paid {2}.", done!.Items.Count, day,
                        Show.Money(done.Total, done.Currency)));
            }, () => QuoteUnify(client, form)).ConfigureAwait(false);
        })));
    }

    /// <summary>The quote of renewing the batch (the ticked rows, or every row the filters match) for the months chosen.</summary>
    private static async Task<QuoteView> QuoteBatch(ApiClient client, IFormCollection form)
    {
        var months = Number(form["months"].ToString(), "Months");
        var (ids, fields) = await Batch(client, form).ConfigureAwait(false);
        var batch = new RenewalBatch([.. ids.Select(id => new RenewalItem(id, months))]);
        var view = ConsoleQuote.From(await client.Post<QuoteDto>("/v1/renewals/quote", batch).ConfigureAwait(false));
        return new QuoteView("Confirm the renewal", view,
            Show.Text("Renew {0} instance(s) for {1} month(s), as one order.", ids.Count, months),
            "/console/renewals/pay", Show.Text("Pay {0} and renew", Show.Money(view.Total, view.Currency)),
            [.. fields, new Hidden("months", months.ToString(CultureInfo.InvariantCulture))],
            Local(form["back"].ToString(), "/console/renewals"));
    }

    /// <summary>R8.3: the quote of unifying the batch's expiry on one day of the month.</summary>
    private static async Task<QuoteView> QuoteUnify(ApiClient client, IFormCollection form)
    {
        var day = Number(form["day"].ToString(), "Day of month");
        var (ids, fields) = await Batch(client, form).ConfigureAwait(false);
        var asked = new UnifyExpiry(ids, day, QuoteOnly: true);
        var quote = ConsoleQuote.From(await client.Post<QuoteDto>("/v1/renewals/unify-expiry", asked).ConfigureAwait(false));
        return new QuoteView(Show.Text("Confirm the unified expiry on day {0}", day), quote,
            Show.Text("Move the expiry of {0} instance(s) to day {1} of the month.", ids.Count, day), "/console/renewals/unify",
            Show.Text("Pay {0} and unify", Show.Money(quote.Total, quote.Currency)),
            [.. fields, new Hidden("day", day.ToString(CultureInfo.InvariantCulture)), new Hidden("confirm", "yes")],
            Local(form["back"].ToString(), "/console/renewals"));
    }

    /// <summary>
    /// The instances a batch form names, and the fields that name them again on its quote's Pay form: the ticked rows, or
    /// with "all matching" every instance the filters match on every page (seed 003's select-all), read again at payment;
    /// if that set changed meanwhile, the quote ID no longer matches and the new quote is shown.
    /// </summary>
    private static async Task<(List<string> Ids, List<Hidden> Fields)> Batch(ApiClient client, IFormCollection form)
    {
        if (form["all"] != "yes") return (Selected(form), [.. Selected(form).Select(id => new Hidden("id", id))]);
        var filters = Filters(form["tab"], form["product"], form["region"], form["status"], form["expiresWithinDays"], form["accountId"]);
        var ids = await Matching(client, filters).ConfigureAwait(false);
        if (ids.Count == 0) throw new ApiProblem(400, "validation", "No instance matches the filters.");
        var fields = new List<Hidden> { new("all", "yes"), new("tab", filters.Tab) };
        foreach (var (name, value) in new[] { ("product", filters.Product), ("region", filters.Region), ("status", filters.Status),
            ("expiresWithinDays", filters.ExpiresWithinDays?.ToString(CultureInfo.InvariantCulture)), ("accountId", filters.AccountId) })
        {
            if (value is not null) fields.Add(new Hidden(name, value));
        }

        return (ids, fields);
    }

    /// <summary>Every instance ID the filters match, on all pages: the whole list's export, one call.</summary>
    private static async Task<List<string>> Matching(ApiClient client, RenewalFilters filters)
    {
        var csv = await client.GetText($"/v1/instances?{filters.ApiQuery()}", "text/csv").ConfigureAwait(false);
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1); // the first line is the header
        return [.. rows.Select(line => line.Split(',', 2)[0].Trim().Trim('"')).Where(id => id.Length > 0)];
    }

    private static RenewalFilters Filters(
        string? tab, string? product, string? region, string? status, string? expiresWithinDays, string? accountId) =>
        new(Tabs.Contains(tab) ? tab! : "manual", Blank(product), Blank(region), Blank(status),
            Blank(expiresWithinDays) is { } days ? Number(days, "Expires within (days)") : null, Blank(accountId));

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static List<string> Selected(IFormCollection form) =>
        form["id"].Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id!).Distinct(StringComparer.Ordinal).ToList()
            is { Count: > 0 } ids
            ? ids : throw new ApiProblem(400, "validation", "Select at least one instance.");

    /// <summary>A console path from a form, or the fallback: never a redirect off this site.</summary>
    private static string Local(string path, string fallback) =>
        path.StartsWith("/console", StringComparison.Ordinal) && !path.StartsWith("//", StringComparison.Ordinal) ? path : fallback;
}
