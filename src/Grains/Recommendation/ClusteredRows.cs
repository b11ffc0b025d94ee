namespace OrleansTok.Recommendation;

/// <summary>
/// An inverted-file (IVF) layout of a catalogue's embeddings for the similarity scan of a large
/// catalogue: videos are grouped by their nearest of ~√n centroids, each group kept as its own 8-bit
/// matrix (<see cref="QuantizedRows"/>), and a query scans only the groups whose centroids lie
/// nearest to it until it has read its budget of rows. At 100,000 videos the full scan was half of a
/// feed page's CPU; a tenth of the rows costs a tenth of that and, on clustered embeddings, keeps
/// most of the exact top k (the recall the tests and docs/benchmarks.md quote).
/// Centroids come from spherical k-means over a sample (<see cref="KMeans"/>); videos changed later
/// go to their nearest centroid at once, and the owner retrains as the catalogue grows.
/// New uploads are the exception: the newest <see cref="NewestKept"/> sit in a group of their own
/// that every query reads. Centroids trained before an upload may represent it badly (a new
/// hashtag lies far from all of them), so a user whose interest is that hashtag would probe groups
/// that do not hold it; at 100,000 videos 4 of 50 such uploads had not reached their audience's
/// feed after 5 s. Read exactly, an upload is a similar candidate for everyone at once, and it moves
/// to its nearest group once newer uploads push it out.
/// Not thread-safe for writers, like its owner <see cref="CatalogIndex"/>.
/// </summary>
public sealed class ClusteredRows
{
    /// <summary>New uploads read by every query before they join a centroid's group.</summary>
    public const int NewestKept = 2048;

    private readonly Centroids _centroids;
    private readonly Group[] _groups;

    /// <summary>The group of new uploads: the last one, after a group per centroid.</summary>
    private readonly int _newest;

    /// <summary>New uploads in arrival order (entries of videos since removed or moved are skipped).</summary>
    private readonly Queue<IndexedVideo> _arrivals = new();

    public ClusteredRows(float[][] centroids, int dimension)
    {
        if (centroids.Length == 0) throw new ArgumentException("At least one centroid.", nameof(centroids));
        _centroids = new Centroids(centroids, dimension);
        _newest = centroids.Length;
        _groups = new Group[centroids.Length + 1];
        for (var c = 0; c < _groups.Length; c++) _groups[c] = new Group(dimension);
    }

    /// <summary>Groups, the new uploads' included: the length <see cref="Probe"/>'s order needs.</summary>
    public int Groups => _groups.Length;

    /// <summary>Videos held (each in exactly one group).</summary>
    public int Count { get; private set; }

    /// <summary>Entries of the arrival queue, stale ones included (bounded: tests watch it).</summary>
    internal int Arrivals => _arrivals.Count;

    /// <param name="upload">A video new to the catalogue (kept with the newest uploads), not one the layout is built from.</param>
    public void Add(IndexedVideo video, bool upload)
    {
        Place(video, upload ? _newest : _centroids.Nearest(video.Entry.Embedding));
        Count++;
        if (!upload) return;
        _arrivals.Enqueue(video);
        while (_groups[_newest].Count > NewestKept && _arrivals.TryDequeue(out var oldest))
        {
            if (oldest.Group != _newest) continue;
            _groups[_newest].Remove(oldest);
            Place(oldest, _centroids.Nearest(oldest.Entry.Embedding));
        }
        if (_arrivals.Count > 2 * NewestKept)
        {
            // Uploads removed while new leave entries behind; they must not keep removed videos alive.
            var current = _arrivals.Where(v => v.Group == _newest).Distinct().ToList();
            _arrivals.Clear();
            foreach (var waiting in current) _arrivals.Enqueue(waiting);
        }
    }

