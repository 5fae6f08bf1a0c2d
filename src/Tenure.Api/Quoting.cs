using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Money;

namespace Tenure.Api;

/// <summary>R13.4: the answer to <c>"quoteOnly": true</c> on a money-moving route; nothing is moved.</summary>
public sealed record QuoteAnswer(
    string QuoteId, long Amount, string Currency, long Covered, long Shortfall, Instant? NewExpiresAt, Instant? EffectiveAt,
    IReadOnlyList<QuoteItemDto> Items)
{
    /// <summary>R7.8: the part of <see cref="Covered"/> the payment method on file pays (coupons and balance the rest).</summary>
    public long CoveredByPaymentMethod { get; init; }
}

/// <summary>A decision's change as quoted: what it costs and the ID a payment checks.</summary>
public sealed record Priced(Change Change, long Amount, string QuoteId)
{
    /// <summary>Whether the decision pays now: from coupons and balance, or with the payment method's part asked (R7.8).</summary>
    public bool Pays { get; init; }

    /// <summary>R7.8: the payment method's part of what the decision pays: what it would ask of the gateway.</summary>
    public long FromMethod { get; init; }

    /// <summary>R13.4: all of it when the decision pays; otherwise what coupons and balance cover, and the rest short.</summary>
    public Coverage Covering(Target target, string product) =>
        Pays ? new Coverage(Amount, 0) : Coverage.Of(target.Account, Amount, product, target.Now);
}

/// <summary>
/// R13.4 for the commands that decide with one domain function: the quote is that decision taken and not written, so the
/// price quoted and the price paid cannot differ; the payment's own decision, in its unit of work, checks the quote ID.
/// </summary>
public static class Quoting
{
    /// <summary>
    /// With <paramref name="quoteOnly"/>, the quote of <paramref name="decide"/>; otherwise its decision, refused as
    /// <c>quote-stale</c> when <paramref name="quoteId"/> is given and no longer matches what the payment does.
    /// </summary>
    public static Decision Decide(
        Target target, string product, bool quoteOnly, string? quoteId, Func<Account, Outcome<Change>> decide, Func<Written, Reply> answer)
    {
        if (!quoteOnly) return quoteId is null ? Decision.Of(decide(target.Account), answer) : Pay(target, quoteId, decide, answer);
        var priced = Price(target, decide);
        if (priced.Refusal is { } refusal) return refusal;
        var (change, amount, id) = priced.Value;
        var coverage = priced.Value.Covering(target, product);
        var after = change.Instances.Length == 1 ? change.Instances[0] : null;
        var items = change.Instances.Select(i => Item(target, i, change)).ToList();
        return Reply.Ok(new QuoteAnswer(id, amount, target.Row.Currency, coverage.Covered, coverage.Shortfall, after?.ExpiresAt,
            after?.PendingChange?.EffectiveAt, items) { CoveredByPaymentMethod = priced.Value.FromMethod });
    }

    /// <summary>The change <paramref name="decide"/> would make, its amount and its quote ID (<see cref="QuoteIds"/>).</summary>
    public static Outcome<Priced> Price(Target target, Func<Account, Outcome<Change>> decide)
    {
        var outcome = decide(target.Account);
        var fromMethod = outcome is { Refusal: null, Value.Effects.Payment: { } asked } ? asked.Amount : 0;
        return Funded(target.Account, outcome, decide)
            .Then<Priced>(change => Priced(target, change) with { Pays = outcome.IsSuccess, FromMethod = fromMethod });
    }

    private static Priced Priced(Target target, Change change)
    {
        var amount = change.Effects.Order?.Total ?? 0;
        return new Priced(change, amount, QuoteIds.Of(target.Instances, amount, change.Instances));
    }

    /// <summary>
    /// A payment carrying its quote's ID: the decision runs once and is paid if it is still what was quoted. Short of
    /// funds, the quote tells the answer: stale when the price or outcome changed, else the refusal for funds.
    /// </summary>
    private static Decision Pay(Target target, string quoteId, Func<Account, Outcome<Change>> decide, Func<Written, Reply> answer)
    {
        var paid = decide(target.Account);
        if (paid.Refusal is { Code: RefusalCode.InsufficientFunds } shortOfFunds)
        {
            return Price(target, decide) is { Refusal: null } quoted && quoted.Value.QuoteId != quoteId ? QuoteIds.Stale() : shortOfFunds;
        }

        if (paid.Refusal is { } refused) return refused;
        var paying = paid.Value.Effects.Payment is null ? Priced(target, paid.Value).QuoteId : Price(target, decide).Value.QuoteId;
        return paying == quoteId ? Decision.Of(paid, answer) : QuoteIds.Stale();
    }

    /// <summary>
    /// The change the decision makes; when only the funds are short, or the payment method is to pay a part (R7.9: the
    /// decision then asks for a payment and makes no order yet), the change it would make if coupons and balance
    /// sufficed, so that a quote shows the price and its shortfall rather than a refusal.
    /// </summary>
    private static Outcome<Change> Funded(Account account, Outcome<Change> outcome, Func<Account, Outcome<Change>> decide)
    {
        var lacking = outcome.Refusal is { Code: RefusalCode.InsufficientFunds };
        if (!lacking && outcome is not { Refusal: null, Value.Effects.Payment: not null }) return outcome;
        return decide(account.WithAmpleFunds());
    }

    private static QuoteItemDto Item(Target target, Instance after, Change change)
    {
        var before = target.Instances.FirstOrDefault(i => i.Id == after.Id);
        var amount = change.Effects.Order?.Items.Where(o => o.InstanceId == after.Id).Sum(o => o.Amount) ?? 0;
        return new QuoteItemDto(after.Id.Value, before?.ExpiresAt ?? target.Now, after.ExpiresAt ?? target.Now, amount);
    }
}
