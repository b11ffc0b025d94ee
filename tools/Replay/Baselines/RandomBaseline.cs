namespace OrleansTok.Replay.Baselines;

public sealed class RandomBaseline(int seed) : IBaseline
{
    private readonly Random _random = new(seed);

    public string Name => "random";

    public IReadOnlyList<int> Recommend(int user, int k, IReadOnlySet<int> excluded, IReadOnlyList<int> catalogue)
    {
        var picked = new List<int>(k);
        var candidates = catalogue.Where(i => !excluded.Contains(i)).ToArray();
        _random.Shuffle(candidates);
        picked.AddRange(candidates.Take(k));
        return picked;
    }

    public void Observe(int user, int item, bool positive)
    {
    }
}
