using NodaTime;
using Tenure.Domain.Instances;
using Tenure.Domain.Renewals;
using static Tenure.Domain.Tests.Given;

namespace Tenure.Domain.Tests;

/// <summary>R8.9: what the renewal report is decided from, and how it decides.</summary>
public sealed class RenewalReportTests
{
    [Fact]
    public void R8_9_an_auto_renewal_order_keeps_the_attempt_day_that_paid_it_and_a_manual_one_none()
    {
        var instance = Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto);
        // The T-7 reminder runs first, then the T-3 attempt pays.
        var reminded = Domain.Lifecycle.Lifecycle.Advance(Given.Rules, instance, Account(balance: 1000), Local("2019-03-27 08:00"))!;
        var auto = Domain.Lifecycle.Lifecycle.Advance(Given.Rules, reminded.Instance, reminded.Account, Local("2019-03-27 08:00"))!
            .Effects.Order!;
        Assert.Equal((-3, "2019-03-30 00:00"), (auto.AttemptDay, Show(auto.Items[0].Renews!.Value)));
        var manual = Renewal.Renew(Given.Rules, instance, Account(balance: 1000), 1, Local("2019-03-20 10:00")).Value.Effects.Order!;
        Assert.Equal(((int?)null, "2019-03-30 00:00"), (manual.AttemptDay, Show(manual.Items[0].Renews!.Value)));
    }

    [Fact]
    public void R8_9_a_span_splits_at_now_into_what_came_due_and_what_is_to_come_and_is_at_most_366_days()
    {
        var span = RenewalReports.Span(Given.Rules, new LocalDate(2019, 4, 1), new LocalDate(2019, 6, 1), Local("2019-04-12 10:00")).Value;
        Assert.Equal(("2019-04-01 00:00", "2019-04-12 10:00", "2019-04-12 10:00", "2019-05-13 10:00"),
            (Show(span.DueFrom), Show(span.DueTo), Show(span.UpcomingFrom), Show(span.UpcomingTo)));
        var past = RenewalReports.Span(Given.Rules, new LocalDate(2019, 1, 1), new LocalDate(2019, 2, 1), Local("2019-04-12 10:00")).Value;
        Assert.Equal(past.UpcomingFrom, past.UpcomingTo);
        var asked = Local("2019-04-12 10:00");
        Assert.Equal("to", RenewalReports.Span(Given.Rules, new LocalDate(2019, 1, 1), new LocalDate(2020, 1, 3), asked).Refusal?.Field);
        Assert.Equal("to", RenewalReports.Span(Given.Rules, new LocalDate(2019, 1, 1), new LocalDate(2019, 1, 1), asked).Refusal?.Field);
    }

    [Fact]
    public void R8_9_an_account_holding_1500_covers_the_first_of_two_1000_renewals_in_expiry_order_not_the_second()
    {
        var later = Expiring("ecs", "ecs.small", "2019-05-03", RenewalMode.Auto, id: "i-a");
        var sooner = Expiring("ecs", "ecs.small", "2019-05-02", RenewalMode.Auto, id: "i-b");
        var now = Local("2019-04-12 10:00");
        var span = RenewalReports.Span(Given.Rules, new LocalDate(2019, 4, 1), new LocalDate(2019, 6, 1), now).Value;
        var report = RenewalReports.Of(Given.Rules, span, null,
            [new RenewedCount(-3, 5, 5000), new RenewedCount(6, 2, 2000), new RenewedCount(null, 1, 1000)],
            [new UnrenewedCount(InstanceStatus.Stopped, 1), new UnrenewedCount(InstanceStatus.Released, 1)], [RenewalTerms.Of(later)],
            [.. new[] { later, sooner }.Select(i => new UpcomingRenewal(i.Id.Value, i.AccountId, i.Expiry, 0))],
            new Dictionary<AccountId, Accounts.Account> { [Given.AccountId] = Account(balance: 1500) }, now);
        Assert.Equal((10L, 8L, 1L, 7L, 1L, 1L, 0.8, 8000L), (report.Due, report.Renewed, report.RenewedManually,
            report.RenewedAutomatically, report.Stopped, report.Released, report.RenewalRate, report.Revenue));
        Assert.Equal([(-3, 5L), (-1, 0L), (0, 0L), (6, 2L), (14, 0L)], report.ByAttemptDay.Select(d => (d.Key, d.Value)));
        Assert.Equal(
            [new UpcomingDay(new LocalDate(2019, 5, 2), 1, 1000, 1), new UpcomingDay(new LocalDate(2019, 5, 3), 1, 1000, 0)],
            report.Upcoming);
    }

    [Fact]
    public void R8_9_R7_8_1500_and_an_active_card_cover_both_1000_renewals_and_with_a_hard_declined_card_only_the_first()
    {
        var later = Expiring("ecs", "ecs.small", "2019-05-03", RenewalMode.Auto, id: "i-a");
        var sooner = Expiring("ecs", "ecs.small", "2019-05-02", RenewalMode.Auto, id: "i-b");
        var now = Local("2019-04-12 10:00");
        var span = RenewalReports.Span(Given.Rules, new LocalDate(2019, 4, 1), new LocalDate(2019, 6, 1), now).Value;
        var carded = Account(balance: 1500) with { Method = new Accounts.PaymentMethod("tok", "Visa •••• 4242") };
        IReadOnlyList<UpcomingDay> Upcoming(Accounts.Account account) => RenewalReports.Of(
            Given.Rules, span, null, [], [], [RenewalTerms.Of(later)],
            [.. new[] { later, sooner }.Select(i => new UpcomingRenewal(i.Id.Value, i.AccountId, i.Expiry, 0))],
            new Dictionary<AccountId, Accounts.Account> { [Given.AccountId] = account }, now).Upcoming;

        var may2 = new UpcomingDay(new LocalDate(2019, 5, 2), 1, 1000, 1);
        Assert.Equal([may2, new UpcomingDay(new LocalDate(2019, 5, 3), 1, 1000, 1)], Upcoming(carded));
        var declined = carded with { Method = carded.Method! with { Status = Accounts.PaymentMethodStatus.DeclinedHard } };
        Assert.Equal([may2, new UpcomingDay(new LocalDate(2019, 5, 3), 1, 1000, 0)], Upcoming(declined));
    }

    [Fact]
    public void R8_9_an_account_renewing_two_products_pays_each_covered_one_before_the_next_is_judged()
    {
        var ecs = Expiring("ecs", "ecs.small", "2019-05-02", RenewalMode.Auto, id: "i-a");
        var mqtt = Expiring("mqtt", "mqtt.basic.1k", "2019-05-03", RenewalMode.Auto, id: "i-b");
        var again = Expiring("ecs", "ecs.small", "2019-05-04", RenewalMode.Auto, id: "i-c");
        var now = Local("2019-04-12 10:00");
        var span = RenewalReports.Span(Given.Rules, new LocalDate(2019, 4, 1), new LocalDate(2019, 6, 1), now).Value;
        var report = RenewalReports.Of(Given.Rules, span, null, [], [], [RenewalTerms.Of(ecs), RenewalTerms.Of(mqtt)],
            [new UpcomingRenewal("i-a", Given.AccountId, ecs.Expiry, 0), new UpcomingRenewal("i-b", Given.AccountId, mqtt.Expiry, 1),
                new UpcomingRenewal("i-c", Given.AccountId, again.Expiry, 0)],
            new Dictionary<AccountId, Accounts.Account> { [Given.AccountId] = Account(balance: 1500) }, now);
        Assert.Equal([new UpcomingDay(new LocalDate(2019, 5, 2), 1, 1000, 1), new UpcomingDay(new LocalDate(2019, 5, 3), 1, 5000, 0),
            new UpcomingDay(new LocalDate(2019, 5, 4), 1, 1000, 0)], report.Upcoming);
    }

    [Fact]
    public void R8_9_three_renewals_of_one_account_at_one_expiry_on_one_spec_fold_into_one_run_of_which_2500_covers_two()
    {
        var now = Local("2019-04-12 10:00");
        var span = RenewalReports.Span(Given.Rules, new LocalDate(2019, 4, 1), new LocalDate(2019, 6, 1), now).Value;
        var same = new[] { "i-a", "i-b", "i-c" }
            .Select(id => Expiring("ecs", "ecs.small", "2019-05-02", RenewalMode.Auto, id: id)).ToList();
        var runs = RenewalReports.Runs(same.Select(i => new UpcomingRenewal(i.Id.Value, i.AccountId, i.Expiry, 0)));
        Assert.Equal([new UpcomingRenewal("i-a", Given.AccountId, same[0].Expiry, 0, 3)], runs);
        var report = RenewalReports.Of(Given.Rules, span, null, [], [], [RenewalTerms.Of(same[0])], runs,
            new Dictionary<AccountId, Accounts.Account> { [Given.AccountId] = Account(balance: 2500) }, now);
        Assert.Equal([new UpcomingDay(new LocalDate(2019, 5, 2), 3, 3000, 2)], report.Upcoming);
    }

    [Fact]
    public void R8_9_covering_renewals_folded_into_runs_gives_the_report_of_covering_them_one_by_one()
    {
        var now = Local("2019-04-12 10:00");
        var span = RenewalReports.Span(Given.Rules, new LocalDate(2019, 4, 1), new LocalDate(2019, 6, 1), now).Value;
        var kinds = new[] { ("ecs", "ecs.small"), ("ecs", "ecs.medium"), ("mqtt", "mqtt.basic.1k") };
        var terms = kinds.Select(k => RenewalTerms.Of(Expiring(k.Item1, k.Item2, "2019-05-02", RenewalMode.Auto))).ToList();
        var random = new Random(89);
        var foldedSome = 0;
        for (var trial = 0; trial < 300; trial++)
        {
            // Few accounts, expiries and terms, so that renewals share them; some accounts renew one product, some two.
            var accountIds = Enumerable.Range(0, random.Next(1, 4)).Select(a => new AccountId($"acc-{a}")).ToList();
            var accounts = accountIds.ToDictionary(a => a, a => Account(balance: random.Next(0, 8) * 1000,
                coupons: random.Next(3) == 0 ? [Coupon($"c-{a.Value}", random.Next(1, 4) * 700, "2019-12-31 00:00", "ecs")] : [])
                with { Id = a });
            var renewals = Enumerable.Range(0, random.Next(1, 25)).Select(n => new UpcomingRenewal($"i-{random.Next(1000):D3}-{n}",
                accountIds[random.Next(accountIds.Count)], Local($"2019-05-0{random.Next(2, 5)} 00:00"),
                random.Next(4) == 0 ? 2 : random.Next(2))).ToList();
            var inOrder = renewals.OrderBy(r => r.Expiry).ThenBy(r => r.InstanceId, StringComparer.Ordinal);
            var oneByOne = RenewalReports.Of(Given.Rules, span, null, [], [], terms, renewals, accounts, now).Upcoming;
            var runs = RenewalReports.Runs(inOrder);
            foldedSome += runs.Count < renewals.Count ? 1 : 0;
            Assert.Equal(oneByOne, RenewalReports.Of(Given.Rules, span, null, [], [], terms, runs, accounts, now).Upcoming);
        }

        Assert.True(foldedSome > 100, $"{foldedSome} of 300 trials folded renewals into runs");
    }
    [Fact]
    public void R8_9_R13_4_covering_renewals_grouped_per_account_and_terms_gives_the_report_of_covering_them_one_by_one()
    {
        var now = Local("2019-04-12 10:00");
        var span = RenewalReports.Span(Given.Rules, new LocalDate(2019, 4, 1), new LocalDate(2019, 6, 1), now).Value;
        // ecs.small twice (the same price on two sets of terms), ecs.medium, a 2-month ecs.small, and MQTT.
        var kinds = new[] { ("ecs", "ecs.small", 1), ("ecs", "ecs.small", 1), ("ecs", "ecs.medium", 1), ("ecs", "ecs.small", 2),
            ("mqtt", "mqtt.basic.1k", 1) };
        var terms = kinds.Select((k, i) => RenewalTerms.Of(Expiring(k.Item1, k.Item2, "2019-05-02", RenewalMode.Auto)) with
        {
            Months = k.Item3, Spec = i == 1 ? "ecs.small" : k.Item2,
        }).ToList();
        var random = new Random(13);
        var (grouped, read) = (0, 0);
        for (var trial = 0; trial < 400; trial++)
        {
            var accountIds = Enumerable.Range(0, random.Next(1, 6)).Select(a => new AccountId($"acc-{a}")).ToList();
            var accounts = accountIds.ToDictionary(a => a, a => (Account(balance: random.Next(-2, 9) * 500,
                coupons: [.. Enumerable.Range(0, random.Next(3)).Select(c => Coupon($"c-{a.Value}-{c}", random.Next(1, 5) * 400,
                    random.Next(4) == 0 ? "2019-04-01 00:00" : "2019-12-31 00:00", random.Next(2) == 0 ? "ecs" : null))])
                with
                {
                    Id = a,
                    Method = random.Next(3) switch
                    {
                        0 => new Accounts.PaymentMethod("tok", "Visa •••• 4242"),
                        1 => new Accounts.PaymentMethod("tok", "Visa •••• 4242", Accounts.PaymentMethodStatus.DeclinedHard),
                        _ => null,
                    },
                }));
            // Some accounts renew on one set of terms, some on several of one price, some on several products or prices.
            var allowed = accountIds.ToDictionary(a => a, _ => random.Next(4) switch
            {
                0 => new[] { 0 },
                1 => [0, 1],
                2 => [0, 2, 3],
                _ => [0, 1, 2, 3, 4],
            });
            var renewals = Enumerable.Range(0, random.Next(1, 40)).Select(n =>
            {
                var account = accountIds[random.Next(accountIds.Count)];
                return new UpcomingRenewal($"i-{random.Next(1000):D3}-{n}", account,
                    Local($"2019-05-0{random.Next(2, 7)} 00:00"), allowed[account][random.Next(allowed[account].Length)]);
            }).ToList();
            var oneByOne = RenewalReports.Of(Given.Rules, span, null, [], [], terms, renewals, accounts, now).Upcoming;

            var groups = renewals.GroupBy(r => (r.Account, r.Terms))
                .Select(g => new UpcomingGroup(g.Key.Account, g.Key.Terms, [.. g.Select(r => r.Expiry).Reverse()])).ToList();
            var each = RenewalReports.ReadOneByOne(Given.Rules, terms, groups);
            var fewer = RenewalReports.Runs(renewals.Where(r => each.Contains(r.Account))
                .OrderBy(r => r.Expiry).ThenBy(r => r.InstanceId, StringComparer.Ordinal));
            grouped += accountIds.Count(a => renewals.Any(r => r.Account == a) && !each.Contains(a));
            read += each.Count;
            Assert.Equal(oneByOne, RenewalReports.Of(Given.Rules, span, null, [], [], terms, fewer, accounts, now, groups).Upcoming);
        }

        Assert.True(grouped > 300 && read > 300, $"{grouped} accounts covered grouped, {read} read one by one");
    }

    [Fact]
    public void R8_9_an_account_holding_2500_covers_the_first_two_of_its_grouped_1000_renewals_on_2_and_3_may_not_the_third()
    {
        var now = Local("2019-04-12 10:00");
        var span = RenewalReports.Span(Given.Rules, new LocalDate(2019, 4, 1), new LocalDate(2019, 6, 1), now).Value;
        var terms = RenewalTerms.Of(Expiring("ecs", "ecs.small", "2019-05-02", RenewalMode.Auto));
        var group = new UpcomingGroup(
            Given.AccountId, 0, [Local("2019-05-03 00:00"), Local("2019-05-02 00:00"), Local("2019-05-03 00:00")]);
        Assert.Empty(RenewalReports.ReadOneByOne(Given.Rules, [terms], [group]));
        var report = RenewalReports.Of(Given.Rules, span, null, [], [], [terms], [],
            new Dictionary<AccountId, Accounts.Account> { [Given.AccountId] = Account(balance: 2500) }, now, [group]);
        Assert.Equal(
            [new UpcomingDay(new LocalDate(2019, 5, 2), 1, 1000, 1), new UpcomingDay(new LocalDate(2019, 5, 3), 2, 2000, 1)],
            report.Upcoming);
    }
}
