using System.Diagnostics;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Tenure.Domain;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;

namespace Tenure.Bench;

/// <summary>
/// What the Hangfire arm measured; <see cref="Seconds"/> is extrapolated to
/// all instances from <see cref="Measured"/> in <see cref="MeasuredSeconds"/>.
/// </summary>
public sealed record HangfireResult(
    string Arm, int Instances, double Seconds, double PerSecond, double P50LatenessSeconds, double P99LatenessSeconds, double PeakRssMb,
    double SeedSeconds, bool Extrapolated, int Measured, double MeasuredSeconds, int Scheduled, double ScheduleSeconds,
    double SchedulePerSecond, int Renewed, int Failed, long JobsSucceeded, long JobsFailed, int Workers);

/// <summary>
/// The naive peer: one Hangfire delayed job per instance, due at the wave, each renewing its one
/// instance in its own transaction through the engine's own single-instance path
/// (<see cref="LifecycleEngine.CatchUp"/>: lock the instance and its account, decide, write).
/// Hangfire keeps its tables in the schema <c>hangfire</c> of the same database.
/// </summary>
/// <remarks>
/// Time-boxed: jobs are scheduled for at most the time box (or until every instance has one), then a
/// <see cref="BackgroundJobServer"/> with the default worker count runs them for at most the time box;
/// the wall time for all instances is extrapolated from the rate measured. Jobs are scheduled with no
/// delay, so they are due at once and the scheduler (polling every second) moves them to the queue.
/// </remarks>
public static class HangfireArm
{
    private static Database? s_database;
    private static LifecycleEngine? s_engine;

    public static HangfireResult Run(Database database, int instances, TimeSpan timeBox, double seedSeconds)
    {
        s_database = database;
        s_engine = new LifecycleEngine(database, Rules.Default);
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire", PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromSeconds(1),
        };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(database.ConnectionString, options), options);
        var client = new BackgroundJobClient(storage);

        List<string> ids;
        using (var read = database.BeginRead())
        {
            ids = [.. read.Query<string>("SELECT id FROM instances WHERE clock_id = @clock ORDER BY id", new { clock = RenewalDay.Clock })];
            read.Commit();
        }

        var schedule = Stopwatch.StartNew();
        var scheduled = 0;
        foreach (var id in ids.TakeWhile(_ => schedule.Elapsed < timeBox))
        {
            client.Schedule(() => Renew(id), TimeSpan.Zero);
            scheduled++;
        }

        var scheduleSeconds = schedule.Elapsed.TotalSeconds;
        var lateness = new List<(double Seconds, int Instances)>();
        var watch = Stopwatch.StartNew();
        var done = 0;
        double measuredSeconds;
        var serverOptions = new BackgroundJobServerOptions { SchedulePollingInterval = TimeSpan.FromSeconds(1) };
        using (var server = new BackgroundJobServer(serverOptions, storage))
        {
            while (done < scheduled && watch.Elapsed < timeBox)
            {
                Thread.Sleep(250);
                var now = Completed(database);
                lateness.Add((watch.Elapsed.TotalSeconds, now - done));
                done = now;
            }

            done = Completed(database);
            measuredSeconds = watch.Elapsed.TotalSeconds; // before the server stops: stopping waits for running jobs
            server.SendStop();
        }

        var (renewed, failed) = RenewalDay.Outcomes(database);
        var monitoring = storage.GetMonitoringApi();
        var perSecond = done / measuredSeconds;
        return new HangfireResult("hangfire-postgres", instances, Math.Round(instances / perSecond, 2), Math.Round(perSecond),
            RenewalDay.Percentile(lateness, 0.50), RenewalDay.Percentile(lateness, 0.99), RenewalDay.PeakRssMb(),
            Math.Round(seedSeconds, 2), Extrapolated: done < instances, done, Math.Round(measuredSeconds, 2), scheduled,
            Math.Round(scheduleSeconds, 2),
            Math.Round(scheduled / scheduleSeconds), renewed, failed, monitoring.SucceededListCount(), monitoring.FailedCount(),
            serverOptions.WorkerCount);
    }

    /// <summary>The job: renews one instance, as the engine would, in a transaction of its own.</summary>
    public static void Renew(string instanceId)
    {
        using var session = s_database!.Begin();
        var instance = session.Instance(instanceId, forUpdate: true)
            ?? throw new InvalidOperationException($"Instance {instanceId} does not exist.");
        var accounts = session.Accounts([instance.AccountId.Value], forUpdate: true);
        s_engine!.CatchUp(session, [instance], accounts, RenewalDay.Clock, RenewalDay.Wave);
        session.Commit();
    }

    private static int Completed(Database database)
    {
        var (renewed, failed) = RenewalDay.Outcomes(database);
        return renewed + failed;
    }
}
