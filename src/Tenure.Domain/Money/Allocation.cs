using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;

namespace Tenure.Domain.Money;

/// <summary>How one charge is paid: the part each coupon covers, then the part from the cash balance, then the payment method's.</summary>
public sealed record Allocation(long Amount, ImmutableArray<CouponUse> Coupons, long FromBalance, long FromMethod = 0)
{
    public long FromCoupons => Amount - FromBalance - FromMethod;
}

/// <summary>An amount taken from one coupon.</summary>
public readonly record struct CouponUse(CouponId CouponId, long Amount);

/// <summary>R7.3, R7.8: coupons first, earliest expiry first, then the balance, then the payment method; all or nothing.</summary>
public static class Payment
{
    /// <summary>
    /// Allocates <paramref name="amount"/> for a charge on <paramref name="product"/> at <paramref name="now"/>.
    /// Valid coupons (not expired, scoped to the product or to all) are used earliest expiry first
    /// (ties by ID); the rest comes from the cash balance. Refuses with <c>insufficient-funds</c>
    /// when coupons and balance together fall short, and then nothing is taken. With <paramref name="withMethod"/>
    /// a usable payment method on file pays the rest (R7.8): the allocation then says how much to ask of the gateway,
    /// and nothing is taken until that payment succeeded (R7.9). <paramref name="settled"/> is what a payment that succeeded
    /// paid into the balance for this charge (R7.9, R7.11): coupons pay only what it leaves, so its money pays its part of the
    /// charge even when a coupon came in while it was pending, and a part is never negative; a charge now smaller than it is
    /// refused (its payment is then refunded whole, R7.11).
    /// </summary>
    public static Outcome<Allocation> Allocate(
        Account account, long amount, string product, Instant now, bool withMethod = false, long settled = 0)
    {
        if (amount < 0) throw new ArgumentOutOfRangeException(nameof(amount), "A charge is never negative.");
        if (settled < 0) throw new ArgumentOutOfRangeException(nameof(settled), "A payment is never negative.");
        if (settled > amount)
        {
            return Refusal.State($"The charge of {new Money(amount, account.Currency)} is less than the " +
                $"{new Money(settled, account.Currency)} paid for it: its price changed while it was paid.");
        }

        var uses = ImmutableArray.CreateBuilder<CouponUse>();
        var left = amount;
        foreach (var coupon in UsableCoupons(account, product, now))
        {
            if (left == settled) break;
            var take = Math.Min(left - settled, coupon.Remaining);
            uses.Add(new CouponUse(coupon.Id, take));
            left -= take;
        }

        if (left > Math.Max(account.Balance, 0) && withMethod && account.Method is { Usable: true })
        {
            var fromBalance = Math.Max(account.Balance, 0);
            return new Allocation(amount, uses.ToImmutable(), fromBalance, left - fromBalance);
        }

        if (left > Math.Max(account.Balance, 0))
        {
            var available = amount - left + Math.Max(account.Balance, 0);
            return new Refusal(RefusalCode.InsufficientFunds,
                $"The charge of {new Money(amount, account.Currency)} exceeds coupons and balance " +
                $"({new Money(available, account.Currency)}): " +
                $"{new Money(amount - available, account.Currency)} short.");
        }

        return new Allocation(amount, uses.ToImmutable(), left);
    }

    /// <summary>What coupons and balance could pay for <paramref name="product"/> at <paramref name="now"/>.</summary>
    public static long Available(Account account, string product, Instant now) =>
        checked(UsableCoupons(account, product, now).Sum(c => c.Remaining) + Math.Max(account.Balance, 0));

    /// <summary>The account after paying: coupons reduced, balance reduced.</summary>
    public static Account Apply(Account account, Allocation allocation)
    {
        var coupons = account.Coupons;
        foreach (var use in allocation.Coupons)
        {
            var coupon = coupons.Single(c => c.Id == use.CouponId);
            coupons = coupons.Replace(coupon, coupon with { Remaining = coupon.Remaining - use.Amount });
        }

        return account with { Coupons = coupons, Balance = checked(account.Balance - allocation.FromBalance) };
    }

    private static IEnumerable<Coupon> UsableCoupons(Account account, string product, Instant now) =>
        account.Coupons
            .Where(c => c.Remaining > 0 && c.ExpiresAt > now && (c.Product is null || c.Product == product))
            .OrderBy(c => c.ExpiresAt)
            .ThenBy(c => c.Id.Value, StringComparer.Ordinal);
}
