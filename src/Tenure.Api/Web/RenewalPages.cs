using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Tenure.Api.Web;

/// <summary>The renewal list's filters, as the page's GET form sends them.</summary>
public sealed record RenewalFilters(string Tab, string? Product, string? Region, string? Status, int? ExpiresWithinDays, string? AccountId)
{
    /// <summary>The API query of the list (R8.1: <c>renewable=true</c>, one tab per renewal mode).</summary>
    public string ApiQuery(string? cursor = null) => $"renewable=true&renewalMode={Tab}{Parts(cursor)}";

    /// <summary>The console's own query for these filters (tab links, next page, CSV).</summary>
    public string PageQuery(string? cursor = null) => $"tab={Tab}{Parts(cursor)}";

    private string Parts(string? cursor) =>
        string.Concat(Part("product", Product), Part("region", Region), Part("status", Status),
            Part("expiresWithinDays", ExpiresWithinDays?.ToString(System.Globalization.CultureInfo.InvariantCulture)), Part("accountId", AccountId), Part("cursor", cursor));

    private static string Part(string name, string? value) => string.IsNullOrEmpty(value) ? string.Empty : $"&{name}={Uri.EscapeDataString(value)}";
}

/// <summary>A hidden form field of a confirm step.</summary>
public sealed record Hidden(string Name, string Value);

/// <summary>Seed 003's renewal management: the three tabs, batch renewal through a quote, batch auto-renew, unified expiry, CSV.</summary>
public static partial class WebConsole
{
    private static readonly string[] Tabs = ["manual", "auto", "noRenew"];

    private static void MapRenewals(RouteGroupBuilder console)
    {
        console.MapGet("/renewals", (HttpContext http, string? tab, string? product, string? region, string? status, string? expiresWithinDays, string? accountId, string? cursor, string? notice, string? error) =>
            SignedIn(http, async (user, client) =>
            {
                var filters = Filters(tab, product, region, status, expiresWithinDays, accountId);
                var page = await client.Get<Page<InstanceDto>>($"/v1/instances?{filters.ApiQuery(cursor)}&limit=100").ConfigureAwait(false);
                return Page<RenewalsPage>(new Frame(user, "Renewal management", notice, error), new { Filters = filters, List = page, Back = http.Request.Path + http.Request.QueryString });
            }));
        console.MapGet("/renewals.csv", (HttpContext http, string? tab, string? product, string? region, string? status, string? expiresWithinDays, string? accountId) =>
            SignedIn(http, async (_, client) =>
            {
                var csv = await client.GetText($"/v1/instances?{Filters(tab, product, region, status, expiresWithinDays, accountId).ApiQuery()}", "text/csv").ConfigureAwait(false);
                return Results.File(System.Text.Encoding.UTF8.GetBytes(csv), "text/csv", "renewals.csv");
            }));
        console.MapPost("/renewals/quote", Handler(http => SignedIn(http, async (user, client) =>
        {
            var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
            var (ids, months) = (Selected(form), Number(form["months"].ToString(), "Months"));
            var quote = await client.Post<QuoteDto>("/v1/renewals/quote", new RenewalBatch([.. ids.Select(id => new RenewalItem(id, months))])).ConfigureAwait(false);
            return Page<QuotePage>(new Frame(user, "Confirm the renewal"), new
            {
                Quote = quote, Action = "/console/renewals/pay", Confirm = $"Pay {Show.Money(quote.Total, quote.Currency)} and renew",
                Fields = ids.Select(id => new Hidden("id", id)).Append(new Hidden("months", months.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList(),
                Back = form["back"].ToString(),
            });
        })));
        console.MapPost("/renewals/pay", Handler(http => Posted(http, async (_, client, form) =>
        {
            var months = Number(form["months"].ToString(), "Months");
            var paid = await client.Post<BatchResult>("/v1/renewals", new RenewalBatch([.. Selected(form).Select(id => new RenewalItem(id, months))]), form["idempotencyKey"]).ConfigureAwait(false);
            return (Local(form["back"].ToString(), "/console/renewals"),
                $"Renewed {paid.Items.Count} instance(s) in order {paid.OrderId}: {Show.Money(paid.Total, paid.Currency)} ({Show.Money(paid.PaidByCoupons, paid.Currency)} by coupons, {Show.Money(paid.PaidByBalance, paid.Currency)} from balance).");
        })));
        console.MapPost("/renewals/settings", Handler(http => Posted(http, async (_, client, form) =>
        {
            var ids = Selected(form);
            var mode = Enum.TryParse<Domain.Instances.RenewalMode>(form["mode"], ignoreCase: true, out var m) ? m : throw new ApiProblem(400, "validation", "Choose a renewal mode.");
            int? months = mode == Domain.Instances.RenewalMode.Auto ? Number(form["autoRenewMonths"].ToString(), "Auto-renew period") : null;
            await client.Put("/v1/renewals/settings", new BatchRenewalSettings(ids, mode, months)).ConfigureAwait(false);
            return (Local(form["back"].ToString(), "/console/renewals"), $"Set {ids.Count} instance(s) to {Show.Mode(mode, months)}.");
        })));
        console.MapPost("/renewals/unify", Handler(http => SignedIn(http, async (user, client) =>
        {
            var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
            var (ids, day) = (Selected(form), Number(form["day"].ToString(), "Day of month"));
            var back = Local(form["back"].ToString(), "/console/renewals");
            if (form["confirm"] == "yes")
            {
                var done = await client.Post<QuoteDto>("/v1/renewals/unify-expiry", new UnifyExpiry(ids, day), form["idempotencyKey"]).ConfigureAwait(false);
                return Results.Redirect(With(back, "notice", $"Unified {done.Items.Count} instance(s) on day {day}: paid {Show.Money(done.Total, done.Currency)}."));
            }

            var quote = await client.Post<QuoteDto>("/v1/renewals/unify-expiry", new UnifyExpiry(ids, day, QuoteOnly: true)).ConfigureAwait(false);
            return Page<QuotePage>(new Frame(user, $"Confirm the unified expiry on day {day}"), new
            {
                Quote = quote, Action = "/console/renewals/unify", Confirm = $"Pay {Show.Money(quote.Total, quote.Currency)} and unify",
                Fields = ids.Select(id => new Hidden("id", id)).Concat([new Hidden("day", day.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Hidden("confirm", "yes")]).ToList(),
                Back = back,
            });
        })));
    }

    private static RenewalFilters Filters(string? tab, string? product, string? region, string? status, string? expiresWithinDays, string? accountId) =>
        new(Tabs.Contains(tab) ? tab! : "manual", Blank(product), Blank(region), Blank(status),
            Blank(expiresWithinDays) is { } days ? Number(days, "Expires within (days)") : null, Blank(accountId));

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static List<string> Selected(IFormCollection form) =>
        form["id"].Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id!).Distinct(StringComparer.Ordinal).ToList() is { Count: > 0 } ids
            ? ids : throw new ApiProblem(400, "validation", "Select at least one instance.");

    /// <summary>A console path from a form, or the fallback: never a redirect off this site.</summary>
    private static string Local(string path, string fallback) =>
        path.StartsWith("/console", StringComparison.Ordinal) && !path.StartsWith("//", StringComparison.Ordinal) ? path : fallback;
}
