using System.Diagnostics;
using NodaTime;
using Npgsql;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Purchases;
using Tenure.Storage;
using static Tenure.Engine.Tests.Fixtures;

namespace Tenure.Engine.Tests;

/// <summary>
/// The PostgreSQL failover of docs/operations.md: two <c>tenure engine</c> processes on a multi-host connection string run
/// a renewal wave of 100,000 instances; midway the primary dies (<c>pg_ctl stop -m immediate</c>) and the synchronous
/// standby is promoted. The engines reconnect to it and finish; every instance is then charged exactly once, no event of a
/// batch an engine saw commit is lost, and <c>verify</c> is clean.
/// </summary>
public sealed class FailoverTests
{
    private const int Accounts = 10_000;
    private const int PerAccount = 10;
    private const int Instances = Accounts * PerAccount;

    /// <summary>The T-3 attempt of instances expiring 2019-03-30 00:00 (UTC+8): 2019-03-27 08:00, which is 00:00 UTC.</summary>
    private static readonly Instant Wave = Local("2019-03-27 08:00");

    [Fact]
    public void Failover_mid_wave_to_a_synchronous_standby_loses_no_committed_batch_and_charges_every_instance_once()
    {
        using var pair = StreamingPair.StartPrimary();
        var watch = Stopwatch.StartNew();
        Seed(Database.Postgres(pair.Primary));
        var seeded = watch.Elapsed;
        pair.AttachSynchronousStandby();

        var engines = Enumerable.Range(0, 2).Select(_ => Engine.Start(pair.BothHosts)).ToList();
        var wave = Stopwatch.StartNew();
        using (var primary = new NpgsqlConnection(pair.Primary + ";Pooling=false"))
        {
            primary.Open();
            // Kill it a third of the way in: batches have committed, and most of the wave is still to come.
            while (StreamingPair.Scalar(primary, "SELECT COUNT(*) FROM order_items WHERE kind = 'Renewal'") < Instances / 3)
            {
                Assert.True(engines.TrueForAll(e => !e.HasExited),
                    $"An engine exited before the failover: {string.Join('\n', engines.Select(e => e.Output))}");
                Assert.True(wave.Elapsed < TimeSpan.FromMinutes(5), "The wave did not reach a third in 5 minutes.");
                Thread.Sleep(50);
            }
        }

        pair.KillPrimary();
        var killedAt = wave.Elapsed;
        // A failover manager takes a moment to decide; meanwhile no host is a primary and the engines keep retrying.
        Thread.Sleep(TimeSpan.FromSeconds(2));
        pair.PromoteStandby();
        foreach (var engine in engines)
        {
            Assert.True(engine.WaitForExit(TimeSpan.FromMinutes(5)), $"An engine did not finish after the failover: {engine.Output}");
            Assert.True(engine.ExitCode == 0, engine.Output);
        }

        var finished = wave.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"seeded {Instances} in {seeded.TotalSeconds:0.0} s; primary killed at " +
            $"{killedAt.TotalSeconds:0.0} s; wave done at {finished.TotalSeconds:0.0} s\n" +
            string.Join('\n', engines.Select(e => e.Output)));

        // Both engines met the failover (a batch of each failed and was retried) and reconnected to the promoted standby.
        Assert.All(engines, e => Assert.Contains("retrying", e.Output, StringComparison.Ordinal));

