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
        KeyValuePair<string, object>[]? values = null;
        var count = 0;
        foreach (var key in Keys)
        {
            if (RequestContext.Get(key) is not { } value) continue;
            (values ??= new KeyValuePair<string, object>[Keys.Length])[count++] = new(key, value);
        }
        return values is null ? null : logger.BeginScope(new ScopeValues(values, count));
    }

    /// <summary>The scope's key/value pairs (what log formatters enumerate), without a dictionary per call.</summary>
    private sealed class ScopeValues(KeyValuePair<string, object>[] values, int count) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public int Count => count;

        public KeyValuePair<string, object> this[int index] => index < count ? values[index] : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
        {
            for (var i = 0; i < count; i++) yield return values[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => string.Join(", ", this.Select(kv => $"{kv.Key}:{kv.Value}"));
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
