using NodaTime;
using NodaTime.Text;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Purchases;
using Tenure.Engine.Clocks;
using Tenure.Engine.Lifecycle;

namespace Tenure.Storage.Tests;

/// <summary>
/// The storage and engine rules, written once and run against each database by a two-line
/// subclass: SQLite (a file per test class) and PostgreSQL (a database per test class).
/// </summary>
public abstract partial class StorageCompliance
{
    protected static readonly Rules Rules = Rules.Default;

    private static readonly LocalDateTimePattern Pattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm");

    protected abstract Database Db { get; }

    protected static Instant Local(string local) =>
        Rules.Calendar.At(Pattern.Parse(local).Value.Date, Pattern.Parse(local).Value.TimeOfDay);

    protected static string Show(Instant instant) => Pattern.Format(Rules.Calendar.Local(instant));

    private LifecycleEngine Engine => new(Db, Rules, batchSize: 50);

    /// <summary>An account on a new test clock, topped up, as the API will make one.</summary>
    /// <summary>
    /// An account funded with <paramref name="topUp"/>, on <paramref name="on"/> or on a new clock at <paramref name="frozenLocal"/>.
    /// </summary>
    protected (string AccountId, TestClock Clock) NewAccount(string frozenLocal, long topUp, TestClock? on = null)
    {
        var clock = on ?? new TestClocks(Db, Engine).Create(Local(frozenLocal), Local(frozenLocal));
        var id = Session.NewId("acc");
        using var session = Db.Begin();
        session.InsertAccount(new AccountRow
        {
            Id = id, Name = "Test", Email = "ops@example.com", Currency = "USD", ClockId = clock.Id,
            CreatedAt = Local(frozenLocal).ToUnixTimeTicks(),
        });
        if (topUp > 0)
        {
            var account = session.Accounts([id], forUpdate: true)[id];
            session.Save(Payg.TopUp(Rules, account, topUp, [], Local(frozenLocal)).Value, Local(frozenLocal), clock.Id);
        }

        session.Commit();
        return (id, clock);
    }

    /// <summary>Buys through the domain and writes the decision in one transaction.</summary>
    protected Instance Buy(
        string accountId, string clockId, string product, string spec, int months, string atLocal, bool autoRenew = false)
    {
        using var session = Db.Begin();
        var account = session.Accounts([accountId], forUpdate: true)[accountId];
        var request = new PurchaseRequest(
            new InstanceId(Session.NewId("i")), product, "cn-hangzhou", null, spec, ChargeType.Subscription, months, autoRenew);
        var change = Purchase.Buy(Rules, account, request, Local(atLocal)).Value;
        session.Save(change, Local(atLocal), clockId);
        session.Commit();
        return change.Instance;
    }

    /// <summary>Buys a pay-as-you-go instance (no expiry) through the domain, in one transaction.</summary>
    protected Instance BuyPayg(string accountId, string clockId, string atLocal)
    {
        using var session = Db.Begin();
        var account = session.Accounts([accountId], forUpdate: true)[accountId];
        var request = new PurchaseRequest(
            new InstanceId(Session.NewId("i")), "rocketmq", "cn-hangzhou", null, "rocketmq.standard", ChargeType.Payg, null);
        var change = Purchase.Buy(Rules, account, request, Local(atLocal)).Value;
        session.Save(change, Local(atLocal), clockId);
        session.Commit();
        return change.Instance;
    }

