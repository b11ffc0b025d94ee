namespace OrleansTok.Recommendation;

/// <summary>
/// Spherical k-means: k unit centroids that each sample's direction lies close to (cosine), for the
/// groups of <see cref="ClusteredRows"/>. Deterministic for a seed.
/// </summary>
public static class KMeans
{
    public static float[][] Spherical(IReadOnlyList<float[]> samples, int k, int dimension, int iterations, int seed)
    {
        var points = new List<float[]>(samples.Count);
        foreach (var sample in samples)
        {
            if (sample.Length != dimension || VectorMath.Norm(sample) <= 1e-6f) continue;
            var unit = (float[])sample.Clone();
            VectorMath.Normalize(unit);
            points.Add(unit);
        }
        if (points.Count == 0) return [new float[dimension]];
        k = Math.Clamp(k, 1, points.Count);

        var random = new Random(seed);
        var order = Enumerable.Range(0, points.Count).ToArray();
        random.Shuffle(order);
        var centroids = new float[k][];
        for (var c = 0; c < k; c++) centroids[c] = (float[])points[order[c]].Clone();

        var assigned = new int[points.Count];
        var fit = new float[points.Count];
        var sizes = new int[k];
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var current = new Centroids(centroids, dimension);
            Array.Clear(sizes);
            for (var p = 0; p < points.Count; p++)
            {
                var best = current.Nearest(points[p]);
                assigned[p] = best;
                fit[p] = VectorMath.Dot(points[p], centroids[best]);
                sizes[best]++;
            }
            foreach (var centroid in centroids) Array.Clear(centroid);
            for (var p = 0; p < points.Count; p++) VectorMath.AddScaled(centroids[assigned[p]], points[p], 1f);
            // An empty group restarts at the sample its centroid fits worst, which no other group then takes.
            var worstFirst = Enumerable.Range(0, points.Count).OrderBy(p => fit[p]).GetEnumerator();
            for (var c = 0; c < k; c++)
            {
                if (sizes[c] == 0 && worstFirst.MoveNext()) points[worstFirst.Current].CopyTo(centroids[c], 0);
                VectorMath.Normalize(centroids[c]);
            }
        }
        return centroids;
    }
}
