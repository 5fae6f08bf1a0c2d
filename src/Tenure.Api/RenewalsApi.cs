using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Renewals;

namespace Tenure.Api;

public sealed record RenewalItem(string InstanceId, int PeriodMonths);

public sealed record RenewalBatch(IReadOnlyList<RenewalItem> Items, string? QuoteId = null);

public sealed record QuoteItemDto(string InstanceId, Instant CurrentExpiresAt, Instant NewExpiresAt, long Amount);

/// <summary>A batch quote; <c>quoteId</c>, <c>covered</c> and <c>shortfall</c> as on every quote (R13.4).</summary>
public sealed record QuoteDto(IReadOnlyList<QuoteItemDto> Items, long Total, string Currency, string QuoteId, long Covered, long Shortfall)
{
    /// <summary>R7.8: the part of <see cref="Covered"/> the payment method on file pays (coupons and balance the rest).</summary>
    public long CoveredByPaymentMethod { get; init; }

    /// <summary>The quote of <paramref name="items"/>, priced as the batch's own payment decides (<see cref="Quoting.Price"/>).</summary>
    public static Outcome<QuoteDto> Of(Target target, IReadOnlyList<QuoteItemDto> items, Func<Account, Outcome<Change>> pay) =>
        Quoting.Price(target, pay).Then<QuoteDto>(priced =>
        {
            var coverage = priced.Covering(target, target.Instances[0].Product);
            return new QuoteDto(items, items.Sum(i => i.Amount), target.Row.Currency, priced.QuoteId, coverage.Covered, coverage.Shortfall)
            {
                CoveredByPaymentMethod = priced.FromMethod,
            };
        });
}

public sealed record BatchResult(
    string OrderId, long Total, long PaidByCoupons, long PaidByBalance, IReadOnlyList<QuoteItemDto> Items, string Currency)
{
    /// <summary>R7.8: what the payment method paid of <see cref="Total"/>.</summary>
    public long PaidByPaymentMethod { get; init; }
}

/// <summary>R3.6, R8.2, R7.5: quotes and batch renewals.</summary>
public static class RenewalsApi
{
    public static void MapRenewalsApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1/renewals");
        v1.MapPost("/quote", Quote).Produces<QuoteDto>().ProducesProblem(404);
        v1.MapPost("/", Pay).Produces<BatchResult>().Produces<PaymentPendingAnswer>(202).ProducesProblem(404);
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
            var quoted = quotes.Value
                .Select(q => new QuoteItemDto(q.InstanceId.Value, q.CurrentExpiresAt, q.NewExpiresAt, q.Amount)).ToList();
            Outcome<Change> Renew(Account account) => Renewal.RenewBatch(run.Rules, items, account, t.Now);
            if (!pay)
            {
                var quote = QuoteDto.Of(t, quoted, Renew);
                return quote.Refusal is { } unpriced ? unpriced : Reply.Ok(quote.Value);
            }

            return Quoting.Decide(t, t.Instance.Product, false, body.QuoteId, Renew, w =>
            {
                var order = w.Change.Effects.Order!;
                return Reply.Ok(new BatchResult(w.OrderId!, order.Total, order.PaidByCoupons, order.PaidByBalance, quoted, t.Row.Currency)
                {
                    PaidByPaymentMethod = order.PaidByMethod,
                });
            });
        }, field: "items");
    }

    /// <summary>The most instances one batch renews or sets, as one order (R7.5); 10,000 IDs stay well under the body limit.</summary>
    internal const int MaxItems = 10_000;
}
