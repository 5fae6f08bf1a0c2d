using System.Collections.Immutable;
using CsCheck;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Money;
using Tenure.Domain.Renewals;
using Tenure.Domain.Time;
using static Tenure.Domain.Tests.Given;

namespace Tenure.Domain.Tests;

/// <summary>Calendar and money invariants over generated inputs, across zones with daylight saving.</summary>
public sealed class PropertyTests
{
    private static readonly string[] Zones =
        ["Asia/Shanghai", "America/New_York", "America/Sao_Paulo", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham"];

    private static readonly Gen<BillingCalendar> Calendars = Gen.OneOf(Zones).Select(z => BillingCalendar.ForZone(z)!);

    private static readonly Gen<LocalDate> Dates = Gen.Int[0, 365 * 40].Select(d => new LocalDate(2000, 1, 1).PlusDays(d));

    [Fact]
    public void R3_2_expiries_are_always_local_start_of_day_and_strictly_increase_under_renewal()
    {
        Gen.Select(Calendars, Dates, Gen.Int[1, 36].Array[1, 24]).Sample((calendar, start, periods) =>
        {
            var expiry = calendar.StartOf(start);
            foreach (var months in periods)
            {
                var next = calendar.Extend(expiry, months);
                Assert.True(next > expiry);
                Assert.Equal(calendar.StartOf(calendar.DateOf(next)), next);
                Assert.Equal(calendar.DateOf(expiry).PlusMonths(months), calendar.DateOf(next));
                expiry = next;
            }
        });
    }

    [Fact]
    public void R2_1_a_purchase_always_expires_at_the_start_of_the_day_after_date_plus_months()
    {
        Gen.Select(Calendars, Dates, Gen.Int[0, 24 * 60 - 1], Gen.Int[1, 36]).Sample((calendar, date, minute, months) =>
        {
            var bought = calendar.At(date, LocalTime.Midnight.PlusMinutes(minute));
            var expiry = calendar.ExpiryOfPurchase(bought, months);
            Assert.Equal(date.PlusMonths(months).PlusDays(1), calendar.DateOf(expiry));
            Assert.Equal(calendar.StartOf(calendar.DateOf(expiry)), expiry);
            Assert.True(expiry > bought);
        });
    }

    [Fact]
    public void R1_5_days_in_zones_with_daylight_saving_never_loop_or_skip()
    {
        foreach (var zone in new[] { "America/New_York", "America/Sao_Paulo", "Australia/Lord_Howe" })
        {
            var calendar = BillingCalendar.ForZone(zone)!;
            var year = zone == "America/Sao_Paulo" ? 2018 : 2019;
            var previous = Instant.MinValue;
            for (var day = new LocalDate(year, 1, 1); day.Year == year; day = day.PlusDays(1))
            {
                var start = calendar.StartOf(day);
                Assert.True(start > previous, $"{zone} {day}");
                Assert.Equal(day, calendar.DateOf(start));
                Assert.Equal(day, calendar.DateOf(calendar.At(day, new LocalTime(8, 0))));
                Assert.Equal(day.PlusDays(1), calendar.DateOf(calendar.PlusDays(calendar.At(day, new LocalTime(8, 0)), 1)));
                previous = start;
            }
        }
    }

    [Fact]
    public void R4_3_a_schedule_of_events_is_strictly_increasing()
    {
        var products = new[]
        {
            ("ecs", "ecs.small"), ("mqtt", "mqtt.basic.1k"), ("rocketmq", "rocketmq.platinum.2k"), ("oss-package", "oss.500g"),
            ("event-ticket", "ticket"),
        };
        var cases = Gen.Select(Calendars, Dates, Gen.OneOf(products), Gen.Enum<RenewalMode>(), Gen.Bool, Gen.Bool);
        cases.Sample((calendar, date, product, mode, noStop, downgrade) =>
        {
            var rules = Given.Rules with { Calendar = calendar };
            if (product.Item1 == "event-ticket" && mode == RenewalMode.Auto) mode = RenewalMode.Manual;
            var instance = Bought(product.Item1, product.Item2, $"{date:uuuu-MM-dd} 10:00", 1, mode, rules: rules);
            if (downgrade && product.Item1 == "rocketmq")
                instance = instance with { PostExpirationAction = Catalog.PostExpirationAction.DowngradeToStandard };
            var plan = Schedule.Plan(rules, instance, Account(noStop: noStop)).ToList();
            Assert.NotEmpty(plan);
            foreach (var (a, b) in plan.Zip(plan.Skip(1)))
            {
                Assert.True(a.CompareTo(b) < 0, $"{a} then {b}");
                Assert.True(a.At <= b.At);
            }

            Assert.All(plan, e => Assert.True(e.At > instance.CreatedAt));

            // The engine's next event is the plan's first, from the start and after each event up to the stop has run (a stop
            // changes the instance, not only its progress).
            Assert.Equal(plan[0], Schedule.Next(rules, instance, Account(noStop: noStop)));
            foreach (var kind in Enum.GetValues<EventKind>())
            {
                DueEvent? first = plan.FirstOrDefault(e => e.Kind == kind) is var found && found != default ? found : null;
                Assert.Equal(first, Schedule.Next(rules, instance, Account(noStop: noStop), kind));
            }

            for (var i = 0; i + 1 < plan.Count && plan[i].Kind is not (EventKind.Stop or EventKind.ConvertToPayg or EventKind.Release); i++)
            {
                var ran = instance with { Progress = Progress.After(plan[i]) };
                Assert.Equal(plan[i + 1], Schedule.Next(rules, ran, Account(noStop: noStop)));
            }

            // What the order means, not only that it is sorted: nothing is reminded or attempted after the instance
            // stops, converts or is released; release follows the stop; the warning is one calendar day before release.
            var end = plan.FirstOrDefault(e => e.Kind is EventKind.Stop or EventKind.ConvertToPayg or EventKind.Release);
            if (end != default)
            {
                // a noRenew reminder shares the stop's instant and runs first
                Assert.All(plan.Where(e => e.Kind is EventKind.Reminder or EventKind.AutoRenewAttempt),
                    e => Assert.True(e.CompareTo(end) < 0, $"{e} after {end}"));
            }

            if (plan.FirstOrDefault(e => e.Kind == EventKind.Release) is { At: var release } && release != default)
            {
                if (plan.FirstOrDefault(e => e.Kind == EventKind.Stop) is { At: var stop } && stop != default) Assert.True(stop <= release);
                var warning = plan.Single(e => e.Kind == EventKind.ReleaseWarning).At;
                Assert.Equal(calendar.DateOf(release).PlusDays(-1), calendar.DateOf(warning));
            }
        });
    }

    [Fact]
    public void R7_3_coupons_plus_balance_sum_to_the_charge_and_the_balance_never_goes_below_zero()
    {
        var coupons = Gen.Select(Gen.Long[0, 5000], Gen.Int[-30, 30], Gen.Bool).Array[0, 5];
        Gen.Select(Gen.Long[0, 20_000], Gen.Long[0, 20_000], coupons).Sample((balance, amount, raw) =>
        {
            var now = Local("2019-03-20 10:00");
            var list = raw
                .Select((c, i) => new Coupon(new CouponId($"c{i}"), c.Item1, now + Duration.FromDays(c.Item2), c.Item3 ? "ecs" : "mqtt"))
                .ToImmutableList();
            var account = new Account(Given.AccountId, "USD", balance, list);
            var usable = list.Where(c => c.ExpiresAt > now && c.Product == "ecs").Sum(c => c.Remaining);
            var paid = Charges.Pay(account, amount, "ecs", new InstanceId("i-1"), now, "test");
            if (usable + balance < amount)
            {
                Assert.Equal(RefusalCode.InsufficientFunds, paid.Refusal!.Code);
                return;
            }

            var result = paid.Value;
            Assert.Equal(amount, result.FromCoupons + result.FromBalance);
            Assert.Equal(-amount, result.Postings.Sum(p => p.Amount));
            Assert.True(result.Account.Balance >= 0);
            Assert.Equal(balance - result.FromBalance, result.Account.Balance);
            Assert.Equal(Math.Min(amount, usable), result.FromCoupons);
            Assert.All(result.Account.Coupons, c => Assert.True(c.Remaining >= 0));
        });
    }

    [Fact]
    public void R7_9_a_settled_payment_pays_its_part_whatever_coupons_came_in_and_no_part_is_negative()
    {
        var coupons = Gen.Select(Gen.Long[1, 5000], Gen.Int[1, 30]).Array[0, 5];
        Gen.Select(Gen.Long[0, 20_000], Gen.Long[0, 20_000], Gen.Int[0, 100], coupons).Sample((balance, amount, percent, raw) =>
        {
            var now = Local("2019-03-20 10:00");
            var settled = amount * percent / 100;
            var list = raw.Select((c, i) => new Coupon(new CouponId($"c{i}"), c.Item1, now + Duration.FromDays(c.Item2), null))
                .ToImmutableList();
            var funded = new Account(Given.AccountId, "USD", balance + settled, list);
            var paid = Charges.Pay(funded, amount, "ecs", new InstanceId("i-1"), now, "test", settled);
            var usable = list.Sum(c => c.Remaining);
            if (usable + balance + settled < amount)
            {
                Assert.Equal(RefusalCode.InsufficientFunds, paid.Refusal!.Code);
                return;
            }

            var result = paid.Value;
            Assert.Equal(settled, result.FromMethod);
            Assert.True(result.FromBalance - result.FromMethod >= 0);
            Assert.Equal(Math.Min(amount - settled, usable), result.FromCoupons);
            Assert.Equal(amount, result.FromCoupons + result.FromBalance);
            Assert.Equal(balance + settled - result.FromBalance, result.Account.Balance);
        });
    }

    [Fact]
    public void R7_7_charges_round_up_and_refunds_round_down()
    {
        Gen.Select(Gen.Long[0, 1_000_000_000], Gen.Long[1, 10_000]).Sample((numerator, denominator) =>
        {
            var up = Pricing.CeilDiv(numerator, denominator);
            var down = Pricing.FloorDiv(numerator, denominator);
            Assert.True(up * denominator >= numerator && (up - 1) * denominator < numerator);
            Assert.True(down * denominator <= numerator && (down + 1) * denominator > numerator);
            Assert.True(up - down is 0 or 1);
        });
    }

    [Fact]
    public void R5_5_nothing_leaves_Released()
    {
        var cases = Gen.Select(Dates, Gen.Enum<RenewalMode>(), Gen.Long[0, 3000], Gen.OneOf("ecs", "oss-package", "mqtt"));
        cases.Sample((date, mode, balance, product) =>
        {
            var spec = product switch { "ecs" => "ecs.small", "mqtt" => "mqtt.basic.1k", _ => "oss.500g" };
            var instance = Bought(product, spec, $"{date:uuuu-MM-dd} 10:00", 1, mode);
            var run = Simulation.Run(Given.Rules, [instance], Account(balance: balance), instance.Expiry + Duration.FromDays(500));
            var released = false;
            foreach (var step in run.Steps)
            {
                if (released) Assert.Fail($"{step.Due} ran after release");
                released = step.Change.Instance.Status == InstanceStatus.Released;
            }

            if (run.Instances[0].Status == InstanceStatus.Released)
            {
                Assert.Null(Lifecycle.Lifecycle.Advance(Given.Rules, run.Instances[0], run.Account, Instant.MaxValue));
                var renewal = Renewals.Renewal.Renew(Given.Rules, run.Instances[0], Account(balance: 1_000_000), 1, instance.Expiry);
                Assert.False(renewal.IsSuccess);
            }
        });
    }

    [Fact]
    public void R8_7_a_forecast_book_kept_up_to_date_across_events_equals_every_instance_planned_afresh()
    {
        var instances = Gen.Select(Gen.Int[0, 20], Gen.OneOf("ecs", "mqtt"), Gen.Enum<RenewalMode>(), Gen.Int[1, 3]).Array[1, 8];
        var coupons = Gen.Select(Gen.Long[0, 3000], Gen.Int[0, 90], Gen.Bool).Array[0, 3];
        Gen.Select(instances, Gen.Long[0, 30_000], coupons, Gen.Int[0, 40]).Sample((raw, balance, rawCoupons, days) =>
        {
            var start = Local("2019-03-01 10:00");
            List<Instance> current = [.. raw.Select((r, n) => Bought(r.Item2, r.Item2 == "ecs" ? "ecs.small" : "mqtt.basic.1k",
                Show(start + Duration.FromDays(r.Item1)), r.Item4, r.Item3, id: $"i-{n % 3}{n}"))];
            var account = Account(balance, false, [.. rawCoupons.Select((c, n) =>
                new Coupon(new CouponId($"c{n}"), c.Item1, start + Duration.FromDays(c.Item2), c.Item3 ? "ecs" : null))]);
            var run = Simulation.Run(Given.Rules, current, account, start + Duration.FromDays(120));
            var book = ForecastBook.Of(Given.Rules, account, current);
            AssertSame(Planned(account, current, start, days), book.Forecast(account, start, days));
            AssertSums(book, account, current, start, days);
            foreach (var step in run.Steps)
            {
                current[current.FindIndex(i => i.Id == step.InstanceId)] = step.Change.Instance;
                account = step.Change.Account;
                book = book.After(step.Due, step.Change.Instance, account);
                var expected = Planned(account, current, step.Due.At, days);
                AssertSame(expected, book.Forecast(account, step.Due.At, days));
                AssertSame(expected, Forecasts.Forecast(Given.Rules, account, current, step.Due.At, days));
                AssertSums(book, account, current, step.Due.At, days);
            }
        });
    }

    private static void AssertSame(ForecastResult expected, ForecastResult actual)
    {
        Assert.Equal(expected.Items.AsEnumerable(), actual.Items.AsEnumerable());
        Assert.Equal((expected.Total, expected.Covered, expected.Shortfall), (actual.Total, actual.Covered, actual.Shortfall));
    }

    /// <summary>
    /// The book's sum (the T-7 check, R9.5) equals the oracle's forecast summed, for the account as it is, without its coupons
    /// (the sum by instant), below zero, and with an active or a declined payment method.
    /// </summary>
    private static void AssertSums(ForecastBook book, Account account, List<Instance> current, Instant now, int days)
    {
        Account[] accounts =
        [
            account, account with { Coupons = [] }, account with { Coupons = [], Balance = -500 },
            account with { Method = new PaymentMethod("tok", "Visa") },
            account with { Coupons = [], Method = new PaymentMethod("tok", "Visa", PaymentMethodStatus.DeclinedHard) },
        ];
        foreach (var variant in accounts)
        {
            var expected = Planned(variant, current, now, days);
            Assert.Equal(new ForecastSum(expected.Items.Length, expected.Total, expected.Shortfall), book.Sum(variant, now, days));
        }
    }

    /// <summary>R8.7's forecast as first written: every instance planned (Schedule.Plan) at each forecast, the test's oracle.</summary>
    private static ForecastResult Planned(Account account, List<Instance> instances, Instant now, int days)
    {
        var rules = Given.Rules;
        var horizon = rules.Calendar.PlusDays(now, days);
        var mine = instances.Where(i => i.AccountId == account.Id).ToList();
        var items = mine
            .Where(i => i.Mode == RenewalMode.Auto && i.IsSubscription && i.Status == InstanceStatus.Running)
            .SelectMany(i => PlannedCharges(i, account, now, horizon))
            .OrderBy(i => i.At).ThenBy(i => mine.Single(m => m.Id == i.InstanceId).ExpiresAt ?? Instant.MaxValue)
            .ThenBy(i => i.InstanceId.Value, StringComparer.Ordinal)
            .ToImmutableArray();
        var wallet = account;
        long shortfall = 0;
        foreach (var item in items)
        {
            var product = mine.Single(m => m.Id == item.InstanceId).Product;
            var allocation = Payment.Allocate(wallet, item.Amount, product, item.At, withMethod: true);
            if (allocation.IsSuccess)
            {
                wallet = Payment.Apply(wallet, allocation.Value);
                continue;
            }

            var available = Payment.Available(wallet, product, item.At);
            shortfall += item.Amount - available;
            wallet = Payment.Apply(wallet, Payment.Allocate(wallet, available, product, item.At).Value);
        }

        return new ForecastResult(items, items.Sum(i => i.Amount), shortfall == 0, shortfall);
    }

    private static IEnumerable<ForecastItem> PlannedCharges(Instance instance, Account account, Instant now, Instant horizon)
    {
        var rules = Given.Rules;
        var product = rules.Catalog.Get(instance.Product);
        if (!product.Renewable || product.AutoRenewAttemptDays.IsEmpty) yield break;
        var amount = Charges.RenewalPrice(product, instance, instance.AutoRenewMonths);
        var next = Schedule.Plan(rules, instance, account).FirstOrDefault(e => e.Kind == EventKind.AutoRenewAttempt);
        if (next == default) yield break;
        var at = Instant.Max(next.At, now);
        var expiry = instance.Expiry;
        while (at <= horizon)
        {
            yield return new ForecastItem(instance.Id, at, amount);
            expiry = rules.Calendar.Extend(expiry, instance.AutoRenewMonths);
            at = rules.Calendar.DayAt(expiry, product.AutoRenewAttemptDays[0], Schedule.NoticeTime);
        }
    }
}
