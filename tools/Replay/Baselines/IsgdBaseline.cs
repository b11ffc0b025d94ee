namespace OrleansTok.Replay.Baselines;

/// <summary>Incremental SGD matrix factorisation on positive-only feedback (Vinagre et al., 2014).</summary>
public sealed class IsgdBaseline(int factors = 10, double learningRate = 0.05, double regularization = 0.01, int seed = 7) : IBaseline
{
    private readonly Random _random = new(seed);
    private readonly Dictionary<int, double[]> _users = [];
    private readonly Dictionary<int, double[]> _items = [];

    public string Name => $"isgd(k={factors})";

    public IReadOnlyList<int> Recommend(int user, int k, IReadOnlySet<int> excluded, IReadOnlyList<int> catalogue)
    {
        var p = Vector(_users, user);
        return TopItems.Of(catalogue.Where(i => !excluded.Contains(i)).Select(i => (i, Dot(p, Vector(_items, i)))), k);
    }

    public void Observe(int user, int item, bool positive)
    {
        if (!positive) return;
        var p = Vector(_users, user);
        var q = Vector(_items, item);
        var error = 1 - Dot(p, q);
        for (var f = 0; f < factors; f++)
        {
            var pf = p[f];
            p[f] += learningRate * (error * q[f] - regularization * pf);
            q[f] += learningRate * (error * pf - regularization * q[f]);
        }
    }

    private double[] Vector(Dictionary<int, double[]> table, int id)
    {
        if (table.TryGetValue(id, out var v)) return v;
        v = new double[factors];
        for (var f = 0; f < factors; f++) v[f] = NextGaussian() * 0.1;
        table[id] = v;
        return v;
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private double NextGaussian() =>
        Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
}
