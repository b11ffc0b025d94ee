using OrleansTok.Replay;
using OrleansTok.Replay.Baselines;

namespace OrleansTok.Tests.Quality;

public class ReplayTests
{
    /// <summary>Where MovieLens 100K lives: ORLEANSTOK_MOVIELENS, or the shared data folder next to the checkout.</summary>
    public static string DataDirectory()
    {
        var candidates = new[]
        {
            Environment.GetEnvironmentVariable("ORLEANSTOK_MOVIELENS"),
            "/work/shared/data/movielens-100k",
        };
        return candidates.FirstOrDefault(d => d is not null && File.Exists(Path.Combine(d, "u.data")))
            ?? throw new InvalidOperationException("MovieLens 100K not found: set ORLEANSTOK_MOVIELENS to the folder holding u.data and u.item.");
    }

    [Fact]
    public async Task On_the_first_20000_events_orleanstok_beats_popularity()
    {
        var dir = DataDirectory();
        var data = Dataset.Load(Path.Combine(dir, "u.data"), Path.Combine(dir, "u.item"), limit: 20_000);
        Assert.Empty(data.Errors);
        Assert.Equal(20_000, data.Events.Count);

        var popularity = Prequential.RunBaseline(data, new PopularityBaseline());
        var product = await Prequential.RunProductAsync(data, explore: false, new Dictionary<string, string?>());

        Assert.Equal(popularity.Tests, product.Tests);
        Assert.True(product.HitRate > popularity.HitRate, $"orleanstok HR@10 {product.HitRate:F4} vs popularity {popularity.HitRate:F4}");
    }

    [Fact]
    public void Both_movielens_formats_load_and_malformed_lines_are_reported_with_their_number()
    {
        var dir = Directory.CreateTempSubdirectory("ml").FullName;
        File.WriteAllLines(Path.Combine(dir, "ratings.csv"), ["userId,movieId,rating,timestamp", "1,10,4.5,200", "1,11,oops,100", "2,10,2,100", "2,11,3,100"]);
        File.WriteAllLines(Path.Combine(dir, "movies.csv"), ["movieId,title,genres", "10,\"Heat, The (1995)\",Action|Crime|Sci-Fi", "11,Toy Story,(no genres listed)"]);
        var csv = Dataset.Load(Path.Combine(dir, "ratings.csv"), Path.Combine(dir, "movies.csv"), null);
        Assert.Equal(["ratings.csv:3"], csv.Errors.Select(e => Path.GetFileName(e.Split(": ")[0])));
        Assert.Equal([(2, 10), (2, 11), (1, 10)], csv.Events.Select(e => (e.User, e.Item))); // timestamp order, ties in file order
        Assert.Equal(["action", "crime", "sci_fi"], csv.Genres[10]);
        Assert.Equal("Heat, The (1995)", csv.Titles[10]);
        Assert.Empty(csv.Genres[11]);

        File.WriteAllLines(Path.Combine(dir, "u.data"), ["1\t5\t5\t300", "bad line"]);
        File.WriteAllLines(Path.Combine(dir, "u.item"), ["5|Film|01-Jan-1995||url|0|0|0|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0"]);
        var tsv = Dataset.Load(Path.Combine(dir, "u.data"), Path.Combine(dir, "u.item"), null);
        Assert.Single(tsv.Errors);
        Assert.Contains("u.data:2", tsv.Errors[0], StringComparison.Ordinal);
        Assert.Equal(["childrens", "comedy"], tsv.Genres[5]);
    }

    [Fact]
    public void Item_knn_scores_by_co_occurrence_with_recent_positives()
    {
        var knn = new ItemKnnBaseline();
        knn.Observe(1, 10, true);
        knn.Observe(1, 20, true);
        knn.Observe(2, 10, true);
        knn.Observe(2, 30, true);
        knn.Observe(3, 40, true);
        var recommended = knn.Recommend(2, 10, new HashSet<int> { 10, 30 }, [10, 20, 30, 40]);
        Assert.Equal([20], recommended); // 40 never co-occurred with 10 or 30
    }

    [Fact]
    public void Metrics_compute_hit_rate_and_ndcg()
    {
        var m = new Metrics("m");
        m.Record(0);
        m.Record(1);
        m.Record(-1);
        m.Record(12);
        Assert.Equal(0.5, m.HitRate);
        Assert.Equal((1 + 1 / Math.Log2(3)) / 4, m.Ndcg, 6);
    }
}
