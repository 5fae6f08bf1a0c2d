using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Instances;

namespace Tenure.Storage.Tests;

/// <summary>
/// Migration 0029 (issue 16): a notice's delivery holds no copy of the notice, and the dispatcher builds its body from the notice,
/// the text it was always sent. Rows written before keep their payloads, and IDs go on after every one given out before.
/// </summary>
public abstract class NoticeDeliveryMigrationTests
{
    protected abstract Database Create();

    private static readonly Instant At = Instant.FromUtc(2019, 3, 26, 0, 0);

    private static readonly string OldBody = ("{'kind':'expiryReminder','accountId':'acc-a','instanceId':'i-old'," +
        "'at':'2019-03-26T00:00:00Z','idempotencyKey':'i-old:ExpiryReminder:2019-04-01T16:00:00Z:-7','data':{'product':'ecs'}}")
        .Replace('\'', '"');

    [Fact]
    public async Task R9_4_a_notice_delivery_is_sent_the_body_it_always_was_and_rows_from_before_0029_keep_theirs()
    {
        var db = Create();
        db.Migrate(through: 28);
        using (var connection = db.Open())
        using (var command = connection.CreateCommand())
        {
            // An old notice with its stored payload (outbox row 1), and row 2, deleted: the next ID is 3.
            command.CommandText =
                "INSERT INTO accounts (id, name, email, currency, balance, created_at) " +
                "VALUES ('acc-a', 'A', 'a@example.com', 'USD', 0, 0); " +
                "INSERT INTO notices (dedupe_key, account_id, instance_id, at, kind, subject, data) VALUES " +
                $"('i-old:ExpiryReminder:2019-04-01T16:00:00Z:-7', 'acc-a', 'i-old', {At.ToUnixTimeTicks()}, 'expiryReminder', '', " +
                "'{\"product\":\"ecs\"}'); " +
                "INSERT INTO outbox (dedupe_key, channel, account_id, instance_id, at, payload, status, attempts, next_attempt_at) " +
                "VALUES " +
                $"('i-old:ExpiryReminder:2019-04-01T16:00:00Z:-7:email', 'email', 'acc-a', 'i-old', {At.ToUnixTimeTicks()}, " +
                $"'{OldBody}', 'pending', 0, 0), ('gone', 'email', 'acc-a', NULL, 0, '{{}}', 'pending', 0, 0); " +
                "DELETE FROM outbox WHERE id = 2";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        db.Migrate();
        using (var session = db.Begin())
        {
            var account = session.Accounts(["acc-a"], forUpdate: true)["acc-a"];
            var notice = new Notice(NoticeKind.ExpiryReminder, account.Id, new InstanceId("i-new"), At,
                new NoticeData("ecs", "ecs.small", RenewalMode.Manual, null, Instant.FromUtc(2019, 4, 1, 16, 0)),
                "i-new:ExpiryReminder:2019-04-01T16:00:00Z:-7");
            session.Save(new Change(account, Effects.None.Notify(notice)), At, Session.SystemClock);
            session.Commit();
        }

        using (var connection = db.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id || ' ' || COALESCE(payload, 'none') FROM outbox WHERE instance_id = 'i-new'";
            Assert.Equal("3 none", await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        }

        using var claim = db.Begin();
        var claimed = claim.ClaimDeliveries(At, Duration.FromMinutes(2), 10);
        Assert.Equal(
            [
                (1L, OldBody),
                (3L, ("{'kind':'expiryReminder','accountId':'acc-a','instanceId':'i-new','at':'2019-03-26T00:00:00Z'," +
                    "'idempotencyKey':'i-new:ExpiryReminder:2019-04-01T16:00:00Z:-7','data':{'product':'ecs','spec':'ecs.small'," +
                    "'renewalMode':'manual','expiresAt':'2019-04-01T16:00:00Z'}}").Replace('\'', '"')),
            ],
            claimed.Select(d => (d.Id, d.Body)));
        Assert.Equal(claimed[1].Body, claimed[1].Payload.ToJson());
        claim.Commit();
    }
}

public sealed class SqliteNoticeDeliveryMigrationTests : NoticeDeliveryMigrationTests, IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"tenure-notice-delivery-{Guid.NewGuid():N}.db");

    protected override Database Create() => Database.Sqlite(_file);

    public void Dispose() => Database.DeleteSqliteFiles(_file);
}

public sealed class PostgresNoticeDeliveryMigrationTests(PostgresCluster cluster) : NoticeDeliveryMigrationTests
{
    protected override Database Create() => Database.Postgres(cluster.CreateDatabase());
}
