using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Money;

namespace Tenure.Domain.Renewals;

/// <summary>One auto-renew charge that will fall due.</summary>
public sealed record ForecastItem(InstanceId InstanceId, Instant At, long Amount);

/// <summary>R8.7: the coming auto-renew charges and whether coupons and balance cover them.</summary>
public sealed record ForecastResult(ImmutableArray<ForecastItem> Items, long Total, bool Covered, long Shortfall);

public static class Forecasts
{
    /// <summary>
    /// R8.7: for the <paramref name="days"/> calendar days from <paramref name="now"/>, every auto-renew
    /// charge that falls due (the next attempt of the current cycle, then the first attempt of each
    /// later cycle), in time order, paid in that order (R4.8) from the coupons and balance as they are
    /// now, and then from an active payment method (R7.8), which covers the rest. <c>Shortfall</c> is what could not be paid.
    /// </summary>
    public static ForecastResult Forecast(Rules rules, Account account, IEnumerable<Instance> instances, Instant now, int days) =>
        ForecastBook.Of(rules, account, instances).Forecast(account, now, days);
}

/// <summary>
/// R8.7: the auto-renew charges of one account's instances, each instance planned once (its next attempt, price and
/// cycle), so that a forecast looks up the charges of its days instead of planning every instance again. A book is
/// kept up to date with <see cref="With"/> as events change the instances: the engine keeps one per account across
/// a batch's events, so each T-7 reminder's check (R9.5) costs the charges in its 7 days, not a plan of the account.
/// </summary>
public sealed class ForecastBook
{
    /// <summary>
    /// An instance's charges: the first at <c>First</c>, then one per cycle of <c>Months</c>, the next at <c>Second</c>, in
    /// the cycle that ends at <c>SecondExpiry</c>.
    /// </summary>
    private sealed record Entry(
        InstanceId Id, string Product, Instant First, Instant Second, Instant SecondExpiry, Instant SortExpiry, long Amount, int Months,
        int AttemptDay);

    /// <summary>The entries in the order of their first charges.</summary>
    private static readonly Comparer<Entry> ByFirst = Comparer<Entry>.Create((a, b) => Compare(a.First, a, b.First, b));

    private readonly Rules _rules;
    private readonly AccountId _account;
    private readonly ImmutableDictionary<string, Entry> _byId;
    private readonly ImmutableSortedSet<Entry> _byFirst;

    private ForecastBook(Rules rules, AccountId account, ImmutableDictionary<string, Entry> byId, ImmutableSortedSet<Entry> byFirst)
    {
        (_rules, _account, _byId, _byFirst) = (rules, account, byId, byFirst);
    }

    /// <summary>The book of <paramref name="account"/>'s instances among <paramref name="instances"/> (others are ignored).</summary>
    public static ForecastBook Of(Rules rules, Account account, IEnumerable<Instance> instances)
    {
        var entries = instances.Where(i => i.AccountId == account.Id).Select(i => EntryOf(rules, i, account)).OfType<Entry>().ToList();
        return new ForecastBook(rules, account.Id, entries.ToImmutableDictionary(e => e.Id.Value, StringComparer.Ordinal),
            entries.ToImmutableSortedSet(ByFirst));
    }

    /// <summary>
    /// The book with <paramref name="instance"/> as it is now (added, replaced or, when it has no more auto-renew
    /// charges, removed). <paramref name="account"/> is its account now: a plan's auto-renew attempts do not depend on
    /// the account's state (<see cref="Schedule.SamePlans"/>), so the other entries hold.
    /// </summary>
    public ForecastBook With(Instance instance, Account account)
    {
        if (instance.AccountId != _account) throw new ArgumentException($"{instance.Id} is not of account {_account}.", nameof(instance));
        var (byId, byFirst) = (_byId, _byFirst);
        if (byId.TryGetValue(instance.Id.Value, out var was)) (byId, byFirst) = (byId.Remove(instance.Id.Value), byFirst.Remove(was));
        if (EntryOf(_rules, instance, account) is { } entry) (byId, byFirst) = (byId.SetItem(entry.Id.Value, entry), byFirst.Add(entry));
        return new ForecastBook(_rules, _account, byId, byFirst);
    }

