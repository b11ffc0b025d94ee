using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansTok.Grains;

namespace OrleansTok.Journal;

/// <summary>
/// Wakes every journal partition once per poll interval from every silo. After a silo dies its
/// partitions are activated again on a survivor within one interval of the cluster noticing,
/// and resume from their last batch.
/// </summary>
public sealed class JournalWatchdog(IGrainFactory grains, IOptions<JournalOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                for (var p = 0; p < options.Value.Partitions; p++) grains.GetGrain<IJournalApplierGrain>(p).Kick().Ignore();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
