using Tenure.Domain.Lifecycle;
using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Purchases;
using Tenure.Domain.Renewals;
using Tenure.Domain.Time;

namespace Tenure.Storage.Tests;

/// <summary>The instance list and the renewal list (R8.1): an InstanceFilter decided in SQL, paged in SQL.</summary>
public abstract partial class StorageCompliance
{
    /// <summary>
    /// Ten instances written as they are: account A on a clock at 2019-03-20 10:00, account B on one at 2019-03-21 23:59
    /// (a minute before its next local day).
    /// </summary>
    private (string A, string B, string ClockB, Dictionary<string, Instant> Nows, List<Instance> All) ListFixture()
    {
        var (a, clockA) = NewAccount("2019-03-20 10:00", 0);
        var (b, clockB) = NewAccount("2019-03-21 23:59", 0);
        var pending = new PendingChange(PendingChangeKind.RenewDowngrade, "ecs.small", null, Local("2019-03-10 10:00"), null);
        Instance[] all =
        [
            Make("i-01", a, "ecs", "ecs.small", "2019-03-30"),
            Make("i-02", a, "mqtt", "mqtt.basic.1k", "2019-04-20") with { Mode = RenewalMode.Auto, Region = "cn-shanghai" },
            Make("i-03", a, "ecs", "ecs.large", "2019-05-30") with { Mode = RenewalMode.NoRenew, Region = "eu-central-1" },
            Make("i-04", a, "ecs", "ecs.small", "2019-03-01")
                with { Status = InstanceStatus.Released, ReleasedAt = Local("2019-03-16 00:00") },
            Make("i-05", a, "event-ticket", "ticket", "2019-03-30"),
            Make("i-06", a, "rocketmq", "rocketmq.standard", null),
            Make("i-07", a, "ecs", "ecs.small", "2019-03-15")
                with { Status = InstanceStatus.Stopped, StoppedAt = Local("2019-03-15 00:00") },
            Make("i-08", a, "ecs", "ecs.medium", "2019-03-31") with { PendingChange = pending },
            Make("i-09", b, "ecs", "ecs.small", "2019-03-31"),
            Make("i-10", b, "ecs", "ecs.small", "2019-04-01"),
        ];
        using var session = Db.Begin();
        var accounts = session.Accounts([a, b], forUpdate: false);
        foreach (var i in all)
        {
            session.SaveInstance(i, Schedule.Next(Rules, i, accounts[i.AccountId.Value]), i.AccountId.Value == a ? clockA.Id : clockB.Id);
        }

        session.Commit();
        var nows = new Dictionary<string, Instant>
        {
            [clockA.Id] = clockA.FrozenTime, [clockB.Id] = clockB.FrozenTime, [Session.SystemClock] = Local("2030-01-01 00:00"),
        };
        return (a, b, clockB.Id, nows, [.. all]);
    }

    /// <summary>
    /// A subscription bought at 10:00 a month before <paramref name="expiresLocalDate"/> and expiring at the start of that day,
    /// or without a date a PAYG instance bought 2019-03-01 10:00.
    /// </summary>
    private static Instance Make(string id, string accountId, string product, string spec, string? expiresLocalDate, Rules? rules = null)
    {
        rules ??= Rules;
        var rich = Account.Empty(new AccountId(accountId), "USD") with { Balance = 1_000_000_000 };
        var expiry = expiresLocalDate is null ? (LocalDate?)null : NodaTime.Text.LocalDatePattern.Iso.Parse(expiresLocalDate).Value;
        var request = new PurchaseRequest(new InstanceId(id), product, "cn-hangzhou", null, spec,
            expiry is null ? ChargeType.Payg : ChargeType.Subscription, expiry is null ? null : 1);
        var at = rules.Calendar.At(expiry?.PlusMonths(-1) ?? new LocalDate(2019, 3, 1), new LocalTime(10, 0));
        var bought = Purchase.Buy(rules, rich, request, at).Value.Instance;
        return expiry is { } date ? bought with { ExpiresAt = rules.Calendar.StartOf(date) } : bought;
    }

    private List<string> Listed(
        InstanceFilter filter, IReadOnlyDictionary<string, Instant> nows, string after = "", int limit = 100, Rules? rules = null) =>
        Read(s => s.Instances(rules ?? Rules, filter, nows, after, limit).Select(i => i.Id.Value).ToList());

