using OrleansTok.Grains;

namespace OrleansTok.Recommendation;

/// <summary>
/// One silo's replica of the whole eligible catalogue, assembled from every retrieval partition's
/// change feed. A feed page retrieves from it in-process: one scan and k candidates per source,
/// where asking the partitions costs one grain call each and k candidates per source from every
/// one of them, merged afterwards. The partitions stay the owners (stream consumers, persisted
/// state); this is a read copy that lags them by at most one pull.
/// Thread-safe: pages of many users and the pull that applies changes share one lock, as the
/// index rebuilds its shared rankings lazily on read.
/// </summary>
public sealed class LocalCatalog
{
    private readonly Lock _gate = new();
    private readonly CatalogIndex _index;
    private readonly Dictionary<int, CatalogCursor> _cursors = [];
    private readonly Dictionary<int, HashSet<string>> _members = [];

    public LocalCatalog(TimeSpan halfLife, DateTimeOffset landmark)
    {
        _index = new CatalogIndex(halfLife, landmark);
    }

    /// <summary>Where to resume a partition's change feed from (null: from a full snapshot).</summary>
    public CatalogCursor? CursorOf(int partition)
    {
        lock (_gate) return _cursors.GetValueOrDefault(partition);
    }

    /// <summary>Partitions applied at least once.</summary>
    public int PartitionsHeld
    {
        get { lock (_gate) return _cursors.Count; }
    }

    public int Count
    {
        get { lock (_gate) return _index.Count; }
    }

    public void Apply(int partition, CatalogChanges changes)
    {
        lock (_gate)
        {
            if (!_members.TryGetValue(partition, out var members)) _members[partition] = members = new HashSet<string>(StringComparer.Ordinal);
            if (changes.Full)
            {
                // A snapshot replaces the partition: whatever it no longer holds leaves the replica.
                var kept = changes.Changed.Select(r => r.Entry.VideoId).ToHashSet(StringComparer.Ordinal);
                foreach (var gone in members.Where(id => !kept.Contains(id)).ToList())
                {
                    _index.Remove(gone);
                    members.Remove(gone);
                }
            }
            foreach (var row in changes.Changed)
            {
                _index.Set(row, changes.Landmark);
                members.Add(row.Entry.VideoId);
            }
            foreach (var id in changes.Removed)
            {
                if (members.Remove(id)) _index.Remove(id);
            }
            _cursors[partition] = changes.Cursor;
        }
    }

    public List<Candidate> Retrieve(RetrievalQuery query, DateTimeOffset now, TimeSpan freshWindow)
    {
        lock (_gate) return _index.Retrieve(query, now, freshWindow);
    }

    public List<TrendingVideo> Trending(string? country, string? language, int count, DateTimeOffset now)
    {
        lock (_gate) return _index.Trending(country, language, count, now);
    }
}
