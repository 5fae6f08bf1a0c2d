using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using Tenure.Storage;
using Tenure.Storage.Tests;
using static Tenure.Engine.Tests.Fixtures;

namespace Tenure.Engine.Tests;

/// <summary>
/// The engine as separate OS processes on real databases: killed mid-run and restarted, or three
/// at once on one PostgreSQL. Afterwards <c>verify</c> is clean and every instance's events of the
/// wave happened exactly once.
/// </summary>
public sealed class ReliabilityTests(PostgresCluster cluster)
{
    private const int Accounts = 2_000;
    private const int PerAccount = 10;
    private const string Clock = "clk-wave";

    // Bought 2019-01-29 10:00 for 2 months: all expire 2019-03-30 00:00; the T-3 wave runs 2019-03-27 08:00.
    private static readonly Instant Until = Local("2019-03-27 08:00");

    /// <summary>Accounts whose balance covers 9 of their 10 auto-renewals (10 % fail), on <paramref name="clockId"/>.</summary>
    private static void Seed(Database db, string clockId = Clock)
    {
        db.Migrate();
        using var session = db.Begin();
        if (clockId != Session.SystemClock)
        {
            session.Execute("INSERT INTO test_clocks (id, frozen_time, created_at) VALUES (@clockId, @at, @at)",
                new { clockId, at = Local("2019-01-29 09:00").ToUnixTimeTicks() });
        }

        var at = Local("2019-01-29 10:00");
        for (var a = 0; a < Accounts; a++)
        {
            var accountId = $"acc-{a:D5}";
            session.InsertAccount(new AccountRow
            {
                Id = accountId, Name = accountId, Email = $"{accountId}@example.com", Currency = "USD", ClockId = clockId, CreatedAt = 0,
            });
            var empty = Domain.Accounts.Account.Empty(new Domain.AccountId(accountId), "USD");
            var funded = Domain.Lifecycle.Payg.TopUp(Rules, empty, PerAccount * 2000 + (PerAccount - 1) * 1000, [], at).Value;
            session.Save(funded, at, clockId);
            var account = funded.Account;
            for (var i = 0; i < PerAccount; i++)
            {
                var request = new Domain.Purchases.PurchaseRequest(new Domain.InstanceId($"i-{a:D5}-{i}"), "ecs", "cn-hangzhou", null,
                    "ecs.small", Domain.Catalog.ChargeType.Subscription, 2, AutoRenew: true);
                var bought = Domain.Purchases.Purchase.Buy(Rules, account, request, at).Value;
                session.Save(bought, at, clockId);
                account = bought.Account;
            }
        }

        session.Commit();
    }

