using NodaTime;

namespace Tenure.Storage.Tests;

/// <summary>
/// Migration 0027 (issue 16) drops the indexes of orders and ledger on account_id alone: the reads by account (R8.8's
/// billing records and statements, R7.11's payment orders, verify's R7.4 sums) answer from the ones of 0011 as before.
/// </summary>
public abstract class AccountIndexMigrationTests
{
    protected abstract Database Create();

    private static readonly Instant March = Instant.FromUtc(2026, 3, 1, 0, 0);

    private static long Day(int day) => (March + Duration.FromDays(day)).ToUnixTimeTicks();

    [Fact]
    public async Task R8_8_an_accounts_orders_ledger_and_verify_answer_after_migration_0027_as_before_it()
    {
        var db = Create();
        db.Migrate(through: 26);
        using (var connection = db.Open())
        using (var command = connection.CreateCommand())
        {
            // Two accounts: A's balance is its ledger's; B's is not (verify must still find it by account).
            command.CommandText =
                "INSERT INTO accounts (id, name, email, currency, balance, created_at) VALUES " +
                "('acc-a', 'A', 'a@example.com', 'USD', 3500, 0), ('acc-b', 'B', 'b@example.com', 'USD', 999, 0); " +
                "INSERT INTO orders (id, account_id, kind, total, paid_by_coupons, paid_by_balance, at) VALUES " +
                $"('o-a1', 'acc-a', 'Purchase', 1000, 0, 1000, {Day(1)}), ('o-b1', 'acc-b', 'Purchase', 1000, 0, 1000, {Day(2)}), " +
                $"('o-a2', 'acc-a', 'Renewal', 1000, 0, 1000, {Day(40)}); " +
                "INSERT INTO order_items (order_id, instance_id, period_start, kind, amount, new_expires_at) VALUES " +
                $"('o-a1', 'i-a', {Day(1)}, 'Purchase', 1000, {Day(40)}), ('o-b1', 'i-b', {Day(2)}, 'Purchase', 1000, {Day(41)}), " +
                $"('o-a2', 'i-a', {Day(40)}, 'Renewal', 1000, {Day(70)}); " +
                "INSERT INTO ledger (account_id, at, kind, amount, instance_id, order_id, memo) VALUES " +
                $"('acc-a', {Day(0)}, 'TopUp', 5000, NULL, NULL, 'top-up'), ('acc-b', {Day(0)}, 'TopUp', 2000, NULL, NULL, 'top-up'), " +
                $"('acc-a', {Day(1)}, 'Charge', -1000, 'i-a', 'o-a1', 'purchase'), " +
                $"('acc-b', {Day(2)}, 'Charge', -1000, 'i-b', 'o-b1', 'purchase'), " +
                $"('acc-a', {Day(40)}, 'Charge', -1000, 'i-a', 'o-a2', 'renewal'), " +
                $"('acc-a', {Day(45)}, 'Refund', 500, 'i-a', 'o-a2', 'refund')";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var before = Read(db);
        db.Migrate();
        var after = Read(db);

        Assert.Equivalent(before, after, strict: true);
        Assert.Equal(["o-a1", "o-a2"], after.Orders.Select(o => o.Id));
        Assert.Equal([5000L, 4000, 3000, 3500], after.Ledger.Select(l => l.BalanceAfter));
        Assert.Equal(4000, after.BalanceBefore);
        Assert.Contains(after.Violations, v => v.StartsWith("balance differs from the ledger (R7.4): acc-b", StringComparison.Ordinal));
        Assert.DoesNotContain(after.Violations, v => v.Contains("acc-a", StringComparison.Ordinal));
    }

    private sealed record Answers(
        List<string> Violations, List<OrderRecord> Orders, List<(Domain.Billing.LedgerLine Line, long BalanceAfter)> Ledger,
        long BalanceBefore, List<Domain.Billing.LedgerLine> Month, List<(string, string, long, long, long, long)> PaymentOrders);

    private static Answers Read(Database db)
    {
        var violations = Verifier.Check(db);
        using var read = db.BeginRead();
        return new Answers(
            violations, read.Orders(new OrderFilter("acc-a"), null, 50), read.Ledger("acc-a", null, null, null, 50),
            read.BalanceBefore("acc-a", March + Duration.FromDays(40)),
            read.LedgerLines("acc-a", March + Duration.FromDays(31), March + Duration.FromDays(61)), read.PaymentOrders("acc-a"));
    }
}

public sealed class SqliteAccountIndexMigrationTests : AccountIndexMigrationTests, IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"tenure-account-index-{Guid.NewGuid():N}.db");

    protected override Database Create() => Database.Sqlite(_file);

    public void Dispose() => Database.DeleteSqliteFiles(_file);
}

public sealed class PostgresAccountIndexMigrationTests(PostgresCluster cluster) : AccountIndexMigrationTests
{
    protected override Database Create() => Database.Postgres(cluster.CreateDatabase());
}
