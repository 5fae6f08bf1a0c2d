using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tenure.Engine.Delivery;

/// <summary>
/// Runs the dispatcher: claims due rows into their lanes whenever there is room, else a short sleep. It never waits
/// for a lane, so a slow receiver delays only its own deliveries (R10.2).
/// </summary>
public sealed class DispatcherService(Dispatcher dispatcher, TimeSpan poll, ILogger<DispatcherService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = dispatcher.StartDue(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Claiming or recording deliveries failed; retrying after {Poll}.", poll);
            }

            if (claimed == 0) await Task.Delay(poll, stoppingToken).ConfigureAwait(false);
        }
    }
}