    private static Process StartEngine(string databaseArgs)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "tenure.dll");
        var info = new ProcessStartInfo("dotnet",
            $"\"{dll}\" engine {databaseArgs} --clock {Clock} --until 2019-03-27T00:00:00Z --batch 200")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return Process.Start(info) ?? throw new InvalidOperationException("Could not start the engine process.");
    }

    /// <summary>
    /// Every event of the wave once. On a test clock each runs on time; an engine on the system clock that first runs at the
    /// wave's instant is late for the T-7 reminders, whose day has passed: it records them as skipped and sends nothing (R9.1).
    /// </summary>
    private static void AssertWaveRanExactlyOnce(Database db, bool late = false)
    {
        Assert.Empty(Verifier.Check(db));
        using var session = db.Begin();
        var perInstance = session.Query<(string Kind, long Instances, long Rows)>(
            "SELECT kind, COUNT(DISTINCT instance_id), COUNT(*) FROM timeline_events WHERE kind <> 'purchased' "
            + "GROUP BY kind ORDER BY kind").ToList();
        const long All = Accounts * PerAccount;
        (string, long, long)[] reminders = late ? [("reminderSkipped", All, All)] : [("lowBalance", All, All), ("reminderSent", All, All)];
        Assert.Equal(
        [
            ("autoRenewFailed", (long)Accounts, (long)Accounts),
            .. reminders,
            ("renewed", (long)Accounts * (PerAccount - 1), (long)Accounts * (PerAccount - 1)),
        ], perInstance);
        Assert.Equal(Accounts * (PerAccount - 1), session.Single<long>("SELECT COUNT(*) FROM order_items WHERE kind = 'Renewal'"));
        Assert.Equal(0, session.Single<long>("SELECT COUNT(*) FROM accounts WHERE balance <> 0"));
        Assert.Equal(0,
            session.Single<long>("SELECT COUNT(*) FROM instances WHERE next_due_at <= @until", new { until = Until.ToUnixTimeTicks() }));
    }

    [Fact]
    public void R7_4_an_engine_killed_mid_run_and_restarted_does_every_event_exactly_once()
    {
        var file = SqliteFile();
        var db = Database.Sqlite(file);
        Seed(db);
        var random = new Random(20_000);
        var kills = 0;
        while (true)
        {
            using var engine = StartEngine($"--db \"{file}\"");
            if (kills < 4 && !engine.WaitForExit(random.Next(400, 1_500)))
            {
                engine.Kill(entireProcessTree: true); // SIGKILL: no cleanup, no finally blocks
                engine.WaitForExit();
                kills++;
                continue;
            }

            engine.WaitForExit();
            Assert.True(engine.ExitCode == 0, engine.StandardError.ReadToEnd());
            break;
        }

        Assert.True(kills > 0, "The engine finished before it could be killed; the test proved nothing.");
        AssertWaveRanExactlyOnce(db);
        Storage.Database.DeleteSqliteFiles(file);
    }

    [Fact]
    public void R7_4_three_engines_on_one_PostgreSQL_charge_every_instance_exactly_once()
    {
        var connection = cluster.CreateDatabase();
        var db = Database.Postgres(connection);
        Seed(db);
        var engines = Enumerable.Range(0, 3).Select(_ => StartEngine($"--postgres \"{connection}\"")).ToList();
        foreach (var engine in engines)
        {
            Assert.True(engine.WaitForExit(TimeSpan.FromMinutes(5)), "An engine did not finish: deadlock or hang.");
            Assert.True(engine.ExitCode == 0, engine.StandardError.ReadToEnd());
        }
        var ran = engines.Select(e => e.StandardOutput.ReadToEnd()).ToList();
        Assert.True(ran.Count(o => !o.Contains("engine: 0 event(s)", StringComparison.Ordinal)) >= 2,
            "Only one engine did any work: " + string.Join(" | ", ran));
        foreach (var engine in engines) engine.Dispose();
        AssertWaveRanExactlyOnce(db);
    }

    [Fact]
    public async Task R7_4_a_PostgreSQL_node_runs_two_engine_workers_by_default_and_charges_every_instance_exactly_once()
    {
        var db = Database.Postgres(cluster.CreateDatabase());
        Seed(db, Session.SystemClock);
        var options = new Api.ApiOptions(db, "op-workers", new NodaTime.Testing.FakeClock(Until));
        Assert.Equal(2, options.EngineWorkers);
        await using var app = Api.TenureApi.Build(options, ["--urls", "http://127.0.0.1:0"]);
        Assert.Equal(2, app.Services.GetServices<IHostedService>().OfType<Lifecycle.EngineService>().Count());

        await app.StartAsync(TestContext.Current.CancellationToken);
        var waited = Stopwatch.StartNew();
        while (Due(db) > 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(5), $"The workers left {Due(db)} instances due: a hang or a deadlock.");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        await app.StopAsync(TestContext.Current.CancellationToken);
        AssertWaveRanExactlyOnce(db, late: true);
    }

    private static long Due(Database db)
    {
        using var session = db.Begin();
        var due = session.Single<long>(
            "SELECT COUNT(*) FROM instances WHERE next_due_at <= @until", new { until = Until.ToUnixTimeTicks() });
        session.Commit();
        return due;
    }
}
