namespace OrleansTok.Replay.Baselines;

/// <summary>A baseline recommender driven by the same prequential loop as the product.</summary>
public interface IBaseline
{
    string Name { get; }

    /// <summary>Top-K among catalogue items the user has not interacted with.</summary>
    IReadOnlyList<int> Recommend(int user, int k, IReadOnlySet<int> excluded, IReadOnlyList<int> catalogue);

    /// <summary>Learns from one event after it was tested.</summary>
    void Observe(int user, int item, bool positive);
}

/// <summary>Keeps the best k (item, score) pairs.</summary>
internal static class TopItems
{
    public static IReadOnlyList<int> Of(IEnumerable<(int Item, double Score)> scored, int k)
    {
        var heap = new PriorityQueue<int, double>();
        foreach (var (item, score) in scored)
        {
            if (heap.Count < k) heap.Enqueue(item, score);
            else if (heap.TryPeek(out _, out var min) && score > min) heap.EnqueueDequeue(item, score);
        }
        var result = new int[heap.Count];
        for (var i = result.Length - 1; i >= 0; i--) result[i] = heap.Dequeue();
        return result;
    }
}
