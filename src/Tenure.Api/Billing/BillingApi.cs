using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using NodaTime;
using NodaTime.Text;
using Tenure.Domain.Billing;
using Tenure.Domain.Instances;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>
/// R8.8 billing records: orders with what paid them and what was refunded, the ledger with the balance after each
/// line, monthly statements (JSON, CSV, PDF), receipts (PDF, HTML) and what an instance cost. An account sees its
/// own; the operator names one with <c>?accountId=</c>. A foreign order is not found (R13.1).
/// </summary>
public static class BillingApi
{
    public static void MapBillingApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        v1.MapGet("/orders", ListOrders).Produces<Page<OrderDto>>().ProducesProblem(400);
        v1.MapGet("/orders/{id}", GetOrder).Produces<OrderDto>().ProducesProblem(404);
        v1.MapGet("/orders/{id}/receipt", GetReceipt).Produces(200).ProducesProblem(404)
            .AddOpenApiOperationTransformer((operation, _, _) => AlsoAnswers(operation, "application/pdf", "text/html"));
        v1.MapGet("/account/ledger", GetLedger).Produces<Page<LedgerLineDto>>().ProducesProblem(400).ProducesProblem(404)
            .AddOpenApiOperationTransformer((operation, _, _) => AlsoAnswers(operation, "text/csv"));
        v1.MapGet("/account/statements/{month}", GetStatement).Produces<StatementDto>().ProducesProblem(400).ProducesProblem(404)
            .AddOpenApiOperationTransformer((operation, _, _) => AlsoAnswers(operation, "text/csv", "application/pdf"));
        v1.MapGet("/instances/{id}/costs", GetCosts).Produces<InstanceCostDto>().ProducesProblem(404);
    }

    /// <summary>One Produces per status: the other media types of the same 200 are added to the document here.</summary>
    private static Task AlsoAnswers(OpenApiOperation operation, params string[] mediaTypes)
    {
        if (operation.Responses?["200"] is OpenApiResponse ok)
        {
            ok.Content ??= new Dictionary<string, OpenApiMediaType>();
            foreach (var type in mediaTypes)
            {
                ok.Content.TryAdd(type, new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
            }
        }

        return Task.CompletedTask;
    }

    private static IResult ListOrders(
        HttpContext http, ApiContext api, string? instanceId, string? kind, string? from, string? to, int? limit, string? cursor,
        string? accountId)
    {
        if (PageLimit.Problem(limit) is { } tooMany) return tooMany;
        if (Span(from, to) is not var (fromAt, toAt)) return SpanProblem(from, to);
        OrderKind? kindFilter = null;
        if (kind is not null)
        {
            if (!Enum.GetValues<OrderKind>().Any(k => Names.Camel(k.ToString()) == kind))
            {
                var kinds = string.Join(", ", Enum.GetValues<OrderKind>().Select(k => Names.Camel(k.ToString())));
                return Problems.Invalid("kind", $"kind is one of {kinds}.");
            }

            kindFilter = Enum.GetValues<OrderKind>().First(k => Names.Camel(k.ToString()) == kind);
        }

        var after = cursor is null ? null : TimeCursor.Parse(cursor);
        if (cursor is not null && after is null) return Problems.Invalid("cursor", "That cursor was not handed out by this list.");
        var take = limit ?? PageLimit.Default;
        var owner = http.Caller().AccountId ?? accountId;
        using var session = api.Database.BeginRead();
        var rows = session.Orders(new OrderFilter(owner, instanceId, kindFilter, fromAt, toAt), after, take + 1);
        var shown = rows.Take(take).ToList();
        var currencies = Currencies(session, shown.Select(o => o.AccountId));
        session.Commit();
        var next = rows.Count > take ? new TimeCursor(shown[^1].At, shown[^1].Id).ToString() : null;
        return TypedResults.Ok(new Page<OrderDto>([.. shown.Select(o => OrderDto.From(o, currencies[o.AccountId]))], next));
    }

    private static Results<Ok<OrderDto>, ProblemHttpResult> GetOrder(string id, HttpContext http, ApiContext api)
    {
        using var session = api.Database.BeginRead();
        if (Visible(session, http.Caller(), id) is not var (order, account)) return Problems.NotFound($"Order {id}");
        return TypedResults.Ok(OrderDto.From(order, account.Currency));
    }

    /// <summary>R8.8: the receipt as a PDF; with <c>Accept: text/html</c> the same receipt as a page.</summary>
    private static IResult GetReceipt(string id, HttpContext http, ApiContext api, Provider provider)
    {
        using var session = api.Database.BeginRead();
        if (Visible(session, http.Caller(), id) is not var (order, account)) return Problems.NotFound($"Order {id}");
        var receipt = Receipt.Of(OrderDto.From(order, account.Currency), account, provider, api.Rules.Calendar);
        if (Accepts(http, "text/html")) return TypedResults.Content(receipt.ToHtml(), "text/html; charset=utf-8");
        if (!PdfFonts.Ready()) return Problems.Of(503, "not-ready", PdfFonts.Missing!);
        return TypedResults.File(receipt.ToPdf(), "application/pdf", $"receipt-{order.Id}.pdf");
    }

    /// <summary>
    /// R8.8: the ledger in time order with the balance after each line, paged; <c>Accept: text/csv</c> exports the whole span.
    /// </summary>
    private static IResult GetLedger(HttpContext http, ApiContext api, string? from, string? to, int? limit, string? cursor,
        string? accountId)
    {
        if (PageLimit.Problem(limit) is { } tooMany) return tooMany;
        if (Span(from, to) is not var (fromAt, toAt)) return SpanProblem(from, to);
        var parsed = cursor is null ? null : TimeCursor.Parse(cursor);
        (Instant At, long Id)? after = null;
        if (parsed is not null && long.TryParse(parsed.Id, System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var lineId))
        {
            after = (parsed.At, lineId);
        }
        else if (cursor is not null)
        {
            return Problems.Invalid("cursor", "That cursor was not handed out by this list.");
        }

        using var session = api.Database.BeginRead();
        if (Owner(session, http, accountId) is not { } account) return OwnerProblem(http);
        var csv = Accepts(http, "text/csv");
        var take = csv ? PageLimit.Max : limit ?? PageLimit.Default;
        var lines = new List<LedgerLineDto>();
        string? next;
        while (true)
        {
            var page = session.Ledger(account.Id, fromAt, toAt, after, take + 1);
            lines.AddRange(page.Take(take).Select(p => LedgerLineDto.From(p.Line, p.BalanceAfter, account.Currency)));
            next = page.Count > take ? new TimeCursor(lines[^1].At,
                lines[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToString() : null;
            if (!csv || next is null) break;
            after = (lines[^1].At, lines[^1].Id);
        }

        session.Commit();
        return csv ? TypedResults.Text(BillingCsv.Ledger(lines, api.Rules.Calendar), "text/csv")
            : TypedResults.Ok(new Page<LedgerLineDto>(lines, next));
    }

    /// <summary>R8.8: a month of the billing zone: JSON, <c>Accept: text/csv</c> or <c>Accept: application/pdf</c>.</summary>
    private static IResult GetStatement(string month, HttpContext http, ApiContext api, Provider provider, string? accountId)
    {
        var parsed = Statements.ParseMonth(month);
        if (parsed.Refusal is { } bad) return Problems.From(bad);
        using var session = api.Database.BeginRead();
        if (Owner(session, http, accountId) is not { } account) return OwnerProblem(http);
        var calendar = api.Rules.Calendar;
        var (from, to) = Statements.Span(calendar, parsed.Value);
        var statement = Statements.Of(parsed.Value, session.BalanceBefore(account.Id, from), session.LedgerLines(account.Id, from, to));
        session.Commit();
        var dto = new StatementDto(Statements.Name(statement.Month), from, to, calendar.Zone.Id, statement.Opening, statement.Closing,
            account.Currency,
            [.. statement.Lines.Select(l => LedgerLineDto.From(l.Line, l.BalanceAfter, account.Currency))]);
        if (Accepts(http, "text/csv")) return TypedResults.Text(BillingCsv.Statement(dto, calendar), "text/csv");
        if (!Accepts(http, "application/pdf")) return TypedResults.Ok(dto);
        if (!PdfFonts.Ready()) return Problems.Of(503, "not-ready", PdfFonts.Missing!);
        return TypedResults.File(StatementPdf.Render(dto, account, provider, calendar), "application/pdf",
            $"statement-{dto.Month}-{account.Id}.pdf");
    }

    /// <summary>R8.8: what an instance cost, per order and PAYG hours per local day (InstanceCost).</summary>
    private static Results<Ok<InstanceCostDto>, ProblemHttpResult> GetCosts(string id, HttpContext http, ApiContext api)
    {
        using var session = api.Database.BeginRead();
        if (api.Instance(session, http.Caller(), id) is not var (_, scope)) return Problems.NotFound($"Instance {id}");
        var cost = InstanceCost.Of(api.Rules.Calendar, session.InstanceCostItems(id));
        session.Commit();
        return TypedResults.Ok(new InstanceCostDto(id, cost.Total, scope.Row.Currency,
            [.. cost.Orders.Select(o => new CostOrderDto(o.OrderId, o.At, Names.Camel(o.Kind.ToString()), o.Amount, o.Refunded))],
            [.. cost.PaygDays.Select(d => new PaygDayDto(d.Date, d.Hours, d.Amount))]));
    }

    /// <summary>An order the caller may see with its account; null answers 404 (a foreign order is not found, R13.1).</summary>
    private static (OrderRecord Order, AccountRow Account)? Visible(Session session, Caller caller, string id) =>
        session.Order(id) is { } order && caller.Sees(order.AccountId) && session.AccountRow(order.AccountId) is { } account
            ? (order, account)
            : null;

    /// <summary>The account whose ledger is read: the caller's own, or the operator's <c>?accountId=</c>.</summary>
    private static AccountRow? Owner(Session session, HttpContext http, string? accountId) =>
        (http.Caller().AccountId ?? accountId) is { } id ? session.AccountRow(id) : null;

    private static ProblemHttpResult OwnerProblem(HttpContext http) =>
        http.Caller().AccountId is null && http.Request.Query["accountId"].Count == 0
            ? Problems.Invalid("accountId", "With the operator key, say whose records: ?accountId=.")
            : Problems.NotFound($"Account {http.Request.Query["accountId"]}");

    private static Dictionary<string, string> Currencies(Session session, IEnumerable<string> accounts) =>
        accounts.Distinct().ToDictionary(a => a, a => session.AccountRow(a)?.Currency ?? string.Empty, StringComparer.Ordinal);

    private static bool Accepts(HttpContext http, string mediaType) =>
        http.Request.Headers.Accept.ToString().Contains(mediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// from and to as instants (either may be absent), or null when one is not an ISO-8601 instant in bounds or from is not before to.
    /// </summary>
    private static (Instant? From, Instant? To)? Span(string? from, string? to)
    {
        Instant? fromAt = from is null ? null : Parse(from);
        Instant? toAt = to is null ? null : Parse(to);
        if ((from is not null && fromAt is null) || (to is not null && toAt is null)) return null;
        return fromAt is { } f && toAt is { } t && f >= t ? null : (fromAt, toAt);
    }

    private static ProblemHttpResult SpanProblem(string? from, string? to) =>
        from is not null && Parse(from) is null ? Problems.Invalid("from",
            $"from is an ISO-8601 UTC instant like 2019-03-27T00:00:00Z. {InstantBounds.Detail}")
        : to is not null && Parse(to) is null ? Problems.Invalid("to",
            $"to is an ISO-8601 UTC instant like 2019-03-27T00:00:00Z. {InstantBounds.Detail}")
        : Problems.Invalid("from", "from must be before to.");

    private static Instant? Parse(string text) =>
        InstantPattern.ExtendedIso.Parse(text) is { Success: true } parsed && InstantBounds.Contains(parsed.Value) ? parsed.Value : null;
}
