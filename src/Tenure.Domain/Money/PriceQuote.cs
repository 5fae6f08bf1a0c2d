using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;

namespace Tenure.Domain.Money;

/// <summary>What coupons and balance pay of a quoted amount now, and the exact rest (R13.4).</summary>
public readonly record struct Coverage(long Covered, long Shortfall)
{
    /// <summary>Coverage of <paramref name="amount"/> for <paramref name="product"/> at <paramref name="now"/>.</summary>
    public static Coverage Of(Account account, long amount, string product, Instant now)
    {
        var covered = Math.Min(amount, Payment.Available(account, product, now));
        return new Coverage(covered, amount - covered);
    }
}

/// <summary>
/// R13.4: a quote's ID is a digest of what paying would do — the instances' state before, the amount and the state after —
/// so it needs no storage: the payment recomputes it in its own unit of work, and any difference means the quote is stale.
/// </summary>
public static class QuoteIds
{
    /// <summary>The quote ID of going from <paramref name="before"/> to <paramref name="after"/> for <paramref name="amount"/>.</summary>
    public static string Of(IEnumerable<Instance> before, long amount, IEnumerable<Instance> after)
    {
        var text = new StringBuilder();
        foreach (var instance in before) text.Append(State(instance, withId: true)).Append('\n');
        text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append('\n');
        // A purchase's new instance gets a fresh ID on every request, so the state after is compared without IDs.
        foreach (var instance in after) text.Append(State(instance, withId: false)).Append('\n');
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return "q_" + Convert.ToBase64String(digest, 0, 18).Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The refusal for a payment whose quote no longer matches what it would do.</summary>
    public static Refusal Stale() =>
        new(RefusalCode.QuoteStale, "The instance or the price changed since this quote; ask for a new quote.", "quoteId");

    // Instants as ticks: exact, and the same text in every culture.
    private static string State(Instance i, bool withId) => string.Join('|',
        withId ? i.Id.Value : string.Empty, i.Status, Ticks(i.ExpiresAt), i.Edition, i.Spec, i.ChargeType, Ticks(i.CycleStart),
        i.AheadCycles.Length, i.Components.Bandwidth?.ToString() ?? "-",
        string.Join(',', i.Components.DataDisks.Select(d => $"{d.Id}:{d.SizeGb.ToString(CultureInfo.InvariantCulture)}")),
        i.PendingChange is { } p ? $"{p.Kind}:{p.Spec}:{Ticks(p.EffectiveAt)}" : "-");

    private static string Ticks(Instant? at) => at?.ToUnixTimeTicks().ToString(CultureInfo.InvariantCulture) ?? "-";
}
