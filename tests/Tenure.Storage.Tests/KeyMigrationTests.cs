using NodaTime;

namespace Tenure.Storage.Tests;

/// <summary>Migration 0008 (R13.3): keys made before it keep working, with an ID to list and revoke them by.</summary>
public abstract class KeyMigrationTests
{
    protected abstract Database Create();

    [Fact]
    public async Task R13_3_a_key_made_before_migration_0008_keeps_working_and_can_be_revoked()
    {
        var db = Create();
        db.Migrate(through: 7);
        using (var connection = db.Open())
        using (var command = connection.CreateCommand())
        {
            // The schema before 0008, written as it was then (no key ID, no use or revocation times).
            command.CommandText =
                "INSERT INTO accounts (id, name, email, currency, created_at) VALUES ('acc-old', 'Old', 'old@example.com', 'USD', 0); " +
                "INSERT INTO api_keys (prefix, hash, account_id, created_at) VALUES ('0123456789ab', 'h', 'acc-old', 0)";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        db.Migrate();
        var found = await Session.FindKeyAsync(db, "0123456789ab", TestContext.Current.CancellationToken);
        Assert.Equal(("key-0123456789ab", "h", "acc-old"), (found?.Id, found?.Hash, found?.AccountId));
        var writer = new Writer(db);
        await using (writer)
        {
            await writer.RunAsync(session =>
            {
                session.RevokeKey("acc-old", "key-0123456789ab", Instant.FromUtc(2026, 12, 1, 0, 0));
                return Task.FromResult(true);
            }, TestContext.Current.CancellationToken);
        }

        Assert.Null(await Session.FindKeyAsync(db, "0123456789ab", TestContext.Current.CancellationToken));
        using var read = db.BeginRead();
        Assert.Equal(Instant.FromUtc(2026, 12, 1, 0, 0), Assert.Single(read.Keys("acc-old")).RevokedAt);
    }
}

public sealed class SqliteKeyMigrationTests : KeyMigrationTests, IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"tenure-keys-{Guid.NewGuid():N}.db");

    protected override Database Create() => Database.Sqlite(_file);

    public void Dispose() => Database.DeleteSqliteFiles(_file);
}

public sealed class PostgresKeyMigrationTests(PostgresCluster cluster) : KeyMigrationTests
{
    protected override Database Create() => Database.Postgres(cluster.CreateDatabase());
}
