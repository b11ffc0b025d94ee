using Microsoft.Extensions.Hosting;

namespace OrleansTok.Grains;

/// <summary>A silo service that gathers derived data in memory and sends it on every period.</summary>
public abstract class PeriodicFlush(TimeSpan period, TimeProvider time) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract Task FlushAsync();

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushAsync();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
