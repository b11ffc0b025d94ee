using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansTok.Grains;

/// <summary>A silo service that gathers derived data in memory and sends it on every period.</summary>
public abstract partial class PeriodicFlush(TimeSpan period, TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract Task FlushAsync();

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await FlushAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failed send (a stream or grain briefly unreachable) must not stop the service for good.
                    LogFlushFailed(logger, GetType().Name, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} could not send its batch this period")]
    private static partial void LogFlushFailed(ILogger logger, string service, Exception exception);
}
