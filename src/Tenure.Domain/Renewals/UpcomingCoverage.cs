using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Money;

namespace Tenure.Domain.Renewals;

/// <summary>
/// R8.9: the automatic renewals still to come of one account on one <see cref="RenewalTerms"/> (its index in the report's list
/// of them), as storage groups them: the expiry of each of its instances, in any order.
/// </summary>
public sealed record UpcomingGroup(AccountId Account, int Terms, ImmutableArray<Instant> Expiries);

/// <summary>R8.9: how what the accounts hold covers their renewals still to come, per day.</summary>
public static partial class RenewalReports
{
    /// <summary>
    /// The accounts of <paramref name="groups"/> whose renewals must be covered one by one in charging order (expiry, then
    /// instance ID, R4.8), so read one by one: those renewing more than one product or at more than one price. The renewals of
    /// any other account differ only in their expiry, so covering them in expiry order, in whatever order those of one expiry
    /// come, covers as many on each day as covering them one by one does.
    /// </summary>
    public static HashSet<AccountId> ReadOneByOne(Rules rules, IReadOnlyList<RenewalTerms> terms, IEnumerable<UpcomingGroup> groups)
    {
        var prices = Prices(rules, terms);
        var kinds = new Dictionary<AccountId, (string Product, long Price)>();
        var oneByOne = new HashSet<AccountId>();
        foreach (var group in groups)
        {
            var kind = (terms[group.Terms].Product, prices[group.Terms]);
            if (!kinds.TryAdd(group.Account, kind) && kinds[group.Account] != kind) oneByOne.Add(group.Account);
        }

        return oneByOne;
    }

    private static long[] Prices(Rules rules, IReadOnlyList<RenewalTerms> terms) =>
        [.. terms.Select(t => Charges.RenewalPrice(rules.Catalog.Get(t.Product), t.Spec, t.Components, t.PendingChange, t.Months))];

    private static ImmutableArray<UpcomingDay> Upcoming(
        Rules rules, IReadOnlyList<RenewalTerms> terms, IReadOnlyList<UpcomingRenewal> upcoming, IReadOnlyList<UpcomingGroup> groups,
        IReadOnlyDictionary<AccountId, Account> accounts, Instant now)
    {
        var prices = Prices(rules, terms);
        var byExpiry = new Dictionary<Instant, (long Count, long Amount, long Covered)>();
        void Count(AccountId account, List<Run> runs)
        {
            var covered = Cover(accounts[account], runs, terms, prices, now);
            for (var i = 0; i < runs.Count; i++)
            {
                var at = byExpiry.GetValueOrDefault(runs[i].Expiry);
                byExpiry[runs[i].Expiry] =
                    (at.Count + runs[i].Count, checked(at.Amount + (runs[i].Count * prices[runs[i].Terms])), at.Covered + covered[i]);
            }
        }

        var oneByOne = new Dictionary<AccountId, List<Run>>();
        foreach (var renewal in InChargingOrder(upcoming))
        {
            if (!oneByOne.TryGetValue(renewal.Account, out var runs)) oneByOne[renewal.Account] = runs = [];
            runs.Add(new Run(renewal.Expiry, renewal.Terms, renewal.Count, renewal.InstanceId));
        }

        foreach (var (account, runs) in oneByOne) Count(account, runs);
        foreach (var account in groups.Where(g => !oneByOne.ContainsKey(g.Account)).GroupBy(g => g.Account))
        {
            Count(account.Key, InExpiryOrder([.. account], terms, prices));
        }

        return [.. byExpiry.GroupBy(e => rules.Calendar.DateOf(e.Key)).OrderBy(d => d.Key).Select(d => new UpcomingDay(
            d.Key, d.Sum(e => e.Value.Count), checked(d.Sum(e => e.Value.Amount)), d.Sum(e => e.Value.Covered)))];
    }

    /// <summary>
    /// R13.4, R7.8: how many of each run of one account's renewals, in charging order, what the account holds covers. An active
    /// payment method covers all, as the forecast counts it (R8.7). Renewing one product only, paying a covered renewal lowers
    /// what is available for that product by exactly its price (coupons of the product, then balance), so a running sum
    /// decides each in turn without paying it; renewing two, each covered one is paid before the next is judged.
    /// </summary>
    private static long[] Cover(Account account, List<Run> runs, IReadOnlyList<RenewalTerms> terms, long[] prices, Instant now)
    {
        var covered = new long[runs.Count];
        var product = terms[runs[0].Terms].Product;
        if (account.Method is { Usable: true })
        {
            for (var i = 0; i < runs.Count; i++) covered[i] = runs[i].Count;
        }
        else if (runs.TrueForAll(r => terms[r.Terms].Product == product))
        {
            var left = Payment.Available(account, product, now);
            for (var i = 0; i < runs.Count; i++)
            {
                var amount = prices[runs[i].Terms];
                covered[i] = amount == 0 ? runs[i].Count : Math.Min(runs[i].Count, left / amount);
                left -= covered[i] * amount;
            }
        }
        else
        {
            for (var i = 0; i < runs.Count; i++)
            {
                // Paid in turn; once one is not covered, neither is the next: the account is the same and so is the price.
                var (amount, paying) = (prices[runs[i].Terms], terms[runs[i].Terms].Product);
                while (covered[i] < runs[i].Count && Coverage.Of(account, amount, paying, now).Shortfall == 0)
                {
                    account = Charges.Pay(account, amount, paying, new InstanceId(runs[i].InstanceId), now, "report").Value.Account;
                    covered[i]++;
                }
            }
        }

        return covered;
    }

    /// <summary>
    /// One account's grouped renewals earliest expiry first, those of one expiry and terms as one run. They must share their
    /// product and price (<see cref="ReadOneByOne"/>): how those of one expiry are ordered then makes no difference.
    /// </summary>
    private static List<Run> InExpiryOrder(List<UpcomingGroup> groups, IReadOnlyList<RenewalTerms> terms, long[] prices)
    {
        var (product, price) = (terms[groups[0].Terms].Product, prices[groups[0].Terms]);
        if (groups.Exists(g => terms[g.Terms].Product != product || prices[g.Terms] != price))
        {
            throw new InvalidOperationException($"The renewals of account {groups[0].Account.Value} must be given one by one.");
        }

        var renewals = groups.Count == 1
            ? [.. groups[0].Expiries.Select(e => (Expiry: e, groups[0].Terms))]
            : groups.SelectMany(g => g.Expiries.Select(e => (Expiry: e, g.Terms))).ToArray();
        Array.Sort(renewals);
        var runs = new List<Run>(renewals.Length);
        foreach (var (expiry, at) in renewals)
        {
            if (runs.Count > 0 && runs[^1].Expiry == expiry && runs[^1].Terms == at)
            {
                runs[^1] = runs[^1] with { Count = runs[^1].Count + 1 };
            }
            else
            {
                runs.Add(new Run(expiry, at, 1, string.Empty));
            }
        }

        return runs;
    }

    /// <summary>Renewals of one account at one expiry on one terms, consecutive in charging order; the first's instance ID.</summary>
    private readonly record struct Run(Instant Expiry, int Terms, int Count, string InstanceId);
}
