using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tenure.Domain.Billing;

namespace Tenure.Api.Web;

/// <summary>One statement month the Billing page offers for download.</summary>
public sealed record StatementLink(string Month, string Csv, string Pdf);

/// <summary>
/// R8.8 in the console: the Billing page (orders, ledger, statement downloads, receipt links) and an order's page.
/// Downloads are the API's own documents, fetched with the console's session and passed on as they are.
/// </summary>
public static partial class WebConsole
{
    /// <summary>How many of the latest orders and ledger lines the Billing page lists.</summary>
    private const int Latest = 50;

    private static void MapBilling(RouteGroupBuilder console)
    {
        console.MapGet("/billing", (HttpContext http, string? id) => SignedIn(http, async (user, client) =>
        {
            if (user.IsOperator && Blank(id) is null) return Results.Redirect("/console/operator");
            var query = AccountQuery(user, id);
            var orders = await All<OrderDto>(client, $"/v1/orders?{query}").ConfigureAwait(false);
            var ledger = await All<LedgerLineDto>(client, $"/v1/account/ledger?{query}").ConfigureAwait(false);
            var calendar = Calendar(http);
            var months = ledger.Select(l => Statements.MonthOf(calendar, l.At)).Distinct().OrderDescending()
                .Select(m => Statements.Name(m))
                .Select(m => new StatementLink(m, $"/console/billing/statements/{m}.csv{Query(query)}",
                    $"/console/billing/statements/{m}.pdf{Query(query)}"))
                .ToList();
            return Page<BillingPage>(new Frame(user, "Billing"), new
            {
                Orders = orders.TakeLast(Latest).Reverse().ToList(), Ledger = ledger.TakeLast(Latest).Reverse().ToList(),
                Statements = months,
                LedgerCsv = $"/console/billing/ledger.csv{Query(query)}", OrderCount = orders.Count, LineCount = ledger.Count,
            });
        }));
        console.MapGet("/orders/{id}", (string id, HttpContext http) => SignedIn(http, async (user, client) =>
        {
            var order = await client.Get<OrderDto>($"/v1/orders/{Uri.EscapeDataString(id)}").ConfigureAwait(false);
            return Page<OrderPage>(new Frame(user, Show.Text("Order {0}", order.Id)), new { Order = order });
        }));
        console.MapGet("/orders/{id}/receipt", (string id, HttpContext http) =>
            Download(http, $"/v1/orders/{Uri.EscapeDataString(id)}/receipt", "text/html", null));
        console.MapGet("/orders/{id}/receipt.pdf", (string id, HttpContext http) =>
            Download(http, $"/v1/orders/{Uri.EscapeDataString(id)}/receipt", "application/pdf", $"receipt-{id}.pdf"));
        console.MapGet("/billing/statements/{month}.{format}", (string month, string format, HttpContext http, string? id)
            => SignedIn(http, (user, _) =>
        {
            var path = $"/v1/account/statements/{Uri.EscapeDataString(month)}{Query(AccountQuery(user, id))}";
            return format switch
            {
                "csv" => Download(http, path, "text/csv", $"statement-{month}.csv"),
                "pdf" => Download(http, path, "application/pdf", $"statement-{month}.pdf"),
                _ => throw new ApiProblem(404, "not-found", Show.Text("Statements come as .csv or .pdf, not .{0}.", format)),
            };
        }));
        console.MapGet("/billing/ledger.csv", (HttpContext http, string? id) => SignedIn(http, (user, _) =>
            Download(http, $"/v1/account/ledger{Query(AccountQuery(user, id))}", "text/csv", "ledger.csv")));
    }

    private static string AccountQuery(ConsoleUser user, string? id) =>
        user.IsOperator && Blank(id) is { } account ? $"accountId={Uri.EscapeDataString(account)}" : string.Empty;

    private static string Query(string query) => query.Length == 0 ? string.Empty : $"?{query}";

    /// <summary>Every page of a list, oldest first, up to 5,000 items (as the account page reads notices).</summary>
    private static async Task<List<T>> All<T>(ApiClient client, string path)
    {
        var items = new List<T>();
        string? cursor = null;
        do
        {
            var after = cursor is null ? string.Empty : $"&cursor={Uri.EscapeDataString(cursor)}";
            var page = await client.Get<Page<T>>($"{path}&limit=500{after}").ConfigureAwait(false);
            items.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null && items.Count < 5_000);
        return items;
    }

    /// <summary>The API's document as the browser's download (or, without a file name, as a page).</summary>
    private static Task<IResult> Download(HttpContext http, string path, string accept, string? fileName) =>
        SignedIn(http, async (_, client) =>
    {
        var (bytes, mediaType) = await client.GetFile(path, accept).ConfigureAwait(false);
        return fileName is null ? Results.Bytes(bytes, mediaType) : Results.File(bytes, mediaType, fileName);
    });
}
