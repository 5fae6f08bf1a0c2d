using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Purchases;
using Tenure.Domain.Renewals;

namespace Tenure.Storage.Tests;

/// <summary>
/// Migrations 0019 and 0026 (R8.9): renewals written before 0019 are reported under their instance's clock and product; instances
/// written before 0026 get their terms digest.
/// </summary>
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
            session.Commit();
        }

        InsertAsBefore0026(db, purchase.Instance, purchase.NextDue[0]);

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

    /// <summary>
    /// Instances written before migration 0026 get the terms digest a save computes: equal price columns the same, other
    /// ones another; the report then groups them as it groups instances saved since.
    /// </summary>
    [Fact]
    public void R8_9_instances_written_before_migration_0026_get_the_terms_digest_a_save_computes()
    {
        var db = Create();
        db.Migrate(through: 25);
        var rules = Rules.Default;
        var bought = rules.Calendar.At(new LocalDate(2019, 3, 1), new LocalTime(10, 0));
        var account = new Account(new AccountId("acc-d"), "USD", 1_000_000, []);
        Instance Bought(string id, string spec, int months) => Purchase.Buy(rules, account,
            new PurchaseRequest(new InstanceId(id), "ecs", "cn-hangzhou", null, spec, ChargeType.Subscription, 1, AutoRenew: true),
            bought).Value.Instance with { AutoRenewMonths = months };
        using (var session = db.Begin())
        {
            session.InsertAccount(new AccountRow
            {
                Id = "acc-d", Name = "D", Email = "d@example.com", Currency = "USD", ClockId = Session.SystemClock, CreatedAt = 0,
            });
            session.Commit();
        }

        Instance[] instances = [Bought("i-1", "ecs.small", 1), Bought("i-2", "ecs.small", 1), Bought("i-3", "ecs.large", 1),
            Bought("i-4", "ecs.small", 3)];
        foreach (var instance in instances) InsertAsBefore0026(db, instance, null);

        db.Migrate();
        using var read = db.BeginRead();
        var digests = read.Query<long>("SELECT terms_digest FROM instances ORDER BY id").ToList();
        Assert.Equal(instances.Select(i => TermsDigest.Of(InstanceRow.From(i, Session.SystemClock, null))), digests);
        Assert.Equal(digests[0], digests[1]);
        Assert.Equal(3, digests.Distinct().Count());
        Assert.DoesNotContain(0L, digests);
        var (terms, groups, _) = read.UpcomingGroups(Session.SystemClock, null, bought, bought.Plus(Duration.FromDays(40)));
        Assert.Equal([("ecs.small", 1, 2), ("ecs.small", 3, 1), ("ecs.large", 1, 1)],
            groups.Select(g => (terms[g.Terms].Spec, terms[g.Terms].Months, g.Expiries.Length)).OrderBy(g => g.Spec != "ecs.small")
                .ThenBy(g => g.Months));
        Assert.Empty(read.Query<string>(db.Dialect == Dialect.Postgres
            ? "SELECT 'left' WHERE to_regclass('terms_digest_fill') IS NOT NULL"
            : "SELECT name FROM sqlite_master WHERE name = 'terms_digest_fill'"));
    }

    /// <summary>The instance's row as the code before migration 0026 wrote it: every column but the terms digest.</summary>
    private static void InsertAsBefore0026(Database db, Instance instance, DueEvent? next)
    {
        var row = InstanceRow.From(instance, Session.SystemClock, next);
        var columns = Session.InstanceColumns.Split(", ").Where(c => c != "terms_digest").ToList();
        using var connection = db.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            $"INSERT INTO instances ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "@" + c))})";
        foreach (var column in columns)
        {
            var name = string.Concat(column.Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
            var property = typeof(InstanceRow).GetProperty(name)!;
            var parameter = command.CreateParameter();
            parameter.ParameterName = column;
            parameter.Value = property.GetValue(row) ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        command.ExecuteNonQuery();
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