    /// <summary><see cref="Forecasts.Forecast"/> of the book's instances, paid from <paramref name="account"/> as it is now.</summary>
    public ForecastResult Forecast(Account account, Instant now, int days)
    {
        if (account.Id != _account) throw new ArgumentException($"The book is of account {_account}, not {account.Id}.", nameof(account));
        var horizon = _rules.Calendar.PlusDays(now, days);
        var charges = new List<(ForecastItem Item, Entry Of)>();
        var ordered = true;
        void Add(Instant at, Entry entry)
        {
            ordered = ordered && (charges.Count == 0 || Compare(charges[^1].Item.At, charges[^1].Of, at, entry) < 0);
            charges.Add((new ForecastItem(entry.Id, at, entry.Amount), entry));
        }

        foreach (var entry in _byFirst)
        {
            if (entry.First > horizon) break; // the rest start later still
            if (Instant.Max(entry.First, now) is var first && first > horizon) continue;
            Add(first, entry);
            for (var (at, expiry) = (entry.Second, entry.SecondExpiry); at <= horizon;)
            {
                Add(at, entry);
                expiry = _rules.Calendar.Extend(expiry, entry.Months);
                at = _rules.Calendar.DayAt(expiry, entry.AttemptDay, Schedule.NoticeTime);
            }
        }

        if (!ordered) charges.Sort((a, b) => Compare(a.Item.At, a.Of, b.Item.At, b.Of));
        var wallet = account;
        long shortfall = 0;
        foreach (var (item, of) in charges)
        {
            var allocation = Payment.Allocate(wallet, item.Amount, of.Product, item.At, withMethod: true);
            if (allocation.IsSuccess)
            {
                wallet = Payment.Apply(wallet, allocation.Value);
                continue;
            }

            var available = Payment.Available(wallet, of.Product, item.At);
            shortfall = checked(shortfall + item.Amount - available);
            wallet = Payment.Apply(wallet, Payment.Allocate(wallet, available, of.Product, item.At).Value);
        }

        var items = charges.Select(c => c.Item).ToImmutableArray();
        return new ForecastResult(items, items.Sum(i => i.Amount), shortfall == 0, shortfall);
    }

    /// <summary>The order of charges: time, then the earliest expiry (none last), then the instance ID (R4.8).</summary>
    private static int Compare(Instant at, Entry of, Instant otherAt, Entry other) =>
        at.CompareTo(otherAt) is var c and not 0 ? c
        : of.SortExpiry.CompareTo(other.SortExpiry) is var e and not 0 ? e
        : string.CompareOrdinal(of.Id.Value, other.Id.Value);

    /// <summary>The charges of a running auto-renew subscription with attempt days and an attempt ahead; null for any other.</summary>
    private static Entry? EntryOf(Rules rules, Instance instance, Account account)
    {
        if (instance is not { Mode: RenewalMode.Auto, IsSubscription: true, Status: InstanceStatus.Running }) return null;
        var product = rules.Catalog.Get(instance.Product);
        if (!product.Renewable || product.AutoRenewAttemptDays.IsEmpty) return null;
        var next = Schedule.Plan(rules, instance, account).FirstOrDefault(e => e.Kind == EventKind.AutoRenewAttempt);
        if (next == default) return null;
        var (months, day) = (instance.AutoRenewMonths, product.AutoRenewAttemptDays[0]);
        var secondExpiry = rules.Calendar.Extend(instance.Expiry, months);
        return new Entry(instance.Id, instance.Product, next.At, rules.Calendar.DayAt(secondExpiry, day, Schedule.NoticeTime), secondExpiry,
            instance.ExpiresAt ?? Instant.MaxValue, Charges.RenewalPrice(product, instance, months), months, day);
    }
}