        // An acknowledged batch lost in the failover would run again on the new primary and be counted twice.
        var reported = engines.Sum(e => e.EventsRan);
        Assert.True(reported <= Instances, $"the engines ran {reported} events for {Instances} instances");
        var db = Database.Postgres(pair.Standby);
        Assert.Empty(Verifier.Check(db));
        using var session = db.BeginRead();
        var perKind = session.Query<(string Kind, long Instances, long Rows)>(
            "SELECT kind, COUNT(DISTINCT instance_id), COUNT(*) FROM timeline_events WHERE at = @wave GROUP BY kind ORDER BY kind",
            new { wave = Wave.ToUnixTimeTicks() }).ToList();
        Assert.Equal([("autoRenewFailed", (long)Accounts, (long)Accounts), ("renewed", 9L * Accounts, 9L * Accounts)], perKind);
        Assert.Equal(9L * Accounts, session.Single<long>("SELECT COUNT(DISTINCT instance_id) FROM order_items WHERE kind = 'Renewal'"));
        Assert.Equal(9L * Accounts, session.Single<long>("SELECT COUNT(*) FROM order_items WHERE kind = 'Renewal'"));
        Assert.Equal(9L * Accounts, session.Single<long>("SELECT COUNT(*) FROM ledger WHERE kind = 'Charge'"));
        Assert.Equal(0L, session.Single<long>("SELECT COUNT(*) FROM accounts WHERE balance <> 1"));
        var at = new { wave = Wave.ToUnixTimeTicks() };
        Assert.Equal((long)Instances, session.Single<long>("SELECT COUNT(DISTINCT instance_id) FROM notices WHERE at = @wave", at));
        Assert.Equal(0L, session.Single<long>("SELECT COUNT(*) FROM instances WHERE next_due_at <= @wave", at));
        session.Commit();
        foreach (var engine in engines) engine.Dispose();
    }

    /// <summary>
    /// Accounts of ten instances bought 2019-01-29 10:00 for two months, whose T-7 reminder has run, and balances of
    /// 9,001 minor units: nine renewals of 1,000 each are covered, the tenth fails, 1 is left.
    /// </summary>
    private static void Seed(Database database)
    {
        database.Migrate();
        var bought = Local("2019-01-29 10:00");
        var request = new PurchaseRequest(
            new InstanceId("t"), "ecs", "cn-hangzhou", null, "ecs.small", ChargeType.Subscription, 2, AutoRenew: true);
        var template = Purchase.Buy(Fixtures.Rules, new Account(new AccountId("t"), "USD", 1_000_000, []), request, bought)
            .Value.Instance
            with { Progress = new Progress(Local("2019-03-23 08:00"), (int)EventKind.Reminder) };
        for (var chunk = 0; chunk < Accounts; chunk += 1_000)
        {
            using var session = database.Begin();
            for (var a = chunk; a < chunk + 1_000; a++)
            {
                var accountId = $"acc-{a:D5}";
                session.InsertAccount(new AccountRow
                {
                    Id = accountId, Name = accountId, Email = $"{accountId}@example.com", Currency = "USD", ClockId = Session.SystemClock,
                    CreatedAt = bought.ToUnixTimeTicks(),
                });
                var account = Payg.TopUp(
                    Fixtures.Rules, Account.Empty(new AccountId(accountId), "USD"), ((PerAccount - 1) * 1000L) + 1, [], bought).Value;
                session.Save(account, bought, Session.SystemClock);
                var due = Schedule.Next(Fixtures.Rules, template, account.Account);
                for (var i = 0; i < PerAccount; i++)
                {
                    var copy = template with { Id = new InstanceId($"i-{a:D5}-{i}"), AccountId = new AccountId(accountId) };
                    session.SaveInstance(copy, due, Session.SystemClock);
                }
            }

            session.Commit();
        }
    }

    /// <summary>One <c>tenure engine</c> process on the system clock up to the wave, its output collected.</summary>
    private sealed class Engine : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();

        private Engine(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public bool HasExited => _process.HasExited;

        public int ExitCode => _process.ExitCode;

        public string Output
        {
            get
            {
                lock (_output) return _output.ToString();
            }
        }

        /// <summary>The events the engine reported it ran (its last line: "engine: N event(s) ran up to …").</summary>
        public int EventsRan => int.Parse(
            System.Text.RegularExpressions.Regex.Match(Output, @"engine: (\d+) event\(s\) ran").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);

        public static Engine Start(string connection)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "tenure.dll"), "engine", "--postgres", connection,
                "--until", "2019-03-27T00:00:00Z", "--batch", "1000", "--retry-for", "60" })
            {
                info.ArgumentList.Add(arg);
            }

            return new Engine(Process.Start(info) ?? throw new InvalidOperationException("Could not start the engine process."));
        }

        public bool WaitForExit(TimeSpan timeout)
        {
            if (!_process.WaitForExit(timeout)) return false;
            _process.WaitForExit(); // and the redirected output is read to its end
            return true;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null) return;
            lock (_output) _output.AppendLine(line);
        }
    }
}