    [Fact]
    public void R8_1_the_renewal_list_in_SQL_shows_unreleased_subscriptions_of_renewable_products_with_each_filter()
    {
        var (a, b, _, nows, _) = ListFixture();
        Assert.Equal(["i-01", "i-02", "i-03", "i-07", "i-08", "i-09", "i-10"], Listed(new() { Renewable = true }, nows));
        Assert.Equal(["i-01", "i-02", "i-03", "i-07", "i-08"], Listed(new() { Renewable = true, Account = new(a) }, nows));
        Assert.Equal(["i-01", "i-07", "i-08", "i-09", "i-10"], Listed(new() { Renewable = true, Mode = RenewalMode.Manual }, nows));
        Assert.Equal(["i-02"], Listed(new() { Renewable = true, Mode = RenewalMode.Auto }, nows));
        Assert.Equal(["i-03"], Listed(new() { Renewable = true, Region = "eu-central-1" }, nows));
        Assert.Equal(["i-07"], Listed(new() { Renewable = true, Status = InstanceStatus.Stopped }, nows));
        Assert.Equal(["i-02"], Listed(new() { Renewable = true, Product = "mqtt" }, nows));
        Assert.Equal(["i-09", "i-10"], Listed(new() { Account = new(b) }, nows));
        Assert.Equal(["i-04"], Listed(new() { Status = InstanceStatus.Released }, nows)); // not renewable: released,
        Assert.Equal(["i-05"], Listed(new() { Product = "event-ticket" }, nows)); // a product that does not renew,
        Assert.Equal(["i-06"], Listed(new() { Product = "rocketmq" }, nows)); // PAYG
        Assert.Empty(Listed(new() { Renewable = true, Product = "event-ticket" }, nows));
        Assert.Equal(10, Listed(new(), nows).Count);
    }

    [Fact]
    public void R8_1_expires_within_N_days_counts_calendar_days_from_each_account_clock_at_the_boundary()
    {
        var (a, _, clockB, nows, _) = ListFixture();
        // A's now is 03-20: i-01 (03-30) is 10 days away, i-08 (03-31) 11; i-07 expired (it passes). B's now is 03-21 23:59:
        // i-09 (03-31) is 10 days away, i-10 (04-01) 11. With A's clock for B's rows i-09 would be 11 days away.
        Assert.Equal(["i-01", "i-07", "i-09"], Listed(new() { Renewable = true, ExpiresWithinDays = 10 }, nows));
        Assert.Equal(["i-07"], Listed(new() { Renewable = true, ExpiresWithinDays = 9 }, nows));
        Assert.Equal(["i-01", "i-07", "i-08", "i-09", "i-10"], Listed(new() { Renewable = true, ExpiresWithinDays = 11 }, nows));
        Assert.Equal(["i-01", "i-04", "i-05", "i-07"], Listed(new() { Account = new(a), ExpiresWithinDays = 10 }, nows)); // PAYG i-06 never
        Assert.Equal(["i-07"], Listed(new() { Renewable = true, ExpiresWithinDays = 0 }, nows));

        // A clock the caller gives no now for lists nothing under this filter; without the filter it does not matter.
        var withoutB = nows.Where(n => n.Key != clockB).ToDictionary();
        Assert.Equal(["i-01", "i-07"], Listed(new() { Renewable = true, ExpiresWithinDays = 10 }, withoutB));
        Assert.Empty(Listed(new() { ExpiresWithinDays = 10 }, new Dictionary<string, Instant>()));
        Assert.Equal(10, Listed(new(), new Dictionary<string, Instant>()).Count);
    }

    [Fact]
    public void R6_4_pendingChange_filters_in_SQL()
    {
        var (_, _, _, nows, _) = ListFixture();
        Assert.Equal(["i-08"], Listed(new() { PendingChange = true }, nows));
        Assert.Equal(["i-01", "i-02", "i-03", "i-07", "i-09", "i-10"], Listed(new() { Renewable = true, PendingChange = false }, nows));
        Assert.Equal(["i-08"], Listed(
            new() { Renewable = true, PendingChange = true, ExpiresWithinDays = 11, Mode = RenewalMode.Manual },
            nows));
    }

