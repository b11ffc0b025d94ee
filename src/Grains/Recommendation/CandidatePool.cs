using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Recommendation;

/// <summary>
/// The merged candidates of a user's last retrieval, which the following pages rank again instead
/// of retrieving anew while what the retrieval read still holds: the same controls (follows, hidden
/// creators and sounds, recent positives), the same related scores, an interest that has barely
/// moved, and a pool younger than its maximum age that the served pages have not drained.
/// </summary>
/// <remarks>
/// The pool keeps only which videos the personal sources chose. Everything other users can change
/// is read live on every page (<see cref="CatalogIndex.Refresh"/>): each video's current entry and
/// trend, its eligibility (a removed video leaves the next page), and the fresh source, so a new
/// upload reaches the page as soon as the replica holds it. The page is ranked afresh with the
/// user's current embedding, session and token weights, so an interaction that did not invalidate
/// the pool is still reflected by the next page.
/// A pool is a few kilobytes: one array of compact records, not hundreds of candidates, so it costs
/// the GC one object, and the user grain drops it once it is too old to serve.
/// </remarks>
public sealed class CandidatePool(TimeSpan maxAge, float minCosine)
{
    /// <summary>What a candidate keeps between pages: its video's record and what its sources said of it.</summary>
    internal struct Member
    {
        public CatalogEntry Entry;
        public IndexedVideo? Video;
        public string Source;
        public float SourceScore;
        public float Related;
        public bool Fresh;
    }

    private Member[] _members = [];
    private int _count;
    private ulong[] _fingerprints = []; // sorted: which videos the pool holds, for new fresh candidates
    private List<ulong>? _added;
    private float[] _interest = [];
    private long _controls;
    private object? _related;
    private DateTimeOffset _filledAt;
    private int _filled;

    /// <summary>Off when the maximum age is zero: every page retrieves.</summary>
    public bool Enabled => maxAge > TimeSpan.Zero;

    public TimeSpan MaxAge => maxAge;

    public int Count => _count;

    internal Span<Member> Members => _members.AsSpan(0, _count);

    /// <summary>Keeps <paramref name="merged"/> as retrieved for these inputs.</summary>
    public void Fill(IReadOnlyList<ScoredCandidate> merged, ReadOnlySpan<float> interest, long controls, object related, DateTimeOffset now)
    {
        if (!Enabled || merged.Count == 0)
        {
            Clear();
            return;
        }
        // A reader who refills every few pages keeps their arrays: a new one each time outlived
        // gen 0 by seconds and died only in a later, costlier collection. The headroom takes the
        // uploads later pages add and a next merge a little larger than this one (sized to the
        // merge alone, a pool reallocated whenever its merge grew by one: a third of all refills).
        if (_members.Length < merged.Count) _members = new Member[WithHeadroom(merged.Count)];
        else Array.Clear(_members, merged.Count, _count - Math.Min(_count, merged.Count));
        if (_fingerprints.Length < merged.Count) _fingerprints = new ulong[WithHeadroom(merged.Count)];
        _count = 0;
        _added?.Clear();
        foreach (var c in merged)
        {
            // The video's index record is found by the first pooled page (CatalogIndex.Refresh): retrieval hands over entries only.
            _fingerprints[_count] = IdHash.Of(c.Entry.VideoId);
            _members[_count++] = new Member
            {
                Entry = c.Entry, Source = c.Source, SourceScore = c.SourceScore, Related = c.Related, Fresh = c.Fresh,
            };
        }
        Array.Sort(_fingerprints, 0, _count);
        if (_interest.Length == interest.Length) interest.CopyTo(_interest);
        else _interest = interest.ToArray();
        _controls = controls;
        _related = related;
        _filledAt = now;
        _filled = merged.Count;
    }

    private static int WithHeadroom(int count) => count + count / 4 + 16;

    /// <summary>Forgets the candidates (an expired pool holds only memory).</summary>
    public void Clear()
    {
        _members = [];
        _fingerprints = [];
        _added = null;
        _count = 0;
        _related = null;
        _filled = 0;
    }

    /// <summary>Whether a page for these inputs may be served from the pool.</summary>
    public bool Matches(ReadOnlySpan<float> interest, long controls, object related, DateTimeOffset now) =>
        _filled > 0 && controls == _controls && ReferenceEquals(related, _related)
        && now >= _filledAt && now - _filledAt <= maxAge
        && Cosine(interest, _interest) >= minCosine;

    /// <summary>
    /// Whether <paramref name="eligible"/> candidates left of the pool still make a page of
    /// <paramref name="count"/>: at least three quarters of what was retrieved (each source's
    /// remaining best are then still close to what a new retrieval would return) and four per item,
    /// so the page rules (creators, sounds, exploration) have room.
    /// </summary>
    public bool Enough(int eligible, int count) => eligible * 4 >= _filled * 3 && eligible >= 4 * count;

    /// <summary>
    /// Adds to the pool and to <paramref name="page"/> the live fresh candidates the pool does not
    /// hold yet (uploads since it was filled), labelled as the merge would label them.
    /// </summary>
    public void AddFresh(List<ScoredCandidate> page, IReadOnlyList<Candidate> fresh, Func<string, bool> isExcluded, IReadOnlySet<string> following)
    {
        foreach (var c in fresh)
        {
            var fingerprint = IdHash.Of(c.Entry.VideoId);
            if (Holds(fingerprint) || isExcluded(c.Entry.VideoId)) continue;
            (_added ??= []).Add(fingerprint);
            var member = new Member
            {
                Entry = c.Entry,
                Source = following.Contains(c.Entry.CreatorId) ? CandidateSources.Following : CandidateSources.Fresh,
                SourceScore = c.SourceScore,
                Related = c.Related,
                Fresh = true,
            };
            if (_count == _members.Length) Array.Resize(ref _members, Math.Max(16, 2 * _count));
            _members[_count++] = member;
            page.Add(member.ToCandidate(c.Entry, c.Trend));
        }
    }

    /// <summary>Whether the pool holds the video with this fingerprint (<see cref="IdHash"/> of its id).</summary>
    internal bool Holds(ulong fingerprint) => Array.BinarySearch(_fingerprints, 0, _filled, fingerprint) >= 0 || _added?.Contains(fingerprint) == true;

    /// <summary>Cosine of two interests; two (near) zero vectors are the same interest.</summary>
    internal static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) return -1f;
        var na = VectorMath.Norm(a);
        var nb = VectorMath.Norm(b);
        if (na < 1e-6f || nb < 1e-6f) return na < 1e-6f && nb < 1e-6f ? 1f : -1f;
        return VectorMath.Dot(a, b) / (na * nb);
    }
}

internal static class CandidatePoolMembers
{
    /// <summary>A page's own candidate for a pooled member, with the video's current entry and trend.</summary>
    public static ScoredCandidate ToCandidate(this in CandidatePool.Member member, CatalogEntry entry, float trend) =>
        ScoredCandidates.Rent(entry, member.Source, member.SourceScore, trend, member.Related, member.Fresh);
}
