using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Purchases;
using Tenure.Domain.Renewals;

namespace Tenure.Storage.Tests;

/// <summary>Migration 0019 (R8.9): renewals written before it are reported under their instance's clock and product.</summary>
public abstract class ReportMigrationTests
{
    protected abstract Database Create();

    [Fact]
    public async Task R8_9_a_renewal_written_before_migration_0019_is_counted_under_its_instances_clock_and_product()
    {
        var db = Create();
        db.Migrate(through: 17);
        var rules = Rules.Default;
        var bought = rules.Calendar.At(new LocalDate(2019, 3, 1), new LocalTime(10, 0));
        var purchase = Purchase.Buy(rules, new Account(new AccountId("acc-r"), "USD", 1_000_000, []),
            new PurchaseRequest(
                new InstanceId("i-r"), "ecs", "cn-hangzhou", null, "ecs.small", ChargeType.Subscription, 1, AutoRenew: true), bought).Value;
        using (var session = db.Begin())
        {
            session.InsertAccount(new AccountRow
            {
                Id = "acc-r", Name = "R", Email = "r@example.com", Currency = "USD", ClockId = Session.SystemClock, CreatedAt = 0,
            });
            session.SaveInstance(purchase.Instance, purchase.NextDue[0], Session.SystemClock);
            session.Commit();
        }

        var expiry = rules.Calendar.At(new LocalDate(2019, 4, 1), LocalTime.Midnight);
        using (var connection = db.Open())
        using (var command = connection.CreateCommand())
        {
            // A T-3 renewal as 0017 wrote it: no clock or product on the item.
            command.CommandText =
                "INSERT INTO orders (id, account_id, kind, total, paid_by_coupons, paid_by_balance, at) " +
                "VALUES ('o-r', 'acc-r', 'Renewal', 1000, 0, 1000, 0); " +
                "INSERT INTO order_items (order_id, instance_id, period_start, kind, amount, new_expires_at, renews_expiry, attempt_day) " +
                $"VALUES ('o-r', 'i-r', {expiry.ToUnixTimeTicks()}, 'Renewal', 1000, 0, {expiry.ToUnixTimeTicks()}, -3)";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        db.Migrate();
        using var read = db.BeginRead();
        var (from, to) = (expiry, rules.Calendar.At(new LocalDate(2019, 5, 1), LocalTime.Midnight));
        Assert.Equal([new RenewedCount(-3, 1, 1000)], read.RenewedCycles(Session.SystemClock, "ecs", from, to));
        Assert.Empty(read.RenewedCycles(Session.SystemClock, "rds", from, to));
        Assert.Empty(read.RenewedCycles("other-clock", null, from, to));
    }
}

public sealed class SqliteReportMigrationTests : ReportMigrationTests, IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"tenure-report-{Guid.NewGuid():N}.db");

    protected override Database Create() => Database.Sqlite(_file);

    public void Dispose() => Database.DeleteSqliteFiles(_file);
}

public sealed class PostgresReportMigrationTests(PostgresCluster cluster) : ReportMigrationTests
{
    protected override Database Create() => Database.Postgres(cluster.CreateDatabase());
}
