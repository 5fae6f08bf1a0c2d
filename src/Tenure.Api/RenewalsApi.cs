using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NodaTime;
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
        v1.MapPost("/quote", Quote).Produces<QuoteDto>().ProducesProblem(404);
        v1.MapPost("/", Pay).Produces<BatchResult>().ProducesProblem(404);
    }

    private static Task<IResult> Quote(RenewalBatch body, HttpContext http, CommandRunner run) => Batch(body, http, run, pay: false);

    private static Task<IResult> Pay(RenewalBatch body, HttpContext http, CommandRunner run) => Batch(body, http, run, pay: true);

    /// <summary>R8.2: a batch of one account's instances, quoted, and with <paramref name="pay"/> renewed as one order (R7.5).</summary>
    private static Task<IResult> Batch(RenewalBatch body, HttpContext http, CommandRunner run, bool pay)
    {
        if (body.Items is not { Count: > 0 and <= MaxItems }) return Problems.Invalid("items", $"List 1 to {MaxItems} items.").AsTask();
        return run.OnInstances(http, [.. body.Items.Select(i => i.InstanceId)], t =>
        {
            var items = t.Instances.Select((instance, n) => (instance, body.Items[n].PeriodMonths)).ToList();
            var quotes = Renewal.QuoteBatch(run.Rules, items, t.Now);
            if (quotes.Refusal is { } refused) return refused;
            var quoted = quotes.Value.Select(q => new QuoteItemDto(q.InstanceId.Value, q.CurrentExpiresAt, q.NewExpiresAt, q.Amount)).ToList();
            if (!pay) return Reply.Ok(new QuoteDto(quoted, quoted.Sum(i => i.Amount), t.Row.Currency));
            return Decision.Of(Renewal.RenewBatch(run.Rules, items, t.Account, t.Now), w =>
            {
                var order = w.Change.Effects.Order!;
                return Reply.Ok(new BatchResult(w.OrderId!, order.Total, order.PaidByCoupons, order.PaidByBalance, quoted, t.Row.Currency));
            });
        }, field: "items");
    }

    /// <summary>The most instances one batch renews or sets, as one order (R7.5); 10,000 IDs stay well under the body limit.</summary>
    internal const int MaxItems = 10_000;
}
