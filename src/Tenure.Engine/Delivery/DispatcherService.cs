using Microsoft.Extensions.Hosting;

namespace Tenure.Engine.Delivery;

/// <summary>Runs the dispatcher: a batch whenever rows are due, else a short sleep.</summary>
public sealed class DispatcherService(Dispatcher dispatcher, TimeSpan poll) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (await dispatcher.DeliverDueAsync(stoppingToken).ConfigureAwait(false) == 0) await Task.Delay(poll, stoppingToken).ConfigureAwait(false);
        }
    }
}
