using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tenure.Engine.Delivery;

/// <summary>Runs the dispatcher: a batch whenever rows are due, else a short sleep.</summary>
public sealed class DispatcherService(Dispatcher dispatcher, TimeSpan poll, ILogger<DispatcherService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var delivered = 0;
            try
            {
                delivered = await dispatcher.DeliverDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Claiming or recording deliveries failed; retrying after {Poll}.", poll);
            }

            if (delivered == 0) await Task.Delay(poll, stoppingToken).ConfigureAwait(false);
        }
    }
}