    [Fact]
    public void R8_1_a_filtered_list_pages_in_SQL_a_full_page_at_a_time()
    {
        var (_, _, _, nows, _) = ListFixture();
        // The manual tab is i-01, i-07, i-08, i-09 and i-10, with i-02 … i-06 between them in ID order.
        var manual = new InstanceFilter { Renewable = true, Mode = RenewalMode.Manual };
        Assert.Equal(["i-01", "i-07"], Listed(manual, nows, limit: 2));
        Assert.Equal(["i-08", "i-09"], Listed(manual, nows, after: "i-07", limit: 2));
        Assert.Equal(["i-10"], Listed(manual, nows, after: "i-09", limit: 2));
        Assert.Equal(["i-09"], Listed(manual with { ExpiresWithinDays = 10 }, nows, after: "i-07", limit: 2)); // i-08 is 11 days away
    }

    [Fact]
    public void R8_1_the_SQL_of_every_filter_agrees_with_InstanceFilter_Matches()
    {
        var (a, b, _, nows, all) = ListFixture();
        var clockOf = Read(s => all.ToDictionary(i => i.Id.Value, i => s.AccountRow(i.AccountId.Value)!.ClockId));
        foreach (var account in new AccountId?[] { null, new(a), new(b) })
        foreach (var renewable in new[] { false, true })
        foreach (var days in new int?[] { null, 0, 9, 10, 11, 31, 3650 })
        foreach (var pending in new bool?[] { null, true, false })
        foreach (var mode in new RenewalMode?[] { null, RenewalMode.Manual, RenewalMode.Auto })
        {
            var filter = new InstanceFilter
            {
                Account = account, Renewable = renewable, ExpiresWithinDays = days, PendingChange = pending, Mode = mode,
            };
            var expected = all.Where(i => filter.Matches(Rules, i, nows[clockOf[i.Id.Value]])).Select(i => i.Id.Value).ToList();
            Assert.True(expected.SequenceEqual(Listed(filter, nows)), $"{filter}: expected {string.Join(", ", expected)}");
        }
    }

    [Fact]
    public void R1_5_expires_within_N_days_across_a_midnight_gap_and_a_midnight_overlap_in_Sao_Paulo()
    {
        // 2018-11-04 began at 01:00 (the clocks skipped 00:00–01:00); on 2019-02-16 the hour 23:00–24:00 came twice.
        var rules = Rules with { Calendar = BillingCalendar.ForZone("America/Sao_Paulo")! };
        var (a, clock) = NewAccount("2019-03-01 09:00", 0);
        Instance[] made =
        [
            Make("i-gap", a, "ecs", "ecs.small", "2018-11-04", rules), Make("i-after", a, "ecs", "ecs.small", "2018-11-05", rules),
            Make("i-overlap", a, "ecs", "ecs.small", "2019-02-17", rules),
        ];
        using (var session = Db.Begin())
        {
            var account = session.Accounts([a], forUpdate: false)[a];
            foreach (var i in made) session.SaveInstance(i, Schedule.Next(rules, i, account), clock.Id);
            session.Commit();
        }

        Assert.Equal(Instant.FromUtc(2018, 11, 4, 3, 0), made[0].Expiry); // 01:00 local, UTC−2
        List<string> Within(int days, Instant now) =>
            Listed(new() { ExpiresWithinDays = days }, new Dictionary<string, Instant> { [clock.Id] = now }, rules: rules);
        var november = rules.Calendar.At(new LocalDate(2018, 11, 1), new LocalTime(12, 0));
        Assert.Empty(Within(2, november));
        Assert.Equal(["i-gap"], Within(3, november));
        Assert.Equal(["i-after", "i-gap"], Within(4, november));

        // 23:30 on 02-16 twice: both are still 02-16, so 02-17 is one day away from either.
        var firstHalfPast = rules.Calendar.At(new LocalDate(2019, 2, 16), new LocalTime(23, 30));
        foreach (var now in new[] { firstHalfPast, firstHalfPast + Duration.FromHours(1) })
        {
            Assert.Equal(["i-after", "i-gap"], Within(0, now));
            Assert.Equal(["i-after", "i-gap", "i-overlap"], Within(1, now));
            Assert.All(made, i => Assert.Equal(rules.Calendar.DaysBetween(now, i.Expiry) <= 0, Within(0, now).Contains(i.Id.Value)));
        }
    }
}
