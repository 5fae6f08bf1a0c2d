using System.Collections.Immutable;

namespace Tenure.Domain.Catalog;

public enum ChargeType
{
    Subscription,
    Payg,
}

/// <summary>R6.2: how a spec upgrade takes effect within an edition.</summary>
public enum UpgradeMode
{
    Immediate,
    Review,
}

/// <summary>What a product allows of spec changes (R6.1).</summary>
public enum SpecChangePolicy
{
    None,
    UpAndDown,
}

/// <summary>R6.7/R8.4: what happens at expiry (or unsubscription) instead of the plain stop.</summary>
public enum PostExpirationAction
{
    Stop,
    DowngradeToStandard,
}

/// <summary>The products a provider sells, with prices, limits and policies (SPEC appendix).</summary>
public sealed record ProductCatalog
{
    public required string Currency { get; init; }

    public required ImmutableArray<Product> Products { get; init; }

    /// <summary>The product with this code, or null.</summary>
    public Product? Find(string code) => Products.FirstOrDefault(p => p.Code == code);

    public Product Get(string code) => Find(code) ?? throw new KeyNotFoundException($"Product '{code}' is not in the catalog.");
}

/// <summary>A product and the policies that decide its lifecycle.</summary>
public sealed record Product
{
    public required string Code { get; init; }

    public required string Name { get; init; }

    /// <summary>R3.5: non-renewable products (event tickets) are never renewed nor listed for renewal.</summary>
    public bool Renewable { get; init; } = true;

    /// <summary>Periods (months) a subscription can be bought for.</summary>
    public required ImmutableArray<int> PurchasePeriods { get; init; }

    /// <summary>R3.3: periods a manual renewal may take.</summary>
    public ImmutableArray<int> ManualPeriods { get; init; } = [];

    /// <summary>R4.1: periods auto-renewal may take.</summary>
    public ImmutableArray<int> AutoRenewPeriods { get; init; } = [];

    /// <summary>R4.3: the days relative to the expiry date T on which attempts run, at 08:00.</summary>
    public ImmutableArray<int> AutoRenewAttemptDays { get; init; } = [-3, -1, 0, 6, 14];

    /// <summary>R4.5: under auto-renew the instance runs until T + this many days, 00:00.</summary>
    public int AutoRenewGraceDays { get; init; } = 15;

    /// <summary>R5.2: days after expiry before the stop, without auto-renew.</summary>
    public int StopDelayDays { get; init; }

    /// <summary>R5.3: days a stopped instance is kept before release.</summary>
    public int RetentionDays { get; init; }

    /// <summary>R5.3: released at the moment it would stop.</summary>
    public bool ReleaseOnStop { get; init; }

    /// <summary>R9.1: days before expiry on which a manual instance is reminded, at 08:00.</summary>
    public ImmutableArray<int> ReminderDays { get; init; } = [7, 3, 1];

    /// <summary>R8.2: whether a batch renewal may mix this product with others.</summary>
    public bool BatchWithOtherProducts { get; init; } = true;

    /// <summary>R8.3: whether unified expiry dates are offered.</summary>
    public bool UnifiedExpiry { get; init; }

    /// <summary>R6.4: days before expiry from which renew-and-downgrade is open; null when not offered.</summary>
    public int? RenewDowngradeWindowDays { get; init; }

    /// <summary>R7.2: a year costs this many months.</summary>
    public int YearPriceMonths { get; init; } = 10;

    /// <summary>R6.7: post-expiration actions a customer may choose.</summary>
    public ImmutableArray<PostExpirationAction> PostExpirationActions { get; init; } = [PostExpirationAction.Stop];

    /// <summary>R8.4: unsubscription with a refund.</summary>
    public bool Unsubscribe { get; init; }

    public SpecChangePolicy SpecChange { get; init; } = SpecChangePolicy.None;

    /// <summary>R6.8: whether a PAYG instance may switch to subscription in place; otherwise a migration is required.</summary>
    public bool PaygToSubscriptionInPlace { get; init; }

    /// <summary>ECS components (bandwidth, data disks) and their monthly prices; null for products without them.</summary>
    public ComponentPrices? Components { get; init; }

    public required ImmutableArray<Edition> Editions { get; init; }

    public Edition? FindEdition(string code) => Editions.FirstOrDefault(e => e.Code == code);

    /// <summary>The edition that holds a spec, or null.</summary>
    public Edition? EditionOf(string spec) => Editions.FirstOrDefault(e => e.FindSpec(spec) is not null);

    /// <summary>A spec of any edition, or null.</summary>
    public Spec? SpecOf(string spec) => EditionOf(spec)?.FindSpec(spec);
}

/// <summary>An edition: a family of specs with one billing method and upgrade mode.</summary>
public sealed record Edition
{
    public required string Code { get; init; }

    public required ImmutableArray<ChargeType> ChargeTypes { get; init; }

    public UpgradeMode Upgrade { get; init; } = UpgradeMode.Immediate;

    /// <summary>R6.6: editions this one can change to in place, keeping the instance's ID.</summary>
    public ImmutableArray<string> InPlaceChangeTo { get; init; } = [];

    public required ImmutableArray<Spec> Specs { get; init; }

    public Spec? FindSpec(string code) => Specs.FirstOrDefault(s => s.Code == code);
}

/// <summary>A spec with its prices and the limits usage alarms compare against (R11.2).</summary>
public sealed record Spec
{
    public required string Code { get; init; }

    /// <summary>Price of a month on subscription, in minor units.</summary>
    public long? MonthlyPrice { get; init; }

    /// <summary>R7.6: price of an hour on PAYG, in minor units.</summary>
    public long? HourlyPrice { get; init; }

    public Limits? Limits { get; init; }
}

/// <summary>Usage limits of a spec (R11).</summary>
public sealed record Limits(long Tps, long Subscriptions, long Connections);

/// <summary>Monthly prices of ECS components (appendix).</summary>
public sealed record ComponentPrices(
    long BandwidthPerMbpsMonth,
    long TrafficPerMonth,
    long DataDiskSubscriptionPerGbMonth,
    long DataDiskPaygPerMonth);
