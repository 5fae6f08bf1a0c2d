using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using NodaTime;
using Tenure.Domain.Instances;
using Tenure.Domain.Renewals;

namespace Tenure.Api;

public sealed record RenewalItem(string InstanceId, int PeriodMonths);

public sealed record RenewalBatch(IReadOnlyList<RenewalItem> Items);

public sealed record QuoteItemDto(string InstanceId, Instant CurrentExpiresAt, Instant NewExpiresAt, long Amount);

public sealed record QuoteDto(IReadOnlyList<QuoteItemDto> Items, long Total, string Currency);

public sealed record BatchResult(string OrderId, long Total, long PaidByCoupons, long PaidByBalance, IReadOnlyList<QuoteItemDto> Items, string Currency);

/// <summary>R3.6, R8.2, R7.5: quotes and batch renewals.</summary>
public static class RenewalsApi
{
    public static void MapRenewalsApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1/renewals");
        v1.MapPost("/quote", Quote);
        v1.MapPost("/", Pay);
    }

    private static Results<Ok<QuoteDto>, ProblemHttpResult> Quote(RenewalBatch body, HttpContext http, ApiContext api) =>
        Batch(body, http, api, pay: false) switch
        {
            { Problem: { } problem } => problem,
            var ok => TypedResults.Ok(new QuoteDto(ok.Items!, ok.Items!.Sum(i => i.Amount), api.Rules.Catalog.Currency)),
        };

    private static Results<Ok<BatchResult>, ProblemHttpResult> Pay(RenewalBatch body, HttpContext http, ApiContext api) =>
        Batch(body, http, api, pay: true) switch
        {
            { Problem: { } problem } => problem,
            var ok => TypedResults.Ok(ok.Result!),
        };

    private static (ProblemHttpResult? Problem, List<QuoteItemDto>? Items, BatchResult? Result) Batch(RenewalBatch body, HttpContext http, ApiContext api, bool pay)
    {
        if (body.Items is not { Count: > 0 and <= 500 }) return (Problems.Invalid("items", "List 1 to 500 items."), null, null);
        using var session = api.Database.Begin();
        var loaded = new List<(Instance Instance, int Months)>();
        Scope? scope = null;
        foreach (var id in body.Items.Select(i => i.InstanceId).Distinct().Order(StringComparer.Ordinal)) session.Instance(id, forUpdate: true); // lock in ID order, before any account
        foreach (var item in body.Items)
        {
            if (api.Instance(session, http.Caller(), item.InstanceId) is not var (instance, owner)) return (Problems.NotFound($"Instance {item.InstanceId}"), null, null);
            if (scope is not null && scope.Row.Id != owner.Row.Id) return (Problems.Invalid("items", "A batch renews the instances of one account."), null, null);
            scope = owner;
            loaded.Add((instance, item.PeriodMonths));
        }

        var quotes = Renewal.QuoteBatch(api.Rules, loaded, scope!.Now);
        if (quotes.Refusal is { } refused) return (Problems.From(refused), null, null);
        var items = quotes.Value.Select(q => new QuoteItemDto(q.InstanceId.Value, q.CurrentExpiresAt, q.NewExpiresAt, q.Amount)).ToList();
        if (!pay) return (null, items, null);

        var renewed = Renewal.RenewBatch(api.Rules, loaded, scope.Account, scope.Now);
        if (renewed.Refusal is { } refusal) return (Problems.From(refusal), null, null);
        api.Commit(session, scope, renewed.Value);
        var order = renewed.Value.Effects.Order!;
        return (null, items, new BatchResult(session.LastOrderId!, order.Total, order.PaidByCoupons, order.PaidByBalance, items, scope.Row.Currency));
    }
}
