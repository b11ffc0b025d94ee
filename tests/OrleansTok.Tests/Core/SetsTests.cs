using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

public class SetsTests
{
    [Fact]
    public void Seen_set_never_forgets_a_video_within_capacity_and_false_positives_are_rare()
    {
        var seen = SeenSet.Create(5000);
        for (var i = 0; i < 5000; i++) seen.Add($"v{i}");
        for (var i = 0; i < 5000; i++) Assert.True(seen.Contains($"v{i}"));

        var falsePositives = Enumerable.Range(0, 10_000).Count(i => seen.Contains($"other{i}"));
        Assert.True(falsePositives < 300, $"{falsePositives} false positives in 10,000");
        Assert.InRange(seen.Count, 4900, 5000); // an insert that hits a false positive is already "seen"
    }

    [Fact]
    public void Seen_set_starts_small_and_grows_without_forgetting()
    {
        var seen = SeenSet.Create(5000);
        Assert.True(seen.Bits.Length * 8 + seen.Ring.Length * 8 <= 512, "a new user's seen set is a few hundred bytes");
        var sizes = new SortedSet<int> { seen.Bits.Length };
        for (var i = 0; i < 3000; i++)
        {
            seen.Add($"v{i}");
            sizes.Add(seen.Bits.Length);
            if (i % 37 == 0) Assert.All(Enumerable.Range(0, i + 1), j => Assert.True(seen.Contains($"v{j}"), $"v{j} forgotten after {i + 1}"));
        }
        Assert.Equal([16, 64, 1024], sizes); // 64 entries, 256, then the full 5,000 (8 KiB) once the ring could not rebuild more
        Assert.Equal(512, seen.Ring.Length);
        Assert.Equal(0, seen.Age("v2999"));
        Assert.Equal(511, seen.Age("v2488"));
        Assert.Equal(int.MaxValue, seen.Age("v0"));
        var falsePositives = Enumerable.Range(0, 10_000).Count(i => seen.Contains($"other{i}"));
        Assert.True(falsePositives < 200, $"{falsePositives} false positives in 10,000");
    }

    [Fact]
    public void Growing_keeps_videos_a_small_filter_already_reported_by_mistake()
    {
        // Near the end of each small stage ~1 % of new ids look seen already (false positives); they
        // must still reach the ring the bigger filter is rebuilt from, or they would be shown again.
        for (var user = 0; user < 40; user++)
        {
            var seen = SeenSet.Create(5000);
            var ids = Enumerable.Range(0, 600).Select(i => $"u{user}-video-{i * 7919 % 100_003}").ToList();
            foreach (var id in ids) seen.Add(id);
            Assert.All(ids, id => Assert.True(seen.Contains(id), $"{id} forgotten by user {user}"));
        }
    }

    [Fact]
    public void Seen_set_memory_is_bounded_and_recent_videos_survive_a_rebuild()
    {
        var seen = SeenSet.Create(1000, recentCapacity: 256);
        for (var i = 0; i < 5_000; i++) seen.Add($"v{i}");
        var bits = seen.Bits.Length;
        Assert.Equal(16_384 / 64, bits); // 1,000 × 9.59 bits, rounded up to a power of two
        for (var i = 5_000; i < 20_000; i++) seen.Add($"v{i}");
        Assert.Equal(bits, seen.Bits.Length);
        Assert.Equal(256, seen.Ring.Length);
        for (var i = 20_000 - 256; i < 20_000; i++) Assert.True(seen.Contains($"v{i}"));
        Assert.Equal(0, seen.Age("v19999"));
        Assert.Equal(int.MaxValue, seen.Age("v0"));
    }

    [Fact]
    public void Seen_filter_agrees_with_the_set()
    {
        var seen = SeenSet.Create(100);
        seen.Add("a");
        var filter = seen.Filter();
        Assert.True(SeenSet.Contains(filter, IdHash.Of("a")));
        Assert.False(SeenSet.Contains(filter, IdHash.Of("b")));
        seen.Add("b");
        Assert.True(SeenSet.Contains(filter, IdHash.Of("b"))); // shared with the set, not a copy
    }

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
