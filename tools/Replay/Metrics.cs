namespace OrleansTok.Replay;

/// <summary>HR@10 and NDCG@10 over the positive events of one method, with the running series for the plot.</summary>
public sealed class Metrics(string name)
{
    public const int K = 10;

    private readonly List<float> _hits = [];
    private double _ndcg;

    public string Name { get; } = name;
    public int Tests => _hits.Count;
    public double HitRate => _hits.Count == 0 ? 0 : _hits.Sum() / _hits.Count;
    public double Ndcg => _hits.Count == 0 ? 0 : _ndcg / _hits.Count;
    public double EventsPerSecond { get; set; }
    public IReadOnlyList<float> Hits => _hits;

    /// <summary>Records one test: where (0-based) the held-out item ranked in the top-K, or -1 for a miss.</summary>
    public void Record(int rank)
    {
        var hit = rank is >= 0 and < K;
        _hits.Add(hit ? 1f : 0f);
        if (hit) _ndcg += 1.0 / Math.Log2(rank + 2);
    }

    public static int RankOf<T>(IReadOnlyList<T> recommended, T target)
    {
        for (var i = 0; i < recommended.Count && i < K; i++)
        {
            if (EqualityComparer<T>.Default.Equals(recommended[i], target)) return i;
        }
        return -1;
    }
}