    /// <summary>Four one-month instances of one account, in ID order, whose T-7 reminders are all due 2019-03-26 08:00.</summary>
    protected (TestClock Clock, List<string> Ids) FourDueAtOneInstant()
    {
        var (accountId, clock) = NewAccount("2019-02-01 09:00", 10_000);
        var ids = Enumerable.Range(0, 4)
            .Select(_ => Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2019-03-01 10:00").Id.Value)
            .Order(StringComparer.Ordinal)
            .ToList();
        return (clock, ids);
    }

    private T Read<T>(Func<Session, T> read)
    {
        using var session = Db.Begin();
        var value = read(session);
        session.Commit();
        return value;
    }

    [Fact]
    public void Migrations_are_applied_once_and_report_ready()
    {
        Db.Migrate();
        Assert.True(Db.IsMigrated());
    }

    [Fact]
    public void R2_1_a_purchase_round_trips_with_its_due_pointer()
    {
        var (accountId, clock) = NewAccount("2017-11-08 09:00", 5000);
        var bought = Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2017-11-08 10:00");
        var loaded = Read(s => s.Instance(bought.Id.Value))!;
        Assert.Equal("2017-12-09 00:00", Show(loaded.Expiry));
        Assert.Equal((bought.CreatedAt, bought.Progress, bought.Spec, bought.Mode),
            (loaded.CreatedAt, loaded.Progress, loaded.Spec, loaded.Mode));
        var due = Db.NextDue(clock.Id);
        Assert.Equal("2017-12-02 08:00", Show(due!.Value));
        Assert.Equal(4000, Read(s => s.AccountRow(accountId))!.Balance);
        Assert.Empty(Verifier.Check(Db));
    }

    [Fact]
    public void R2_1_a_running_auto_renew_instance_with_hundreds_of_data_disks_saves_and_renews_on_both_databases()
    {
        // The upcoming-renewals index (0021) is partial on running auto-renew instances: its entries must never outgrow
        // an index entry (PostgreSQL: about 2.7 kB), whatever the components, or such a purchase could not be saved.
        var (accountId, clock) = NewAccount("2017-11-08 09:00", 1_000_000);
        var random = new Random(21);
        var disks = Enumerable.Range(0, 400)
            .Select(i => new DataDisk(
                $"d-{i}-{Convert.ToHexString(BitConverter.GetBytes(random.NextInt64()))}", 20, ChargeType.Subscription));
        Instance bought;
        using (var session = Db.Begin())
        {
            var account = session.Accounts([accountId], forUpdate: true)[accountId];
            var request = new PurchaseRequest(new InstanceId(Session.NewId("i")), "ecs", "cn-hangzhou", null, "ecs.small",
                ChargeType.Subscription, 1, AutoRenew: true, new Components(null, [.. disks]));
            var change = Purchase.Buy(Rules, account, request, Local("2017-11-08 10:00")).Value;
            session.Save(change, Local("2017-11-08 10:00"), clock.Id);
            session.Commit();
            bought = change.Instance;
        }

        Assert.True(new TestClocks(Db, Engine).Advance(clock.Id, Local("2017-12-07 00:00")).IsSuccess);
        var renewed = Read(s => s.Instance(bought.Id.Value))!;
        Assert.Equal(400, renewed.Components.DataDisks.Count);
        Assert.Equal("2018-01-09 00:00", Show(renewed.Expiry));
        Assert.Empty(Verifier.Check(Db));
    }

    [Fact]
    public void R4_3_on_a_test_clock_attempts_fail_then_the_instance_stops_at_T_plus_15_and_is_released()
    {
        var (accountId, clock) = NewAccount("2019-01-28 09:00", 2000);
        var instance = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-01-29 10:00", autoRenew: true);
        Assert.Equal("2019-03-30 00:00", Show(instance.Expiry));

        var clocks = new TestClocks(Db, Engine);
        var (advanced, events) = clocks.Advance(clock.Id, Local("2019-04-14 00:00")).Value;
        Assert.Equal(Local("2019-04-14 00:00"), advanced.FrozenTime);
        Assert.Equal(8, events);
        var timeline = Read(s => s.Query<(long At, string Kind)>(
            "SELECT at, kind FROM timeline_events WHERE instance_id = @id ORDER BY id", new { id = instance.Id.Value }).ToList());
        Assert.Equal(
        [
            "2019-01-29 10:00 purchased", "2019-03-23 08:00 reminderSent", "2019-03-23 08:00 lowBalance",
            "2019-03-27 08:00 autoRenewFailed", "2019-03-29 08:00 autoRenewFailed", "2019-03-30 00:00 expired",
            "2019-03-30 08:00 autoRenewFailed", "2019-04-05 08:00 autoRenewFailed", "2019-04-13 08:00 autoRenewFailed",
            "2019-04-14 00:00 stopped",
        ], timeline.Select(e => $"{Show(Instant.FromUnixTimeTicks(e.At))} {e.Kind}"));
        var stopped = Read(s => s.Instance(instance.Id.Value))!;
        Assert.Equal((InstanceStatus.Stopped, Local("2019-04-14 00:00")), (stopped.Status, stopped.StoppedAt));
        Assert.Equal(8, Read(s => s.Single<long>("SELECT COUNT(*) FROM notices WHERE account_id = @accountId", new { accountId })));
        Assert.Equal(1, Read(s => s.Single<long>(
            "SELECT COUNT(*) FROM outbox WHERE channel = 'resource' AND instance_id = @id", new { id = instance.Id.Value })));

        Assert.Equal(2, clocks.Advance(clock.Id, Local("2019-05-01 00:00")).Value.EventsProcessed);
        Assert.Equal((InstanceStatus.Released, Local("2019-04-29 00:00")),
            Read(s => s.Instance(instance.Id.Value)) is { } r ? (r.Status, r.ReleasedAt) : default);
        Assert.Empty(Verifier.Check(Db));
    }

    [Fact]
    public void R4_3_a_successful_attempt_charges_once_and_renews_from_E()
    {
        var (accountId, clock) = NewAccount("2019-01-28 09:00", 3000);
        var instance = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-01-29 10:00", autoRenew: true);
        var clocks = new TestClocks(Db, Engine);
        clocks.Advance(clock.Id, Local("2019-03-27 08:00"));
        Assert.Equal(0, clocks.Advance(clock.Id, Local("2019-03-27 08:00")).Value.EventsProcessed);
        Assert.Equal("2019-04-30 00:00", Show(Read(s => s.Instance(instance.Id.Value))!.Expiry));
        Assert.Equal(0, Read(s => s.AccountRow(accountId))!.Balance);
        Assert.Equal(1, Read(s => s.Single<long>(
            "SELECT COUNT(*) FROM order_items WHERE instance_id = @id AND kind = 'Renewal'", new { id = instance.Id.Value })));
        Assert.Equal(1, Read(s => s.Single<long>(
            "SELECT COUNT(*) FROM notices WHERE kind = 'renewed' AND instance_id = @id", new { id = instance.Id.Value })));
        Assert.Empty(Verifier.Check(Db));
    }

    [Fact]
    public void R4_3_a_wave_of_many_batches_renews_every_instance_exactly_once()
    {
        // 120 instances due at one instant, batches of 50: on PostgreSQL the later claims start from a cursor.
        var (accountId, clock) = NewAccount("2019-02-01 09:00", 240_000);
        var bought = Enumerable.Range(0, 120)
            .Select(_ => Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2019-03-01 10:00", autoRenew: true))
            .ToList();
        new TestClocks(Db, Engine).Advance(clock.Id, Local("2019-03-30 09:00")); // T-3 08:00 is 03-30
        Assert.All(bought, b => Assert.Equal("2019-05-02 00:00", Show(Read(s => s.Instance(b.Id.Value))!.Expiry)));
        Assert.Equal(120L, Read(s => s.Single<long>("SELECT COUNT(*) FROM order_items WHERE kind = 'Renewal'", null)));
        Assert.Equal(0L, Read(s => s.Accounts([accountId], forUpdate: false)[accountId].Balance));
        Assert.Empty(Verifier.Check(Db));
    }

    [Fact]
    public void A_claim_from_a_cursor_starts_at_that_row_on_PostgreSQL_and_from_the_start_on_SQLite()
    {
        var (clock, ids) = FourDueAtOneInstant();
        var due = Local("2019-03-26 08:00"); // the T-7 reminders of all four (expiry 04-02), at one instant
        var (first, cursor) = Read(s => s.ClaimDue(clock.Id, Local("2019-03-26 09:00"), 2));
        Assert.Equal(ids[..2], first.Select(i => i.Id.Value));
        Assert.Equal((due, ids[2]), (cursor!.At, cursor.Id));
        var (rest, end) = Read(s => s.ClaimDue(clock.Id, Local("2019-03-26 09:00"), 10, cursor));
        Assert.Equal(Db.Dialect == Dialect.Postgres ? ids[2..] : ids, rest.Select(i => i.Id.Value));
        Assert.Null(end);
    }

    [Theory]
    [InlineData(2, "p0 p1", "p2")]
    [InlineData(3, "p0 p1 p2", "s0")]
    [InlineData(4, "p0 p1 p2 s0", "s1")]
    [InlineData(5, "p0 p1 p2 s0 s1", null)]
    public void R4_8_a_claim_takes_instances_without_an_expiry_first_and_its_cursor_is_the_row_right_after(
        int limit, string claimed, string? cursor)
    {
        // Three PAYG hours (bought 07:00, no expiry) and two T-7 reminders (expiry 04-02), all due 2019-03-26 08:00.
        var (accountId, clock) = NewAccount("2019-02-01 09:00", 10_000);
        var subscriptions = Enumerable.Range(0, 2)
            .Select(_ => Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2019-03-01 10:00").Id.Value).Order(StringComparer.Ordinal);
        var payg = Enumerable.Range(0, 3)
            .Select(_ => BuyPayg(accountId, clock.Id, "2019-03-26 07:00").Id.Value).Order(StringComparer.Ordinal);
        var names = payg.Select((id, i) => (id, $"p{i}")).Concat(subscriptions.Select((id, i) => (id, $"s{i}"))).ToDictionary();

        var (taken, next) = Read(s => s.ClaimDue(clock.Id, Local("2019-03-26 09:00"), limit));

        Assert.Equal(claimed, string.Join(' ', taken.Select(i => names[i.Id.Value])));
        Assert.Equal(cursor, next is null ? null : names[next.Id]);
    }

    [Fact]
    public void R4_8_on_one_account_the_earliest_expiring_instance_renews_first()
    {
        var (accountId, clock) = NewAccount("2019-02-01 09:00", 3000);
        var later = Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2019-03-01 10:00", autoRenew: true); // expires 04-02, T-3 03-30
        var earlier = Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2019-02-27 10:00", autoRenew: true); // expires 03-28, T-3 03-25
        new TestClocks(Db, Engine).Advance(clock.Id, Local("2019-03-31 00:00"));
        Assert.Equal("2019-04-28 00:00", Show(Read(s => s.Instance(earlier.Id.Value))!.Expiry));
        Assert.Equal("2019-04-02 00:00", Show(Read(s => s.Instance(later.Id.Value))!.Expiry));
        Assert.Empty(Verifier.Check(Db));
    }

    [Fact]
    public void R7_4_the_same_cycle_cannot_be_charged_twice_and_a_failed_write_changes_nothing()
    {
        var (accountId, clock) = NewAccount("2019-03-01 09:00", 5000);
        var instance = Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2019-03-01 10:00");
        var now = Local("2019-03-20 10:00");
        Change Renewal()
        {
            using var session = Db.Begin();
            var account = session.Accounts([accountId], forUpdate: true)[accountId];
            return Domain.Renewals.Renewal.Renew(Rules, session.Instance(instance.Id.Value)!, account, 1, now).Value;
        }

        var first = Renewal();
        var retried = Renewal();
        using (var session = Db.Begin())
        {
            session.Save(first, now, clock.Id);
            session.Commit();
        }

        Assert.ThrowsAny<Exception>(() =>
        {
            using var session = Db.Begin();
            session.Save(retried, now, clock.Id);
            session.Commit();
        });
        Assert.Equal(3000, Read(s => s.AccountRow(accountId))!.Balance);
        Assert.Equal(2, Read(s => s.Single<long>(
            "SELECT COUNT(*) FROM ledger WHERE account_id = @accountId AND kind = 'Charge'", new { accountId })));
        Assert.Empty(Verifier.Check(Db));
    }

    public static TheoryData<OrderKind> OrderKinds => [.. Enum.GetValues<OrderKind>()];

    [Theory]
    [MemberData(nameof(OrderKinds))]
    public void R7_4_an_item_that_pays_for_a_period_is_unique_per_instance_period_and_kind_a_plan_change_per_order(OrderKind kind)
    {
        // The key of 0004_order_item_key.sql: the same item written in two orders.
        var (accountId, clock) = NewAccount("2019-03-01 09:00", 5000);
        var instance = Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2019-03-01 10:00");
        var now = Local("2019-03-20 10:00");
        void Write()
        {
            using var session = Db.Begin();
            var account = session.Accounts([accountId], forUpdate: true)[accountId];
            var order = new Order(kind, 1000, 0, 0, [new OrderItem(instance.Id, instance.Expiry, 1000, Local("2019-05-02 00:00"))]);
            session.Save(new Change(account, Effects.None.WithOrder(order)), now, clock.Id);
            session.Commit();
        }

        long Items() => Read(s => s.Single<long>(
            "SELECT COUNT(*) FROM order_items WHERE instance_id = @id AND period_start = @start AND kind = @kind",
            new { id = instance.Id.Value, start = instance.Expiry.ToUnixTimeTicks(), kind = kind.ToString() }));

        Write();
        var second = Record.Exception(Write);
        if (kind is OrderKind.Upgrade or OrderKind.EditionChange or OrderKind.ChargeTypeChange)
        {
            Assert.Null(second);
            Assert.Equal(2, Items());
        }
        else
        {
            Assert.True(IsCycleKeyViolation(second), $"{kind}: expected the unique violation of ux_order_items_cycle, got {second}");
            Assert.Equal(1, Items());
        }
    }

    [Fact]
    public void R7_4_a_renewal_order_item_written_twice_for_one_cycle_is_refused_by_the_key()
    {
        var (accountId, clock) = NewAccount("2019-03-01 09:00", 5000);
        var instance = Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2019-03-01 10:00");
        var now = Local("2019-03-20 10:00");
        var item = new OrderItem(instance.Id, instance.Expiry, 1000, Local("2019-05-02 00:00"));
        var renewal = new Order(OrderKind.Renewal, 1000, 0, 1000, [item]);
        void Charge()
        {
            using var session = Db.Begin();
            var account = session.Accounts([accountId], forUpdate: true)[accountId];
            var charge = new LedgerPosting(LedgerKind.Charge, -1000, instance.Id, null, "renewal of 1 month(s)");
            var effects = Effects.None.WithOrder(renewal).Post(charge);
            session.Save(new Change(account.Move(-1000, now), effects), now, clock.Id);
            session.Commit();
        }

        Charge();
        Assert.True(IsCycleKeyViolation(Record.Exception(Charge)));
        Assert.Equal(3000, Read(s => s.AccountRow(accountId))!.Balance);
        Assert.Empty(Verifier.Check(Db));
    }

    [Fact]
    public void R7_4_a_flush_of_a_hundred_order_items_with_one_cycle_written_twice_is_refused_by_the_key()
    {
        // A hundred rows of one insert: on PostgreSQL they go by binary COPY, which must refuse the key as the insert does.
        var (accountId, clock) = NewAccount("2019-03-01 09:00", 5000);
        var instance = Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2019-03-01 10:00");
        var now = Local("2019-03-20 10:00");
        OrderItem Item(int cycle) => new(instance.Id, instance.Expiry.Plus(Duration.FromDays(cycle)), 10, Local("2019-05-02 00:00"));
        void Charge(IEnumerable<OrderItem> items)
        {
            // One order per cycle (an order holds an instance once), all in one unit of work: one flush of order_items.
            using var session = Db.Begin();
            var account = session.Accounts([accountId], forUpdate: true)[accountId];
            foreach (var item in items)
            {
                account = account.Move(-10, now);
                var charge = new LedgerPosting(LedgerKind.Charge, -10, instance.Id, null, "renewal of 1 month(s)");
                var effects = Effects.None.WithOrder(new Order(OrderKind.Renewal, 10, 0, 10, [item])).Post(charge);
                session.Save(new Change(account, effects), now, clock.Id);
            }

            session.Commit();
        }

        long Items() => Read(s => s.Single<long>(
            "SELECT COUNT(*) FROM order_items WHERE instance_id = @id", new { id = instance.Id.Value }));

        Charge(Enumerable.Range(0, 100).Select(Item));
        Assert.Equal(101, Items()); // with the purchase's
        Assert.True(IsCycleKeyViolation(Record.Exception(() => Charge(Enumerable.Range(100, 99).Select(Item).Append(Item(0))))));
        Assert.Equal(101, Items()); // with the purchase's
        Assert.Equal(3000, Read(s => s.AccountRow(accountId))!.Balance);
        Assert.Empty(Verifier.Check(Db));
    }

    /// <summary>The unique violation of the cycle key: SQLITE_CONSTRAINT_UNIQUE on its columns, or 23505 on its index.</summary>
    private static bool IsCycleKeyViolation(Exception? error) => error switch
    {
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteExtendedErrorCode == 2067
            && sqlite.Message.Contains("order_items.instance_id, order_items.period_start, order_items.kind", StringComparison.Ordinal),
        Npgsql.PostgresException postgres => postgres is { SqlState: "23505", ConstraintName: "ux_order_items_cycle" },
        _ => false,
    };

    [Fact]
    public void R7_4_a_granted_coupon_is_filled_by_its_ledger_row_and_pays_first()
    {
        var (accountId, clock) = NewAccount("2019-03-01 09:00", 500);
        var coupon = new CouponId(Session.NewId("cpn"));
        using (var session = Db.Begin())
        {
            var account = session.Accounts([accountId], forUpdate: true)[accountId];
            var granted = Coupons.Grant(Rules, account, coupon, 800, Local("2019-12-31 00:00"), "ecs", Local("2019-03-01 09:30")).Value;
            session.Save(granted, Local("2019-03-01 09:30"), clock.Id);
            session.Commit();
        }

        var row = new { id = coupon.Value };
        Assert.Equal((800L, 800L), Read(s => s.Single<(long, long)>("SELECT amount, remaining FROM coupons WHERE id = @id", row)));
        Assert.Equal("CouponGrant 800", Read(s => s.Single<string>("SELECT kind || ' ' || amount FROM ledger WHERE coupon_id = @id", row)));
        Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2019-03-01 10:00"); // 1000: 800 from the coupon, 200 from the balance
        Assert.Equal(0L, Read(s => s.Single<long>("SELECT remaining FROM coupons WHERE id = @id", row)));
        Assert.Equal(300, Read(s => s.AccountRow(accountId))!.Balance);
        Assert.Empty(Verifier.Check(Db));
    }

    [Fact]
    public void R7_4_a_batch_that_fails_to_commit_leaves_nothing_and_the_retry_charges_once()
    {
        var (accountId, clock) = NewAccount("2019-01-28 09:00", 3000);
        var instance = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-01-29 10:00", autoRenew: true);
        Read(s => s.Execute("ALTER TABLE timeline_events RENAME TO timeline_events_away"));
        Assert.ThrowsAny<Exception>(() => Engine.RunAllDue(clock.Id, Local("2019-03-27 08:00")));
        Read(s => s.Execute("ALTER TABLE timeline_events_away RENAME TO timeline_events"));
        Assert.Equal(1000, Read(s => s.AccountRow(accountId))!.Balance);
        Assert.Equal("2019-03-30 00:00", Show(Read(s => s.Instance(instance.Id.Value))!.Expiry));

        Assert.Equal(2, Engine.RunAllDue(clock.Id, Local("2019-03-27 08:00")));
        Assert.Equal(0, Read(s => s.AccountRow(accountId))!.Balance);
        Assert.Equal("2019-04-30 00:00", Show(Read(s => s.Instance(instance.Id.Value))!.Expiry));
        Assert.Empty(Verifier.Check(Db));
    }

    [Fact]
    public void R9_4_running_the_engine_again_sends_nothing_twice()
    {
        var (accountId, clock) = NewAccount("2019-03-01 09:00", 5000);
        Buy(accountId, clock.Id, "mqtt", "mqtt.basic.1k", 1, "2019-03-01 10:00");
        Read(s => s.Execute(
            "UPDATE accounts SET phone = '+8613800000000', webhook_url = 'http://127.0.0.1:9/hook' WHERE id = @accountId",
            new { accountId }));
        var engine = Engine;
        var ran = engine.RunAllDue(clock.Id, Local("2019-03-30 08:00"), onTime: true);
        Assert.Equal(["2019-03-01 10:00 purchased", "2019-03-26 08:00 reminderSent", "2019-03-30 08:00 reminderSent"],
            Read(s => s.Query<(long At, string Kind)>("SELECT at, kind FROM timeline_events ORDER BY id")
                .Select(e => $"{Show(Instant.FromUnixTimeTicks(e.At))} {e.Kind}")
                .ToList()));
        Assert.Equal(2, ran);
        Assert.Equal(0, engine.RunAllDue(clock.Id, Local("2019-03-30 08:00"), onTime: true));
        Assert.Equal(2, Read(s => s.Single<long>("SELECT COUNT(*) FROM notices WHERE account_id = @accountId", new { accountId })));
        Assert.Equal(6, Read(s => s.Single<long>("SELECT COUNT(*) FROM outbox WHERE account_id = @accountId", new { accountId })));
    }

    [Fact]
    public void R7_6_payg_hours_accrue_into_a_negative_balance_stop_after_the_grace_and_a_top_up_starts_them()
    {
        // 100 in cash, 20 an hour from 10:00: the 6th hour (16:00) takes it to -20; 24 hours later (next day 16:00) it stops.
        var (accountId, clock) = NewAccount("2019-03-01 09:00", 100);
        var payg = BuyPayg(accountId, clock.Id, "2019-03-01 10:00");

        var clocks = new TestClocks(Db, Engine);
        Assert.Equal(31, clocks.Advance(clock.Id, Local("2019-03-02 18:00")).Value.EventsProcessed);
        var stopped = Read(s => s.Instance(payg.Id.Value))!;
        Assert.Equal((InstanceStatus.Stopped, StopCause.Overdue, Local("2019-03-02 16:00")),
            (stopped.Status, stopped.StopCause, stopped.StoppedAt));
        var overdue = Read(s => s.AccountRow(accountId))!;
        Assert.Equal((-500L, Local("2019-03-01 16:00").ToUnixTimeTicks()), (overdue.Balance, overdue.NegativeSince));
        Assert.Equal(0, clocks.Advance(clock.Id, Local("2019-03-03 18:00")).Value.EventsProcessed);

        using (var session = Db.Begin())
        {
            var wallet = session.Accounts([accountId], forUpdate: true)[accountId];
            var toppedUp = Payg.TopUp(Rules, wallet, 600, session.AccountInstances(accountId), Local("2019-03-03 18:00")).Value;
            session.Save(toppedUp, Local("2019-03-03 18:00"), clock.Id);
            session.Commit();
        }

        Assert.Equal(InstanceStatus.Running, Read(s => s.Instance(payg.Id.Value))!.Status);
        Assert.Equal(1, clocks.Advance(clock.Id, Local("2019-03-03 19:00")).Value.EventsProcessed);
        Assert.Equal(80, Read(s => s.AccountRow(accountId))!.Balance);
        Assert.Empty(Verifier.Check(Db));
    }

    [Fact]
    public void R9_4_after_downtime_the_system_engine_skips_passed_reminders_but_still_attempts_renewal()
    {
        var (accountId, clock) = NewAccount("2019-01-28 09:00", 3000);
        var instance = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-01-29 10:00", autoRenew: true);
        // Not on-time: the engine was down from before T-7 until T-3 09:00.
        Assert.Equal(2, Engine.RunAllDue(clock.Id, Local("2019-03-27 09:00")));
        var kinds = Read(s => s.Query<string>(
            "SELECT kind FROM timeline_events WHERE instance_id = @id ORDER BY id", new { id = instance.Id.Value }).ToList());
        Assert.Equal(["purchased", "reminderSkipped", "renewed"], kinds);
        Assert.Equal(0, Read(s => s.Single<long>("SELECT COUNT(*) FROM notices WHERE kind = 'expiryReminder'")));
        Assert.Equal("2019-04-30 00:00", Show(Read(s => s.Instance(instance.Id.Value))!.Expiry));
    }

    [Fact]
    public void R4_8_events_at_one_instant_run_in_kind_order_the_same_on_both_databases()
    {
        // A PAYG hour and an auto-renew attempt both fall on 2019-03-27 08:00. Events at one instant run in kind order
        // (the attempt before the PAYG hour), on SQLite and PostgreSQL alike: the renewal takes the 1000, the hour goes to -20.
        var (accountId, clock) = NewAccount("2019-01-28 09:00", 3000);
        var auto = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-01-29 10:00", autoRenew: true);
        new TestClocks(Db, Engine).Advance(clock.Id, Local("2019-03-27 07:00"));
        using (var session = Db.Begin())
        {
            var account = session.Accounts([accountId], forUpdate: true)[accountId];
            var request = new PurchaseRequest(
                new InstanceId("i-payg"), "rocketmq", "cn-hangzhou", null, "rocketmq.standard", ChargeType.Payg, null);
            session.Save(Purchase.Buy(Rules, account, request, Local("2019-03-27 07:00")).Value, Local("2019-03-27 07:00"), clock.Id);
            session.Commit();
        }

        Assert.Equal(2, new TestClocks(Db, Engine).Advance(clock.Id, Local("2019-03-27 08:00")).Value.EventsProcessed);
        Assert.Equal(-20, Read(s => s.AccountRow(accountId))!.Balance);
        Assert.Equal("renewed", Read(s => s.Single<string>(
            "SELECT kind FROM timeline_events WHERE instance_id = @id ORDER BY id DESC LIMIT 1", new { id = auto.Id.Value })));
    }

    [Fact]
    public void Verify_names_every_broken_invariant()
    {
        var (accountId, clock) = NewAccount("2019-03-01 09:00", 5000);
        var instance = Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2019-03-01 10:00");
        Read(s => s.Execute("UPDATE accounts SET balance = balance + 1 WHERE id = @accountId", new { accountId }));
        Read(s => s.Execute("UPDATE instances SET next_due_at = NULL WHERE id = @id", new { id = instance.Id.Value }));
        // The split a coupon granted during a card payment once gave (R7.9): the parts still add up, one is negative.
        Read(s => s.Execute(
            "UPDATE orders SET paid_by_coupons = paid_by_coupons + 1300, paid_by_balance = paid_by_balance - 1300 " +
            "WHERE account_id = @accountId",
            new { accountId }));
        var violations = Verifier.Check(Db);
        Assert.Contains(violations, v => v.StartsWith("balance differs from the ledger", StringComparison.Ordinal)
            && v.Contains(accountId, StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("unreleased subscription instance without a next event", StringComparison.Ordinal)
            && v.Contains(instance.Id.Value, StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("order with a negative part", StringComparison.Ordinal)
            && v.EndsWith(": coupons 1300, balance -300, method 0", StringComparison.Ordinal));
    }
}

public sealed class SqliteStorageTests : StorageCompliance, IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"tenure-{Guid.NewGuid():N}.db");

    public SqliteStorageTests()
    {
        Db = Database.Sqlite(_file);
        Db.Migrate();
    }

    protected override Database Db { get; }

    public void Dispose()
    {
        Database.DeleteSqliteFiles(_file);
    }
}

public sealed class PostgresStorageTests(PostgresCluster cluster) : StorageCompliance
{
    private Database? _db;

    protected override Database Db => _db ??= Create(cluster);

    [Fact]
    public void R4_3_a_claim_locks_only_what_it_takes_so_a_second_engine_takes_the_very_next_row()
    {
        // Before, the claim locked the row after its own as well: the second engine skipped it, and the first took it in its next
        // batch while the second held the rest of that row's account, so each engine's batch waited for the other's commit.
        var (clock, ids) = FourDueAtOneInstant();
        using var first = Db.Begin();
        var (mine, after) = first.ClaimDue(clock.Id, Local("2019-03-26 09:00"), 2);
        using var second = Db.Begin();
        var (theirs, end) = second.ClaimDue(clock.Id, Local("2019-03-26 09:00"), 2);

        Assert.Equal(ids[..2], mine.Select(i => i.Id.Value));
        Assert.Equal(ids[2], after!.Id);
        Assert.Equal(ids[2..], theirs.Select(i => i.Id.Value));
        Assert.Null(end);
        second.Commit();
        first.Commit();
    }

    private static Database Create(PostgresCluster cluster)
    {
        var db = Database.Postgres(cluster.CreateDatabase());
        db.Migrate();
        return db;
    }
}
