using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

public class SetsTests
{
    [Fact]
    public void Recent_ids_detect_duplicates_and_support_removal()
    {
        var ids = RecentIds.Create(4);
        Assert.True(ids.Add("e1"));
        Assert.False(ids.Add("e1"));
        Assert.True(ids.Remove("e1"));
        Assert.False(ids.Contains("e1"));
        foreach (var id in new[] { "a", "b", "c", "d", "e" }) ids.Add(id);
        Assert.False(ids.Contains("a")); // the window is bounded
        Assert.True(ids.Contains("e"));
    }

    [Fact]
    public void Recent_ids_grow_on_demand_and_keep_exactly_the_last_capacity_ids()
    {
        var ids = RecentIds.Create(1000);
        Assert.Empty(ids.Ring); // nothing held before the first id
        Assert.False(ids.Contains("e0"));
        Assert.Equal(0, ids.Count);
        Assert.True(ids.Add("e0"));
        Assert.True(ids.Ring.Length < 16); // a few slots, not a thousand
        Assert.False(ids.Add("e0"));
        for (var i = 1; i < 2500; i++) Assert.True(ids.Add($"e{i}"));
        Assert.Equal(1000, ids.Ring.Length);
        Assert.Equal(1000, ids.Count);
        Assert.All(Enumerable.Range(1500, 1000), i => Assert.True(ids.Contains($"e{i}")));
        Assert.All(Enumerable.Range(0, 1500), i => Assert.False(ids.Contains($"e{i}")));
    }

    [Fact]
    public void Token_weights_forget_the_weakest_past_capacity()
    {
        var tokens = TokenWeights.Create(3);
        tokens.Add("strong", 5f);
        tokens.Add("weak", 0.1f);
        tokens.Add("medium", 1f);
        tokens.Add("new", -2f);
        Assert.Equal(0f, tokens["weak"]);
        Assert.Equal(-2f, tokens["new"]);
        Assert.Equal(["strong", "medium"], tokens.Top(5).Select(kv => kv.Key));
    }

    [Fact]
    public void Recent_entries_hold_the_last_served_videos_while_growing_and_after_wrapping()
    {
        static OrleansTok.Model.CatalogEntry Entry(int i) =>
            new($"v{i}", "c", "s", [], "", "en", 10_000, DateTimeOffset.UnixEpoch, [], 0.2f, 0);
        var recent = new RecentEntries(40);
        for (var i = 0; i < 17; i++) recent.Add(Entry(i)); // past the first growth
        Assert.All(Enumerable.Range(0, 17), i => Assert.True(recent.TryGet($"v{i}", out var e) && e.VideoId == $"v{i}"));

        for (var i = 17; i < 100; i++) recent.Add(Entry(i)); // wrapped at capacity
        Assert.All(Enumerable.Range(60, 40), i => Assert.True(recent.TryGet($"v{i}", out var e) && e.VideoId == $"v{i}"));
        Assert.False(recent.TryGet("v59", out _)); // the oldest gave way
        Assert.False(recent.TryGet("v0", out _));

        recent.Clear();
        Assert.False(recent.TryGet("v99", out _));
    }

    [Fact]
    public void Recent_entries_answer_a_video_served_twice_with_its_newest_entry()
    {
        static OrleansTok.Model.CatalogEntry Entry(string id, long views) =>
            new(id, "c", "s", [], "", "en", 10_000, DateTimeOffset.UnixEpoch, [], 0.2f, views);
        var recent = new RecentEntries(16);
        for (var i = 0; i < 20; i++) recent.Add(Entry(i == 5 ? "v1" : $"x{i}", 2)); // wrapped: v1 now sits after the next slot
        Assert.True(recent.TryGet("v1", out var only));
        Assert.Equal(2, only.Views);

        recent.Add(Entry("v1", 3)); // served again: both are in the ring
        Assert.True(recent.TryGet("v1", out var newest));
        Assert.Equal(3, newest.Views);
    }
}
