using System.Collections.Concurrent;

namespace OrleansTok.Recommendation;

/// <summary>
/// One string per distinct value of the few-valued fields every video repeats (creator, sound,
/// language, hashtags) for a silo's activations: each video otherwise held its own copies, as its
/// request or its stored state brought them. Bounded: past <paramref name="capacity"/> values the pool
/// starts over, and holders keep the copies they have.
/// </summary>
public sealed class IdPool(int capacity = 1_000_000)
{
    private ConcurrentDictionary<string, string> _ids = new(StringComparer.Ordinal);
    private int _count;

    public string Intern(string id)
    {
        var ids = _ids;
        if (ids.TryGetValue(id, out var canonical)) return canonical;
        if (Volatile.Read(ref _count) >= capacity)
        {
            Interlocked.CompareExchange(ref _ids, new ConcurrentDictionary<string, string>(StringComparer.Ordinal), ids);
            Interlocked.Exchange(ref _count, 0);
            ids = _ids;
        }
        if (ids.TryAdd(id, id))
        {
            Interlocked.Increment(ref _count);
            return id;
        }
        return ids.TryGetValue(id, out canonical) ? canonical : id;
    }
}
