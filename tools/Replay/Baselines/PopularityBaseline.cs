namespace OrleansTok.Replay.Baselines;

/// <summary>The most positively engaged items so far.</summary>
public sealed class PopularityBaseline : IBaseline
{
    private readonly Dictionary<int, int> _positives = [];

    public string Name => "popularity";

    public IReadOnlyList<int> Recommend(int user, int k, IReadOnlySet<int> excluded, IReadOnlyList<int> catalogue) =>
        TopItems.Of(catalogue.Where(i => !excluded.Contains(i)).Select(i => (i, (double)_positives.GetValueOrDefault(i))), k);

    public void Observe(int user, int item, bool positive)
    {
        if (positive) _positives[item] = _positives.GetValueOrDefault(item) + 1;
    }
}
