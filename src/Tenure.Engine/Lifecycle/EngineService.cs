using Microsoft.Extensions.Hosting;
using NodaTime;
using Tenure.Storage;

namespace Tenure.Engine.Lifecycle;

/// <summary>
/// The engine on the system clock: works through due batches, and when idle sleeps until the
/// next due time, waking at least every <paramref name="poll"/> to see work that commands added —
/// one cheap query per poll, so an idle engine costs the database next to nothing.
/// </summary>
public sealed class EngineService(LifecycleEngine engine, Database database, IClock clock, TimeSpan poll) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // A batch, once started, runs to its commit: cancellation is checked between batches (SIGTERM finishes the batch).
            if (engine.RunBatch(Session.SystemClock, clock.GetCurrentInstant()).Instances > 0) continue;
            var wait = poll;
            using (var session = database.Begin())
            {
                if (session.NextDue(Session.SystemClock) is { } next)
                {
                    var untilDue = (next - clock.GetCurrentInstant()).ToTimeSpan();
                    if (untilDue < wait) wait = untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue;
                }

                session.Commit();
            }

            await Task.Delay(wait, stoppingToken).ConfigureAwait(false);
        }
    }
}
