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

/// <summary>R8.7 in sum, what the T-7 reminder's check needs (R9.5): how many charges, their total and what could not be paid.</summary>
public sealed record ForecastSum(int Count, long Total, long Shortfall)
{
    public bool Covered => Shortfall == 0;
}

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

    /// <summary>The entries in the order of their second charges.</summary>
    private static readonly Comparer<Entry> BySecond = Comparer<Entry>.Create((a, b) =>
        a.Second.CompareTo(b.Second) is var c and not 0 ? c : string.CompareOrdinal(a.Id.Value, b.Id.Value));

    private readonly Rules _rules;
    private readonly AccountId _account;
    private readonly ImmutableDictionary<string, Entry> _byId;
    private readonly ImmutableSortedSet<Entry> _byFirst;
    private readonly ImmutableSortedSet<Entry> _bySecond;

    /// <summary>The first charges summed by their instant (attempts fall at a few instants a day): a sum costs those instants.</summary>
    private readonly ImmutableSortedDictionary<Instant, (int Count, long Total)> _firsts;

    private ForecastBook(Rules rules, AccountId account, ImmutableDictionary<string, Entry> byId, ImmutableSortedSet<Entry> byFirst,
        ImmutableSortedSet<Entry> bySecond, ImmutableSortedDictionary<Instant, (int Count, long Total)> firsts)
    {
        (_rules, _account, _byId, _byFirst, _bySecond, _firsts) = (rules, account, byId, byFirst, bySecond, firsts);
    }

    /// <summary>The book of <paramref name="account"/>'s instances among <paramref name="instances"/> (others are ignored).</summary>
    public static ForecastBook Of(Rules rules, Account account, IEnumerable<Instance> instances)
    {
        var entries = instances.Where(i => i.AccountId == account.Id).Select(i => EntryOf(rules, i, account)).OfType<Entry>().ToList();
        var firsts = entries.GroupBy(e => e.First)
            .ToImmutableSortedDictionary(g => g.Key, g => (g.Count(), g.Aggregate(0L, (sum, e) => checked(sum + e.Amount))));
        return new ForecastBook(rules, account.Id, entries.ToImmutableDictionary(e => e.Id.Value, StringComparer.Ordinal),
            entries.ToImmutableSortedSet(ByFirst), entries.ToImmutableSortedSet(BySecond), firsts);
    }

    /// <summary>
    /// The book with <paramref name="instance"/> as it is now (added, replaced or, when it has no more auto-renew
    /// charges, removed). <paramref name="account"/> is its account now: a plan's auto-renew attempts do not depend on
    /// the account's state (<see cref="Schedule.SamePlans"/>), so the other entries hold.
    /// </summary>
    public ForecastBook With(Instance instance, Account account)
    {
        if (instance.AccountId != _account) throw new ArgumentException($"{instance.Id} is not of account {_account}.", nameof(instance));
        var (byId, byFirst, bySecond, firsts) = (_byId, _byFirst, _bySecond, _firsts);
        if (byId.TryGetValue(instance.Id.Value, out var was))
        {
            (byId, byFirst, bySecond, firsts) =
                (byId.Remove(instance.Id.Value), byFirst.Remove(was), bySecond.Remove(was), Count(firsts, was, -1));
        }

        if (EntryOf(_rules, instance, account) is { } entry)
        {
            (byId, byFirst, bySecond, firsts) =
                (byId.SetItem(entry.Id.Value, entry), byFirst.Add(entry), bySecond.Add(entry), Count(firsts, entry, 1));
        }

        return new ForecastBook(_rules, _account, byId, byFirst, bySecond, firsts);
    }

    /// <summary>
    /// The book after <paramref name="due"/>, the instance's next event, ran and left <paramref name="instance"/>: a reminder or a
    /// release warning moves none of its charges (no attempt lies before the event, which was the next), so the book holds, as
    /// <see cref="With"/> would plan it; any other event is planned with <see cref="With"/>.
    /// </summary>
    public ForecastBook After(DueEvent due, Instance instance, Account account) =>
        due.Kind is EventKind.Reminder or EventKind.ReleaseWarning ? this : With(instance, account);

    /// <summary>The first charges by instant, <paramref name="entry"/>'s added (<paramref name="sign"/> 1) or taken out (−1).</summary>
    private static ImmutableSortedDictionary<Instant, (int Count, long Total)> Count(
        ImmutableSortedDictionary<Instant, (int Count, long Total)> firsts, Entry entry, int sign)
    {
        var (count, total) = firsts.GetValueOrDefault(entry.First);
        (count, total) = (count + sign, checked(total + sign * entry.Amount));
        return count == 0 ? firsts.Remove(entry.First) : firsts.SetItem(entry.First, (count, total));
    }

    /// <summary>
    /// <see cref="Forecast"/> in sum. Where no coupon could pay any of the charges (none left that expires after
    /// <paramref name="now"/>), their order does not matter: a usable payment method pays whatever the balance does not, and
    /// without one the balance pays until it runs out, so the shortfall is the total less the balance. The count and
    /// total then come from the first charges summed by instant and the few entries with a later cycle in the days, not
    /// from a walk of every charge. With coupons the forecast walks the charges in order, as they would be paid.
    /// </summary>
    public ForecastSum Sum(Account account, Instant now, int days)
    {
        if (account.Id != _account) throw new ArgumentException($"The book is of account {_account}, not {account.Id}.", nameof(account));
        if (account.Method is not { Usable: true } && account.Coupons.Any(c => c.Remaining > 0 && c.ExpiresAt > now))
        {
            var walked = Forecast(account, now, days);
            return new ForecastSum(walked.Items.Length, walked.Total, walked.Shortfall);
        }

        var horizon = _rules.Calendar.PlusDays(now, days);
        if (horizon < now) return new ForecastSum(0, 0, 0);
        var (count, total) = (0, 0L);
        foreach (var (at, (n, sum)) in _firsts)
        {
            if (at > horizon) break;
            (count, total) = (count + n, checked(total + sum));
        }

        foreach (var entry in _bySecond)
        {
            if (entry.Second > horizon) break;
            if (entry.First > horizon) continue;
            for (var (at, expiry) = (entry.Second, entry.SecondExpiry); at <= horizon;)
            {
                (count, total) = (count + 1, checked(total + entry.Amount));
                expiry = _rules.Calendar.Extend(expiry, entry.Months);
                at = _rules.Calendar.DayAt(expiry, entry.AttemptDay, Schedule.NoticeTime);
            }
        }

        var shortfall = account.Method is { Usable: true } ? 0 : Math.Max(0, total - Math.Max(account.Balance, 0));
        return new ForecastSum(count, total, shortfall);
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
        if (Schedule.Next(rules, instance, account, EventKind.AutoRenewAttempt) is not { } next) return null;
        var (months, day) = (instance.AutoRenewMonths, product.AutoRenewAttemptDays[0]);
        var secondExpiry = rules.Calendar.Extend(instance.Expiry, months);
        return new Entry(instance.Id, instance.Product, next.At, rules.Calendar.DayAt(secondExpiry, day, Schedule.NoticeTime), secondExpiry,
            instance.ExpiresAt ?? Instant.MaxValue, Charges.RenewalPrice(product, instance, months), months, day);
    }
}