    /// <summary>Follows a changed embedding: stored again, in the group now nearest to it (a new upload stays with the newest).</summary>
    public void Update(IndexedVideo video)
    {
        var group = video.Group == _newest ? _newest : _centroids.Nearest(video.Entry.Embedding);
        if (group == video.Group)
        {
            _groups[group].Rows.Set(video.GroupRow, video.Entry.Embedding);
            return;
        }
        _groups[video.Group].Remove(video);
        Place(video, group);
    }

    public void Remove(IndexedVideo video)
    {
        _groups[video.Group].Remove(video);
        video.Group = -1;
        Count--;
    }

    private void Place(IndexedVideo video, int group)
    {
        _groups[group].Add(video);
        video.Group = group;
    }

    /// <summary>
    /// The groups to scan for <paramref name="query"/>: the new uploads, then the groups of the
    /// nearest centroids, until they hold at least <paramref name="rowBudget"/> rows. Written to
    /// <paramref name="order"/> (<see cref="Groups"/> long); how many of them to scan is returned.
    /// </summary>
    public int Probe(ReadOnlySpan<float> query, int rowBudget, Span<int> order)
    {
        var centroids = _newest;
        var scores = System.Buffers.ArrayPool<float>.Shared.Rent(centroids);
        try
        {
            var byScore = scores.AsSpan(0, centroids);
            if (query.Length == _centroids.Dimension) _centroids.Scores(query, byScore);
            else byScore.Clear();
            order[0] = _newest;
            var byCentroid = order.Slice(1, centroids);
            for (var c = 0; c < centroids; c++)
            {
                byCentroid[c] = c;
                byScore[c] = -byScore[c];
            }
            byScore.Sort(byCentroid);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(scores);
        }
        var rows = 0;
        var probed = 0;
        while (probed < _groups.Length && rows < rowBudget) rows += _groups[order[probed++]].Count;
        return probed;
    }

    /// <summary>scores[i] ≈ query · the i-th video of <paramref name="group"/>, for each of its <see cref="Members"/>.</summary>
    public void Scores(int group, ReadOnlySpan<float> query, Span<float> scores) =>
        _groups[group].Rows.Scores(query, scores[.._groups[group].Count]);

    /// <summary>The group's videos, in row order.</summary>
    public ReadOnlySpan<IndexedVideo> Members(int group) => _groups[group].Members;

    /// <summary>The group's fingerprints, in row order (the seen test reads them, not the videos).</summary>
    public ReadOnlySpan<ulong> Fingerprints(int group) => _groups[group].Fingerprints;

    /// <summary>One group: a dense 8-bit matrix and, row by row, its videos and their fingerprints.</summary>
    private sealed class Group(int dimension)
    {
        private IndexedVideo[] _members = [];
        private ulong[] _fingerprints = [];

        public QuantizedRows Rows { get; } = new(dimension);

        public int Count { get; private set; }

        public ReadOnlySpan<IndexedVideo> Members => _members.AsSpan(0, Count);

        public ReadOnlySpan<ulong> Fingerprints => _fingerprints.AsSpan(0, Count);

        public void Add(IndexedVideo video)
        {
            if (Count == _members.Length)
            {
                var grown = Math.Max(16, 2 * Count);
                Array.Resize(ref _members, grown);
                Array.Resize(ref _fingerprints, grown);
            }
            Rows.EnsureCapacity(Count + 1);
            Rows.Set(Count, video.Entry.Embedding);
            _members[Count] = video;
            _fingerprints[Count] = video.Fingerprint;
            video.GroupRow = Count++;
        }

        /// <summary>Moves the last row into the hole, so the matrix stays dense.</summary>
        public void Remove(IndexedVideo video)
        {
            var hole = video.GroupRow;
            var last = --Count;
            if (hole != last)
            {
                var moved = _members[last];
                Rows.Move(last, hole);
                _members[hole] = moved;
                _fingerprints[hole] = moved.Fingerprint;
                moved.GroupRow = hole;
            }
            _members[last] = null!; // the group must not keep a removed video alive
        }
    }
}
