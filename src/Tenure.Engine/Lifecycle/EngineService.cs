using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using Tenure.Storage;

namespace Tenure.Engine.Lifecycle;

/// <summary>
/// The engine on the system clock: asks when the next event is due (one query), works through due
/// batches once it has come, and otherwise sleeps until then, waking at least every
/// <paramref name="poll"/> to see work that commands added — so an idle engine costs the database
/// one statement per poll (docs/benchmarks.md, "Quiet horizon"). With <paramref name="answersKeptFor"/> (the node's first
/// worker; <c>Tenure:IdempotencyRetentionHours</c>, 24 h by default, as Stripe keeps keys) it also forgets older idempotent
/// answers every ten minutes.
/// </summary>
public sealed class EngineService(LifecycleEngine engine, Database database, IClock clock, TimeSpan poll, ILogger<EngineService> logger,
    Duration? answersKeptFor = null) : BackgroundService
{
    private static readonly Duration PruneEvery = Duration.FromMinutes(10);

    private Instant _nextPrune = Instant.MinValue;

    /// <summary>The pause when due rows exist but another node holds them (PostgreSQL skips locked rows).</summary>
    private static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan AfterFailure = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var now = clock.GetCurrentInstant();
                if (answersKeptFor is { } kept && now >= _nextPrune)
                {
                    _nextPrune = now + PruneEvery;
                    if (IdempotencyRetention.Prune(database, now - kept) is > 0 and var pruned)
                    {
                        logger.LogInformation("Forgot {Count} idempotent answers.", pruned);
                    }
                }

                var next = database.NextDue(Session.SystemClock);
                if (next is { } due && due <= now)
                {
                    // A batch, once started, runs to its commit: cancellation is checked between batches (SIGTERM finishes the batch).
                    if (engine.RunBatch(Session.SystemClock, now).Instances > 0) continue;
                    wait = Floor;
                }
                else
                {
                    wait = next is { } later && (later - now).ToTimeSpan() < poll ? (later - now).ToTimeSpan() : poll;
                }
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
}
