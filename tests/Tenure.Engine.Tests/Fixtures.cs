using NodaTime;
using NodaTime.Text;
using Tenure.Domain;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Purchases;

namespace Tenure.Engine.Tests;

/// <summary>A test class's own migrated SQLite file, deleted after its tests.</summary>
public abstract class MigratedSqlite : IDisposable
{
    protected MigratedSqlite()
    {
        Db = Storage.Database.Sqlite(DbFile);
        Db.Migrate();
    }

    protected string DbFile { get; } = Fixtures.SqliteFile();

    protected Storage.Database Db { get; }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        Storage.Database.DeleteSqliteFiles(DbFile);
    }
}

/// <summary>Accounts and instances written the way the API will write them: a domain decision saved in one transaction.</summary>
internal static class Fixtures
{
    public static readonly Rules Rules = Rules.Default;

    private static readonly LocalDateTimePattern Pattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm");

    public static Instant Local(string local)
    {
        var value = Pattern.Parse(local).Value;
        return Rules.Calendar.At(value.Date, value.TimeOfDay);
    }

    public static string Show(Instant instant) => Pattern.Format(Rules.Calendar.Local(instant));

    public static string SqliteFile() => Path.Combine(Path.GetTempPath(), $"tenure-{Guid.NewGuid():N}.db");

    public static string NewAccount(
        Storage.Database db, string clockId, long topUp, Instant at, string? webhookUrl = null, string? webhookSecret = null,
        string? phone = null)
    {
        var id = Storage.Session.NewId("acc");
        using var session = db.Begin();
        session.InsertAccount(new Storage.AccountRow
        {
            Id = id, Name = "Test", Email = "ops@example.com", Phone = phone, Currency = "USD", ClockId = clockId,
            WebhookUrl = webhookUrl, WebhookSecret = webhookSecret, CreatedAt = at.ToUnixTimeTicks(),
        });
        if (topUp > 0)
        {
            var account = session.Accounts([id], forUpdate: true)[id];
            session.Save(Payg.TopUp(Rules, account, topUp, [], at).Value, at, clockId);
        }

        session.Commit();
        return id;
    }

    public static Instance Buy(
        Storage.Session session, string accountId, string clockId, string product, string spec, int months, Instant at, bool autoRenew)
    {
        var account = session.Accounts([accountId], forUpdate: true)[accountId];
        var request = new PurchaseRequest(
            new InstanceId(Storage.Session.NewId("i")), product, "cn-hangzhou", null, spec, ChargeType.Subscription, months, autoRenew);
        var change = Purchase.Buy(Rules, account, request, at).Value;
        session.Save(change, at, clockId);
        return change.Instance;
    }
}
