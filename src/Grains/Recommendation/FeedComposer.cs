namespace OrleansTok.Recommendation;

/// <summary>
/// The rules every page obeys, applied to an already ranked list: no two consecutive items from
/// the same creator or with the same sound (across pages too), a cap per creator per page, and
/// exploration slots filled from fresh uploads outside the user's known interests.
/// </summary>
public sealed class FeedComposer
{
    public const int MaxPerCreatorPerPage = 2;

    private readonly List<ScoredCandidate> _picked;
    private readonly HashSet<string> _pickedIds;
    private readonly Dictionary<string, int> _perCreator;
    private string? _lastCreator;
    private string? _lastSound;

    /// <param name="previousCreator">The creator of the last item served, on the previous page.</param>
    /// <param name="previousSound">The sound of the last item served.</param>
    /// <param name="pageSize">The page's size, when known: the sets are sized for it once instead of growing item by item.</param>
    public FeedComposer(string? previousCreator, string? previousSound, int pageSize = 0)
    {
        _lastCreator = previousCreator;
        _lastSound = previousSound;
        _picked = new List<ScoredCandidate>(pageSize);
        _pickedIds = new HashSet<string>(pageSize, StringComparer.Ordinal);
        _perCreator = new Dictionary<string, int>(pageSize, StringComparer.Ordinal);
    }

    public IReadOnlyList<ScoredCandidate> Picked => _picked;

    /// <summary>Exploration items for a page of <paramref name="count"/>: <paramref name="perTen"/> per ten, rounded half up.</summary>
    public static int ExplorationSlots(int count, int perTen) => (count * perTen + 5) / 10;

    /// <summary>Fills the page up to <paramref name="count"/> items. Returns how many were added.</summary>
    public int Fill(IReadOnlyList<ScoredCandidate> ranked, IReadOnlyList<ScoredCandidate> explore, int count, int explorationSlots)
    {
        var added = 0;
        for (var position = _picked.Count; position < count; position++)
        {
            var wantExplore = IsExplorePosition(position, count, explorationSlots);
            var next = wantExplore
                ? FirstAllowed(explore) ?? FirstAllowed(ranked)
                : FirstAllowed(ranked) ?? FirstAllowed(explore);
            if (next is null) break; // nothing left that keeps the rules: a shorter page, never a broken rule
            if (wantExplore && explore.Contains(next)) next.Source = "fresh";
            Take(next);
            added++;
        }
        return added;
    }

    private static bool IsExplorePosition(int position, int count, int slots)
    {
        for (var j = 1; j <= slots; j++)
        {
            // Spread evenly, never first: the page opens on the best-ranked item.
            if (Math.Clamp(j * count / (slots + 1), 1, Math.Max(1, count - 1)) == position) return true;
        }
        return false;
    }

    private ScoredCandidate? FirstAllowed(IReadOnlyList<ScoredCandidate> list)
    {
        for (var i = 0; i < list.Count; i++) // indexed: foreach over the interface allocates an enumerator
        {
            if (Allowed(list[i])) return list[i];
        }
        return null;
    }

    public bool Allowed(ScoredCandidate candidate)
    {
        var entry = candidate.Entry;
        return !_pickedIds.Contains(entry.VideoId)
            && entry.CreatorId != _lastCreator
            && entry.SoundId != _lastSound
            && _perCreator.GetValueOrDefault(entry.CreatorId) < MaxPerCreatorPerPage;
    }

    private void Take(ScoredCandidate candidate)
    {
        _picked.Add(candidate);
        _pickedIds.Add(candidate.Entry.VideoId);
        _perCreator[candidate.Entry.CreatorId] = _perCreator.GetValueOrDefault(candidate.Entry.CreatorId) + 1;
        _lastCreator = candidate.Entry.CreatorId;
        _lastSound = candidate.Entry.SoundId;
    }
}
