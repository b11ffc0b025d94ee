using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Recommendation;

/// <summary>
/// One silo's replica of the whole eligible catalogue, assembled from every retrieval partition's
/// change feed. A feed page retrieves from it in-process: one scan and k candidates per source,
/// where asking the partitions costs one grain call each and k candidates per source from every
/// one of them, merged afterwards. The partitions stay the owners (stream consumers, persisted
/// state); this is a read copy that lags them by at most one pull.
/// Thread-safe: pages of many users retrieve concurrently under a read lock; the pull that
/// applies changes takes the write lock for the moment it applies them.
/// </summary>
public sealed class LocalCatalog : IDisposable
{
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private readonly CatalogIndex _index;
    private readonly Dictionary<int, CatalogCursor> _cursors = [];
    private readonly Dictionary<int, HashSet<string>> _members = [];

    public LocalCatalog(TimeSpan halfLife, DateTimeOffset landmark, ClusteredScan? clustering = null)
    {
        _index = new CatalogIndex(halfLife, landmark, clustering);
    }

    /// <summary>Where to resume a partition's change feed from (null: from a full snapshot).</summary>
    public CatalogCursor? CursorOf(int partition)
    {
        return Read(() => _cursors.GetValueOrDefault(partition));
    }

    public int Count
    {
        get => Read(() => _index.Count);
    }

    public void Apply(int partition, CatalogChanges changes)
    {
        _gate.EnterWriteLock();
        try
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
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    public List<Candidate> Retrieve(RetrievalQuery query, DateTimeOffset now, TimeSpan freshWindow) =>
        Read(() => _index.Retrieve(query, now, freshWindow));

    /// <summary>The pooled candidates still eligible, with current entries, and the fresh source (<see cref="CandidatePool"/>), under one read lock.</summary>
    public List<Candidate> Refresh(CandidatePool pool, RetrievalQuery query, DateTimeOffset now, TimeSpan freshWindow, List<ScoredCandidate> into)
    {
        _gate.EnterReadLock();
        try
        {
            _index.Refresh(pool, query, now, into);
            return _index.RetrieveFresh(query, now, freshWindow, pool);
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <summary>Brings the shared trending and fresh rankings up to date off the pages' path (<see cref="CatalogIndex.RefreshRankings"/>).</summary>
    public void RefreshRankings(DateTimeOffset now, TimeSpan freshWindow)
    {
        _gate.EnterReadLock();
        try
        {
            _index.RefreshRankings(now, freshWindow);
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <summary>The entries of those of <paramref name="videoIds"/> the replica holds, added to <paramref name="into"/>; the others are returned.</summary>
    public List<string> Resolve(IEnumerable<string> videoIds, Dictionary<string, CatalogEntry> into)
    {
        var missing = new List<string>();
        _gate.EnterReadLock();
        try
        {
            foreach (var id in videoIds)
            {
                if (_index.TryGetEntry(id, out var entry)) into[id] = entry;
                else missing.Add(id);
            }
        }
        finally
        {
            _gate.ExitReadLock();
        }
        return missing;
    }

    public List<TrendingVideo> Trending(string? country, string? language, int count, DateTimeOffset now) =>
        Read(() => _index.Trending(country, language, count, now));

    public void Dispose() => _gate.Dispose();

    private T Read<T>(Func<T> read)
    {
        _gate.EnterReadLock();
        try
        {
            return read();
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }
}
