using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Renewals;

namespace Tenure.Storage.Tests;

/// <summary>The renewal report's renewals still to come (R8.9) on each database: grouped per account, one by one where needed.</summary>
public abstract partial class StorageCompliance
{
    /// <summary>
    /// Account A holds 2,500 after buying a manual ECS instance and three auto-renew ones (1,000 each) expiring 05-02 and
    /// 05-03 (twice): it is grouped, and covers the first two. Account B renews ECS and MQTT (5,000) and holds 5,500: it is
    /// read one by one and covers one of its two on 05-02 (whichever comes first), none on 05-03. The manual one is not to come.
    /// </summary>
    [Fact]
    public void R8_9_renewals_to_come_grouped_per_account_give_the_report_of_reading_them_one_by_one()
    {
        var (a, clock) = NewAccount("2019-04-01 09:00", 6_500);
        Buy(a, clock.Id, "ecs", "ecs.small", 1, "2019-04-01 10:00", autoRenew: true);
        Buy(a, clock.Id, "ecs", "ecs.small", 1, "2019-04-02 10:00", autoRenew: true);
        Buy(a, clock.Id, "ecs", "ecs.small", 1, "2019-04-02 11:00", autoRenew: true);
        var b = NewAccountOn(clock.Id, 16_500);
        Buy(b, clock.Id, "ecs", "ecs.small", 1, "2019-04-01 10:00", autoRenew: true);
        Buy(b, clock.Id, "mqtt", "mqtt.basic.1k", 1, "2019-04-01 10:00", autoRenew: true);
        Buy(b, clock.Id, "mqtt", "mqtt.basic.1k", 1, "2019-04-02 10:00", autoRenew: true);
        Buy(a, clock.Id, "ecs", "ecs.small", 1, "2019-04-01 12:00");
        var now = Local("2019-04-12 10:00");
        var span = RenewalReports.Span(Rules, new LocalDate(2019, 4, 1), new LocalDate(2019, 6, 1), now).Value;

        var (may2, may3) = (new LocalDate(2019, 5, 2), new LocalDate(2019, 5, 3));
        Assert.Equal([new UpcomingDay(may2, 3, 7000, 2), new UpcomingDay(may3, 3, 7000, 1)],
            Read(s => s.RenewalReport(Rules, clock.Id, null, span, now)).Upcoming);
        Assert.Equal([new UpcomingDay(may2, 2, 2000, 2), new UpcomingDay(may3, 2, 2000, 1)],
            Read(s => s.RenewalReport(Rules, clock.Id, "ecs", span, now)).Upcoming);
        var (terms, groups, accounts) = Read(s => s.UpcomingGroups(clock.Id, null, span.UpcomingFrom, span.UpcomingTo));
        Assert.Equal([new AccountId(b)], RenewalReports.ReadOneByOne(Rules, terms, groups));
        var all = Read(s => s.UpcomingAutoRenewals(clock.Id, null, span.UpcomingFrom, span.UpcomingTo, terms, accounts.Keys));
        Assert.Equal([new UpcomingDay(may2, 3, 7000, 2), new UpcomingDay(may3, 3, 7000, 1)],
            RenewalReports.Of(Rules, span, null, [], [], terms, all, accounts, now).Upcoming);
    }

    /// <summary>
    /// The grouped read groups by the terms digest (migration 0026), which a save of only the changed columns keeps up: of two
    /// instances bought alike, the one then set to renew for three months at a time is its own group, priced for three months.
    /// </summary>
    [Fact]
    public void R8_9_an_instance_whose_renewal_terms_change_is_grouped_under_its_new_terms()
    {
        var (a, clock) = NewAccount("2019-04-01 09:00", 10_000);
        Buy(a, clock.Id, "ecs", "ecs.small", 1, "2019-04-01 10:00", autoRenew: true);
        var changed = Buy(a, clock.Id, "ecs", "ecs.small", 1, "2019-04-01 10:00", autoRenew: true);
        using (var session = Db.Begin())
        {
            var read = session.Instance(changed.Id.Value, forUpdate: true)!;
            session.SaveInstance(read with { AutoRenewMonths = 3 }, null, clock.Id);
            session.Commit();
        }

        var now = Local("2019-04-12 10:00");
        var span = RenewalReports.Span(Rules, new LocalDate(2019, 4, 1), new LocalDate(2019, 6, 1), now).Value;
        var (terms, groups, _) = Read(s => s.UpcomingGroups(clock.Id, null, span.UpcomingFrom, span.UpcomingTo));
        Assert.Equal([1, 3], groups.Select(g => terms[g.Terms].Months).Order());
        Assert.All(groups, g => Assert.Single(g.Expiries));
        Assert.Equal([new UpcomingDay(new LocalDate(2019, 5, 2), 2, 4000, 2)],
            Read(s => s.RenewalReport(Rules, clock.Id, null, span, now)).Upcoming);
    }

    /// <summary>A second account on an existing test clock, topped up.</summary>
    private string NewAccountOn(string clockId, long topUp)
    {
        var at = Local("2019-04-01 09:00");
        var id = Session.NewId("acc");
        using var session = Db.Begin();
        session.InsertAccount(new AccountRow
        {
            Id = id, Name = "Test", Email = "ops@example.com", Currency = "USD", ClockId = clockId, CreatedAt = at.ToUnixTimeTicks(),
        });
        var account = session.Accounts([id], forUpdate: true)[id];
        session.Save(Domain.Lifecycle.Payg.TopUp(Rules, account, topUp, [], at).Value, at, clockId);
        session.Commit();
        return id;
    }
}
