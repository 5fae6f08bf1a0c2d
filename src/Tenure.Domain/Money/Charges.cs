using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;

namespace Tenure.Domain.Money;

/// <summary>A charge that went through: the account after it, how it was split, and its ledger rows.</summary>
public sealed record Paid(Account Account, long Total, long FromCoupons, long FromBalance, ImmutableList<LedgerPosting> Postings)
{
    /// <summary>R7.9: the part of <see cref="FromBalance"/> that the payment method paid into the balance first.</summary>
    public long FromMethod { get; init; }
}

/// <summary>Prices of configurations and the payment of charges (R7).</summary>
public static class Charges
{
    /// <summary>
    /// A month of a spec plus its ECS components (appendix). R6.5: a temporary bandwidth upgrade
    /// is not part of the base configuration, so it is never priced here.
    /// </summary>
    public static long MonthlyPrice(Product product, string spec, Components components)
    {
        var monthly = product.SpecOf(spec)?.MonthlyPrice
            ?? throw new InvalidOperationException($"{product.Code} has no monthly price for spec '{spec}'.");
        if (product.Components is not { } prices) return monthly;
        if (components.Bandwidth is { } bandwidth)
        {
            monthly = checked(monthly + (bandwidth.ChargeType == BandwidthBilling.ByBandwidth
                ? prices.BandwidthPerMbpsMonth * bandwidth.Mbps
                : prices.TrafficPerMonth));
        }

        foreach (var disk in components.DataDisks)
        {
            monthly = checked(monthly + (disk.ChargeType == ChargeType.Subscription
                ? prices.DataDiskSubscriptionPerGbMonth * disk.SizeGb
                : prices.DataDiskPaygPerMonth));
        }

        return monthly;
    }

    /// <summary>The price of <paramref name="months"/> of an instance's base configuration (R7.2).</summary>
    public static long PeriodPrice(Product product, string spec, Components components, int months) =>
        Pricing.PeriodPrice(MonthlyPrice(product, spec, components), months, product.YearPriceMonths);

    /// <summary>
    /// The price of renewing an instance for <paramref name="months"/>: the next cycle's configuration
    /// (a pending renew-and-downgrade, R6.4) or else the current one, base configuration only (R6.5).
    /// Manual renewals, auto-renew attempts and forecasts all price through here.
    /// </summary>
    public static long RenewalPrice(Product product, Instance instance, int months) =>
        RenewalPrice(product, instance.Spec, instance.Components, instance.PendingChange, months);

    /// <summary>The renewal price (as above) from what prices it: the spec, components and pending change of an instance.</summary>
    public static long RenewalPrice(Product product, string spec, Components components, PendingChange? pending, int months) =>
        pending is { Kind: PendingChangeKind.RenewDowngrade } next
            ? PeriodPrice(product, next.Spec, next.Components ?? components, months)
            : PeriodPrice(product, spec, components, months);

    /// <summary>
    /// R7.3: pays one instance's charge from coupons, then balance, or refuses with nothing taken; <paramref name="fromMethod"/>
    /// as in <see cref="PayAll"/>.
    /// </summary>
    public static Outcome<Paid> Pay(
        Account account, long amount, string product, InstanceId instance, Instant now, string memo, long fromMethod = 0) =>
        PayAll(account, [(instance, product, amount)], now, memo, fromMethod == 0 ? null : [fromMethod]);

    /// <summary>
    /// R7.8, R7.5: what the payment method would pay of each of several charges taken in turn (coupons, then balance,
    /// then the method); null when even the method cannot pay them (none on file, or declined hard).
    /// </summary>
    public static IReadOnlyList<long>? MethodShares(Account account, IReadOnlyList<(string Product, long Amount)> items, Instant now)
    {
        var shares = new List<long>(items.Count);
        var current = account;
        foreach (var (product, amount) in items)
        {
            var allocation = Payment.Allocate(current, amount, product, now, withMethod: true);
            if (allocation.Refusal is not null) return null;
            shares.Add(allocation.Value.FromMethod);
            current = Payment.Apply(current, allocation.Value);
        }

        return shares;
    }

    /// <summary>
    /// R7.5: pays several charges as one: each item in turn from what is left, and if any cannot be
    /// covered, none is paid. With <paramref name="fromMethod"/> (R7.9, a payment that succeeded), the payment method paid
    /// that much of each item into the balance first: the balance pays at least that of it (<see cref="Payment.Allocate"/>),
    /// and <see cref="Paid.FromMethod"/> says how much of <see cref="Paid.FromBalance"/> it was.
    /// </summary>
    public static Outcome<Paid> PayAll(
        Account account, IReadOnlyList<(InstanceId Instance, string Product, long Amount)> items, Instant now, string memo,
        IReadOnlyList<long>? fromMethod = null)
    {
        var postings = ImmutableList.CreateBuilder<LedgerPosting>();
        var current = account;
        long total = 0, fromCoupons = 0, fromBalance = 0;
        foreach (var (n, (instance, product, amount)) in items.Index())
        {
            var allocation = Payment.Allocate(current, amount, product, now, settled: fromMethod?[n] ?? 0);
            if (allocation.Refusal is { } refusal)
            {
                if (items.Count == 1) return refusal;
                var sum = items.Sum(i => i.Amount);
                return new Refusal(RefusalCode.InsufficientFunds,
                    $"The batch total of {new Money(sum, account.Currency)} is not covered: at {instance}, {refusal.Detail}");
            }

            var paid = allocation.Value;
            current = Payment.Apply(current, paid);
            foreach (var use in paid.Coupons)
            {
                postings.Add(new LedgerPosting(LedgerKind.CouponUse, -use.Amount, instance, use.CouponId, memo));
            }

            if (paid.FromBalance > 0) postings.Add(new LedgerPosting(LedgerKind.Charge, -paid.FromBalance, instance, null, memo));
            total = checked(total + amount);
            fromCoupons = checked(fromCoupons + paid.FromCoupons);
            fromBalance = checked(fromBalance + paid.FromBalance);
        }

        return new Paid(current, total, fromCoupons, fromBalance, postings.ToImmutable()) { FromMethod = fromMethod?.Sum() ?? 0 };
    }
}
