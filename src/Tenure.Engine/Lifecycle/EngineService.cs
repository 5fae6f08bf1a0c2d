using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using Tenure.Storage;

namespace Tenure.Engine.Lifecycle;

/// <summary>
/// The engine on the system clock: works through due batches, and when idle sleeps until the
/// next due time, waking at least every <paramref name="poll"/> to see work that commands added —
/// one cheap query per poll, so an idle engine costs the database next to nothing.
/// </summary>
public sealed class EngineService(LifecycleEngine engine, Database database, IClock clock, TimeSpan poll, ILogger<EngineService> logger) : BackgroundService
{
    /// <summary>The shortest pause when due rows exist but another node holds them (PostgreSQL skips locked rows).</summary>
    private static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan AfterFailure = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                // A batch, once started, runs to its commit: cancellation is checked between batches (SIGTERM finishes the batch).
                if (engine.RunBatch(Session.SystemClock, clock.GetCurrentInstant()).Instances > 0) continue;
                wait = UntilNextDue();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The batch rolled back whole; keep the service alive and try again (a deadlock, a busy database, a lost connection).
                logger.LogError(e, "An engine batch failed and was rolled back; retrying in {Delay}.", AfterFailure);
                wait = AfterFailure;
            }

            await Task.Delay(wait, stoppingToken).ConfigureAwait(false);
        }
    }

    private TimeSpan UntilNextDue()
    {
        using var session = database.BeginRead();
        var next = session.NextDue(Session.SystemClock);
        session.Commit();
        if (next is null) return poll;
        var untilDue = (next.Value - clock.GetCurrentInstant()).ToTimeSpan();
        return untilDue < Floor ? Floor : untilDue < poll ? untilDue : poll;
    }
}
