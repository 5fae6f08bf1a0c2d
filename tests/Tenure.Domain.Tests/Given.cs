using System.Collections.Immutable;
using NodaTime;
using NodaTime.Text;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Purchases;

namespace Tenure.Domain.Tests;

/// <summary>Builders shared by the domain tests: local times in Asia/Shanghai, accounts and purchases.</summary>
internal static class Given
{
    public static readonly Rules Rules = Tenure.Domain.Rules.Default;

    public static readonly AccountId AccountId = new("acc-1");

    private static readonly LocalDateTimePattern Pattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm");

    /// <summary>An instant from a local time in the billing zone, e.g. <c>Local("2019-03-27 08:00")</c>.</summary>
    public static Instant Local(string local, Rules? rules = null)
    {
        var value = Pattern.Parse(local).Value;
        return (rules ?? Rules).Calendar.At(value.Date, value.TimeOfDay);
    }

    /// <summary>An instant as local text in the billing zone, for readable assertions.</summary>
    public static string Show(Instant instant, Rules? rules = null) => Pattern.Format((rules ?? Rules).Calendar.Local(instant));

    public static Account Account(long balance = 0, bool noStop = false, params Coupon[] coupons) =>
        new(AccountId, "USD", balance, coupons.ToImmutableList(), noStop);

    public static Coupon Coupon(string id, long amount, string expiresLocal, string? product = null) =>
        new(new CouponId(id), amount, Local(expiresLocal), product);

    /// <summary>Buys an instance with enough money, then hands back the instance and the account as it was before paying.</summary>
    public static Instance Bought(string product, string spec, string purchasedLocal, int? months, RenewalMode mode = RenewalMode.Manual,
        string id = "i-1", ChargeType chargeType = ChargeType.Subscription, Components? components = null, Rules? rules = null)
    {
        rules ??= Rules;
        var rich = Account(balance: 1_000_000_000);
        var request = new PurchaseRequest(
            new InstanceId(id), product, "cn-hangzhou", null, spec, chargeType, months, mode == RenewalMode.Auto, components);
        var instance = Purchase.Buy(rules, rich, request, Local(purchasedLocal, rules)).Value.Instance;
        return mode == RenewalMode.NoRenew ? instance with { Mode = RenewalMode.NoRenew } : instance;
    }

    /// <summary>A subscription instance expiring at a given local midnight, bought one month before.</summary>
    public static Instance Expiring(
        string product, string spec, string expiryLocalDate, RenewalMode mode = RenewalMode.Manual, string id = "i-1",
        int autoRenewMonths = 1)
    {
        var expiry = Local(expiryLocalDate + " 00:00");
        var bought = Rules.Calendar.Extend(expiry, -1);
        return new Instance
        {
            Id = new InstanceId(id),
            AccountId = AccountId,
            Product = product,
            Region = "cn-hangzhou",
            Edition = Rules.Catalog.Get(product).EditionOf(spec)!.Code,
            Spec = spec,
            ChargeType = ChargeType.Subscription,
            CreatedAt = bought,
            CycleStart = bought,
            ExpiresAt = expiry,
            Mode = mode,
            AutoRenewMonths = autoRenewMonths,
            Progress = Progress.Before(bought),
        };
    }
}
