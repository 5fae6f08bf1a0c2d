using System.Collections.Immutable;
using NodaTime;

namespace Tenure.Domain.Accounts;

/// <summary>What the rules need to know of an account: its money and its agreements.</summary>
/// <param name="Balance">Cash balance in minor units; negative only through PAYG accrual (R7.6).</param>
/// <param name="NoStopOnExpiry">R5.6: expired instances keep running and are not released (except <c>noRenew</c> ones).</param>
/// <param name="NegativeSince">R7.6: when the balance last went below zero; null while it is not negative.</param>
/// <param name="Method">R7.8: the payment method on file, if any.</param>
public sealed record Account(
    AccountId Id,
    string Currency,
    long Balance,
    ImmutableList<Coupon> Coupons,
    bool NoStopOnExpiry = false,
    Instant? NegativeSince = null,
    PaymentMethod? Method = null)
{
    public static Account Empty(AccountId id, string currency) => new(id, currency, 0, []);

    /// <summary>
    /// This account as if its balance paid any price: a decision asked on it says what it would do were funds no
    /// object (the actions an instance offers, R8.10; the price a quote shows with its shortfall, R13.4).
    /// </summary>
    public Account WithAmpleFunds() => this with { Balance = long.MaxValue / 4 };

    /// <summary>The account after a cash movement (a PAYG charge, a top-up, a refund): R7.6 tracks when it went negative.</summary>
    public Account Move(long amount, Instant at)
    {
        var balance = checked(Balance + amount);
        return this with
        {
            Balance = balance,
            NegativeSince = balance < 0 ? NegativeSince ?? at : null,
        };
    }
}

/// <summary>A coupon: money that pays charges before the cash balance (R7.3); never refunded.</summary>
/// <param name="Product">The product it is scoped to, or null for all products.</param>
public sealed record Coupon(CouponId Id, long Remaining, Instant ExpiresAt, string? Product);

/// <summary>R5.6: the "no stop on expiry" agreement.</summary>
public static class NoStopAgreement
{
    /// <summary>
    /// Grants or ends the agreement. Every instance of the account is touched at <paramref name="now"/>,
    /// so that an expired instance whose stop the agreement held back stops now, and is released a
    /// full retention after that, rather than at instants already gone.
    /// </summary>
    public static Instances.Change Set(
        Rules rules, Account account, bool noStopOnExpiry, IReadOnlyList<Instances.Instance> accountInstances, NodaTime.Instant now) =>
        Instances.Change.Of(
            rules,
            [.. accountInstances.Where(i => i.AccountId == account.Id).Select(i => Instances.Commands.Touch(i, now))],
            account with { NoStopOnExpiry = noStopOnExpiry },
            Instances.Effects.None);
}
