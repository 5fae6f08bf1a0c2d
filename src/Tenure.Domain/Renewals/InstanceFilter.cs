using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Time;

namespace Tenure.Domain.Renewals;

/// <summary>
/// Which instances a list shows: the instance list's filters, and with <see cref="Renewable"/> the renewal list (R8.1).
/// A null field means "any".
/// </summary>
/// <remarks>
/// The one statement of the list rules. <see cref="Matches"/> says it in memory; Storage says the same
/// fields in SQL, taking the two values that need the rules from here: <see cref="RenewableProducts"/>
/// and <see cref="ExpiresBefore"/>. The storage compliance suite checks that both agree.
/// </remarks>
public sealed record InstanceFilter
{
    public AccountId? Account { get; init; }

    public string? Product { get; init; }

    public string? Region { get; init; }

    public InstanceStatus? Status { get; init; }

    public RenewalMode? Mode { get; init; }

    /// <summary>R8.1, R3.5: only what the renewal list shows: unreleased subscriptions of renewable products.</summary>
    public bool Renewable { get; init; }

    /// <summary>
    /// R8.1: only instances whose expiry date is at most this many calendar days (R1.2) after the local
    /// date of the account's now; expired ones pass, PAYG instances (no expiry) never do.
    /// </summary>
    public int? ExpiresWithinDays { get; init; }

    /// <summary>Only instances with (true) or without (false) a pending change (R6.2, R6.4).</summary>
    public bool? PendingChange { get; init; }

    /// <summary>Whether the list shows <paramref name="instance"/> when its account's now is <paramref name="now"/>.</summary>
    public bool Matches(Rules rules, Instance instance, Instant now) =>
        (Account is not { } account || instance.AccountId == account)
        && (Product is not { } product || instance.Product == product)
        && (Region is not { } region || instance.Region == region)
        && (Status is not { } status || instance.Status == status)
        && (Mode is not { } mode || instance.Mode == mode)
        && (!Renewable || Renewal.Renewable(rules, instance) is null)
        && (ExpiresBefore(rules.Calendar, now) is not { } before || instance.ExpiresAt < before)
        && (PendingChange is not { } pending || pending == (instance.PendingChange is not null));

    /// <summary>
    /// "Expires within N days" as an instant: an expiry passes when it is before the start of the local day
    /// N + 1 days after the date of <paramref name="now"/>. Expiries are local midnights (R1.3) and
    /// <see cref="BillingCalendar.StartOf"/> grows with the date whatever the zone does (R1.5), so this is
    /// exactly <c>DaysBetween(now, expiry) ≤ N</c>, said as a comparison of instants that SQL can make.
    /// </summary>
    public Instant? ExpiresBefore(BillingCalendar calendar, Instant now) =>
        ExpiresWithinDays is { } days ? calendar.StartOf(calendar.DateOf(now).PlusDays(checked(days + 1))) : null;

    /// <summary>R3.5: the products whose subscriptions the renewal list may show.</summary>
    public static ImmutableArray<string> RenewableProducts(ProductCatalog catalog) =>
        [.. catalog.Products.Where(p => p.Renewable).Select(p => p.Code)];
}
