using Microsoft.Extensions.Logging;

namespace OrleansTok.Telemetry;

/// <summary>
/// The ids that let one request be followed across processes: the API puts them in Orleans'
/// RequestContext (which travels with every grain call) and in its own log scope; silos open the
/// same scope around each incoming call.
/// </summary>
public static class RequestScope
{
    public const string UserId = "UserId";
    public const string FeedRequestId = "FeedRequestId";
    public const string TraceId = "TraceId";
    private static readonly string[] Keys = [UserId, FeedRequestId, TraceId];

    public static void Flow(string key, string? value)
    {
        if (value is not null) RequestContext.Set(key, value);
    }

    /// <summary>A log scope holding whichever of the ids the current call carries, or null if none.</summary>
    public static IDisposable? Begin(ILogger logger)
    {
        Dictionary<string, object>? values = null;
        foreach (var key in Keys)
        {
            if (RequestContext.Get(key) is { } value) (values ??= new Dictionary<string, object>(StringComparer.Ordinal))[key] = value;
        }
        return values is null ? null : logger.BeginScope(values);
    }
}

/// <summary>Opens the request's log scope around every grain call that carries one.</summary>
internal sealed class RequestScopeFilter(ILogger<RequestScopeFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        using var scope = RequestScope.Begin(logger);
        await context.Invoke();
    }
}
