using NodaTime;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;

namespace Tenure.Domain.Accounts;

/// <summary>R7.3, R7.4: the operator grants an account a coupon.</summary>
public static class Coupons
{
    /// <summary>
    /// A coupon of <paramref name="amount"/> minor units (1 to <see cref="Payg.MaxTopUp"/>, like a top-up) that
    /// pays charges until <paramref name="expiresAt"/>, which must be after <paramref name="now"/>; scoped to a
    /// catalog product, or to all when <paramref name="product"/> is null. R7.4: it is money, so it comes with
    /// its ledger row, and the coupon's remainder is what its ledger rows add up to. The shell chooses the ID.
    /// </summary>
    public static Outcome<Change> Grant(
        Rules rules, Account account, CouponId id, long amount, Instant expiresAt, string? product, Instant now)
    {
        if (amount is <= 0 or > Payg.MaxTopUp)
        {
            return Refusal.Invalid("amount", $"amount must be between 1 and {Payg.MaxTopUp} minor units.");
        }

        if (expiresAt <= now) return Refusal.Invalid("expiresAt", "expiresAt must be in the future.");
        if (product is not null && rules.Catalog.Find(product) is null) return Refusal.Invalid("product", $"Unknown product '{product}'.");
        var coupon = new Coupon(id, amount, expiresAt, product);
        return new Change(account with { Coupons = account.Coupons.Add(coupon) }, Effects.None
            .Grant(coupon)
            .Post(new LedgerPosting(LedgerKind.CouponGrant, amount, null, id, "coupon granted")));
    }
}
