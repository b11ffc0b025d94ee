namespace OrleansTok.Recommendation;

/// <summary>
/// An inverted-file (IVF) layout of a catalogue's embeddings for the similarity scan of a large
/// catalogue: videos are grouped by their nearest of ~√n centroids, each group kept as its own 8-bit
/// matrix (<see cref="QuantizedRows"/>), and a query scans only the groups whose centroids lie
/// nearest to it until it has read its budget of rows. At 100,000 videos the full scan was half of a
/// feed page's CPU; a tenth of the rows costs a tenth of that and, on clustered embeddings, keeps
/// most of the exact top k (the recall the tests and docs/benchmarks.md quote).
/// Centroids come from spherical k-means over a sample (<see cref="KMeans"/>); videos added or
/// changed later go to their nearest centroid at once, and the owner retrains as the catalogue grows.
/// Not thread-safe for writers, like its owner <see cref="CatalogIndex"/>.
/// </summary>
public sealed class ClusteredRows
{
    private readonly Centroids _centroids;
    private readonly Group[] _groups;

    public ClusteredRows(float[][] centroids, int dimension)
    {
        if (centroids.Length == 0) throw new ArgumentException("At least one centroid.", nameof(centroids));
        _centroids = new Centroids(centroids, dimension);
        _groups = new Group[centroids.Length];
        for (var c = 0; c < centroids.Length; c++) _groups[c] = new Group(dimension);
    }

    public int Groups => _groups.Length;

    /// <summary>Videos held (each in exactly one group).</summary>
    public int Count { get; private set; }

    public void Add(IndexedVideo video)
    {
        var group = _centroids.Nearest(video.Entry.Embedding);
        _groups[group].Add(video);
        video.Group = group;
        Count++;
    }

    /// <summary>Follows a changed embedding: stored again, in the group now nearest to it.</summary>
    public void Update(IndexedVideo video)
    {
        var group = _centroids.Nearest(video.Entry.Embedding);
        if (group == video.Group)
        {
            _groups[group].Rows.Set(video.GroupRow, video.Entry.Embedding);
            return;
        }
        _groups[video.Group].Remove(video);
        _groups[group].Add(video);
        video.Group = group;
    }

    public void Remove(IndexedVideo video)
    {
        _groups[video.Group].Remove(video);
        Count--;
    }

    /// <summary>
    /// The groups to scan for <paramref name="query"/>, nearest centroid first, until they hold at
    /// least <paramref name="rowBudget"/> rows; written to <paramref name="order"/> (one per group),
    /// and how many of them to scan is returned.
    /// </summary>
    public int Probe(ReadOnlySpan<float> query, int rowBudget, Span<int> order)
    {
        var scores = System.Buffers.ArrayPool<float>.Shared.Rent(_groups.Length);
        try
        {
            var byScore = scores.AsSpan(0, _groups.Length);
            if (query.Length == _centroids.Dimension) _centroids.Scores(query, byScore);
            else byScore.Clear();
            for (var c = 0; c < _groups.Length; c++)
            {
                order[c] = c;
                byScore[c] = -byScore[c];
            }
            byScore.Sort(order[.._groups.Length]);
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
