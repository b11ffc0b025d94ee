using OrleansTok.Grains;
using OrleansTok.Model;
using OrleansTok.Recommendation;
using Xunit.Abstractions;

namespace OrleansTok.Tests.Core;

/// <summary>
/// The clustered similarity scan of a large catalogue (<see cref="ClusteredRows"/>): its groups stay
/// exact through every change, and reading a tenth of the rows keeps most of the exact top k.
/// </summary>
public class ClusteredScanTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Topics = ["cats", "dogs", "cooking", "fitness", "dance", "comedy", "travel", "gaming",
        "music", "diy", "fashion", "science", "football", "makeup", "cars", "baking"];

    private static CatalogEntry Video(int i, int creators = 500, int sounds = 1000, string? topic = null)
    {
        var tag = topic ?? Topics[i / 7 % Topics.Length];
        var creator = $"c{i % creators}";
        var sound = $"s{i % sounds}";
        return new CatalogEntry($"v{i}", creator, sound, [tag], "", "en", 10_000, Now.AddHours(-1),
            ContentEmbedding.ForVideo([tag], sound, creator, 32), 0.2f, 0);
    }

    private static RetrievalQuery Query(float[] interest, SeenFilter? seen, int k) => new(interest, "en", "US", [], [], [], seen, k);

    private static List<(string Id, float Score)> Similar(CatalogIndex index, RetrievalQuery query) =>
        index.Retrieve(query, Now, TimeSpan.FromDays(2)).Where(c => c.Source == CandidateSources.Similar)
            .Select(c => (c.Entry.VideoId, c.SourceScore)).ToList();

    [Theory]
    [InlineData(1, 32)]
    [InlineData(37, 32)]  // not a whole number of vectors
    [InlineData(283, 16)] // past four vectors at a time, with a remainder
    public void Centroid_scores_are_the_dot_products(int count, int dimension)
    {
        var random = new Random(count);
        var centroids = Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()).ToArray();
        var query = Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var scores = new float[count];

        var layout = new Centroids(centroids, dimension);
        layout.Scores(query, scores);

        for (var c = 0; c < count; c++) Assert.Equal(VectorMath.Dot(query, centroids[c]), scores[c], 4);
        Assert.Equal(Enumerable.Range(0, count).MaxBy(c => VectorMath.Dot(query, centroids[c])), layout.Nearest(query));
    }

    [Fact]
    public void Reading_every_group_answers_what_the_full_scan_does_through_growth_changes_and_removals()
    {
        var random = new Random(7);
        var clustered = new CatalogIndex(TimeSpan.FromHours(6), Now, new ClusteredScan(MinVideos: 60, Share: 1f));
        var full = new CatalogIndex(TimeSpan.FromHours(6), Now);
        void Both(Action<CatalogIndex> change)
        {
            change(clustered);
            change(full);
        }
        void AssertSame()
        {
            var seen = SeenSet.Create(500);
            for (var i = 0; i < 40; i++) seen.Add($"v{random.Next(600)}");
            for (var q = 0; q < 10; q++)
            {
                var interest = random.Next(3) switch
                {
                    0 => ContentEmbedding.ForInterests([Topics[random.Next(Topics.Length)]], 32),
                    1 => Video(random.Next(600)).Embedding,
                    _ => Enumerable.Range(0, 32).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(),
                };
                var query = Query(interest, seen.Filter(), 12);
                var expected = Similar(full, query);
                var actual = Similar(clustered, query);
                // The two scans quantize alike; only the order they meet equal scores in may differ.
                Assert.Equal(expected.Select(c => c.Score), actual.Select(c => c.Score));
            }
        }

        for (var i = 0; i < 500; i++) Both(index => index.Upsert(Video(i), null, Now)); // clusters at 60, 120, 240, 480
        Assert.True(clustered.Clustered);
        AssertSame();

        for (var n = 0; n < 300; n++)
        {
            var i = random.Next(500);
            var moved = Video(i, topic: Topics[random.Next(Topics.Length)]); // a new embedding, likely another group's
            Both(index => index.Upsert(moved, null, Now));
        }
        for (var n = 0; n < 150; n++)
        {
            var id = $"v{random.Next(500)}";
            Both(index => index.Remove(id));
        }
        AssertSame();

        for (var i = 0; i < 480; i++)
        {
            var id = $"v{i}";
            Both(index => index.Remove(id));
        }
        Assert.False(clustered.Clustered); // under half the clustered size: every row again, from a matrix rebuilt out of the groups
        AssertSame();
        for (var i = 480; i < 500; i++)
        {
            var id = $"v{i}";
            Both(index => index.Remove(id));
        }
        for (var i = 0; i < 100; i++) Both(index => index.Upsert(Video(1_000 + i), null, Now));
        Assert.True(clustered.Clustered);
        AssertSame();
    }

    /// <summary>
    /// Centroids trained on 16 topics represent no video of a new hashtag: its fan's interest may
    /// point at groups that do not hold it (read by centroid alone, 14 of these 100 uploads were
    /// missed). New uploads are read by every query, so each is its fan's best similar candidate at once.
    /// </summary>
    [Fact]
    public void New_uploads_on_hashtags_no_centroid_knows_are_similar_candidates_for_their_fans_at_once()
    {
        var index = new CatalogIndex(TimeSpan.FromHours(6), Now, new ClusteredScan(MinVideos: 10_000, Share: 0.1f));
        for (var i = 0; i < 12_000; i++) index.Upsert(Video(i), null, Now);
        Assert.True(index.Clustered);

        var missed = new List<string>();
        for (var t = 0; t < 100; t++)
        {
            var tag = $"new-tag-{t}";
            index.Upsert(Video(50_000 + t, topic: tag) with { VideoId = tag }, null, Now);
            var fan = Query(ContentEmbedding.ForInterests([tag], 32), null, 20);
            if (Similar(index, fan).FirstOrDefault().Id != tag) missed.Add(tag);
        }

        Assert.True(missed.Count == 0, $"{missed.Count} of 100 uploads missed: {string.Join(", ", missed)}");
    }

    [Fact]
    public void Uploads_removed_while_new_leave_nothing_behind()
    {
        var layout = new ClusteredRows([Video(0).Embedding, Video(7).Embedding], 32);
        for (var i = 0; i < 50_000; i++)
        {
            var video = new IndexedVideo { Entry = Video(i), Fingerprint = IdHash.Of($"v{i}") };
            layout.Add(video, upload: true);
            layout.Remove(video);
        }

        Assert.Equal(0, layout.Count);
        Assert.True(layout.Arrivals <= 2 * ClusteredRows.NewestKept + 1, $"{layout.Arrivals} arrivals kept");
    }

    /// <summary>
    /// 20,000 videos over 16 topics, 500 creators and 1,000 sounds (the benchmark's catalogue), and
    /// users whose interest is a topic or the sum of videos they engaged with. The scan reads 10 % of
    /// the rows; the exact top 20 is what a full scan returns.
    /// </summary>
    [Fact]
    public void Reading_a_tenth_of_the_rows_keeps_most_of_the_exact_top_k()
    {
        const int videos = 20_000;
        const int k = 20;
        var clustered = new CatalogIndex(TimeSpan.FromHours(6), Now, new ClusteredScan(MinVideos: 10_000, Share: 0.1f));
        var full = new CatalogIndex(TimeSpan.FromHours(6), Now);
        for (var i = 0; i < videos; i++)
        {
            var video = Video(i);
            clustered.Upsert(video, null, Now);
            full.Upsert(video, null, Now);
        }
        Assert.True(clustered.Clustered);

        var random = new Random(11);
        var recalls = new List<double>();
        var scoreShares = new List<double>();
        for (var q = 0; q < 200; q++)
        {
            var interest = new float[32];
            if (q % 2 == 0) interest = ContentEmbedding.ForInterests([Topics[random.Next(Topics.Length)], Topics[random.Next(Topics.Length)]], 32);
            else for (var e = 0; e < 8; e++) VectorMath.AddScaled(interest, Video(random.Next(videos)).Embedding, 0.3f);
            var query = Query(interest, null, k);
            var exact = Similar(full, query);
            var found = Similar(clustered, query);
            recalls.Add(found.Select(c => c.Id).Intersect(exact.Select(c => c.Id)).Count() / (double)exact.Count);
            scoreShares.Add(found.Sum(c => c.Score) / exact.Sum(c => c.Score));
        }
        recalls.Sort();
        var mean = recalls.Average();
        output.WriteLine($"recall@{k}: mean {mean:F3}, median {recalls[recalls.Count / 2]:F3}, p10 {recalls[recalls.Count / 10]:F3}; " +
                         $"summed score of the found against the exact: mean {scoreShares.Average():F4}, min {scoreShares.Min():F4}");
        Assert.True(mean >= 0.9, $"mean recall@{k} {mean:F3}");
        Assert.True(scoreShares.Min() >= 0.97, $"worst summed score share {scoreShares.Min():F4}");
    }
}
