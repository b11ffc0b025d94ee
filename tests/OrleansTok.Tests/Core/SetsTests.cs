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
        Assert.Equal([16, 64, 512], sizes); // 64 entries, 256, then a generation's 2,500 (4 KiB) once the ring could not rebuild more
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
        Assert.Equal(8_192 / 64, bits); // a generation of 500 × 11.03 bits, rounded up to a power of two
        for (var i = 5_000; i < 20_000; i++) seen.Add($"v{i}");
        Assert.Equal((bits, bits), (seen.Bits.Length, seen.Previous.Length));
        Assert.Equal(256, seen.Ring.Length);
        // A generation holds 8,192 / 11.03 = 742 videos: the last 742 are always remembered.
        for (var i = 20_000 - 742; i < 20_000; i++) Assert.True(seen.Contains($"v{i}"), $"v{i} forgotten");
        Assert.True(Enumerable.Range(0, 10_000).Count(i => seen.Contains($"v{i}")) < 300, "long-past videos fade");
        Assert.Equal(0, seen.Age("v19999"));
        Assert.Equal(int.MaxValue, seen.Age("v0"));
    }

    [Fact]
    public void A_heavy_user_keeps_at_least_a_generation_and_never_falls_back_to_the_ring()
    {
        // A single full-size filter was rebuilt from the 512 most recent videos when it filled
        // (~6,800): the other ~6,300 could all be shown again at once.
        var seen = SeenSet.Create(5000);
        for (var i = 0; i < 20_000; i++)
        {
            seen.Add($"v{i}");
            if (i % 997 == 0 && i >= 3000)
            {
                var remembered = Enumerable.Range(i - 2999, 3000).Count(j => seen.Contains($"v{j}"));
                Assert.True(remembered >= 2970, $"{remembered} of the last 3,000 remembered after {i + 1}");
            }
        }
        Assert.True(Enumerable.Range(0, 10_000).Count(i => seen.Contains($"other{i}")) < 100, "two generations report at most ~1 % false positives");
    }

    [Fact]
    public void A_video_the_previous_generation_holds_is_remembered_again_when_seen_again()
    {
        var seen = SeenSet.Create(1000, recentCapacity: 256);
        seen.Add("favourite");
        for (var i = 0; i < 1_000; i++) seen.Add($"v{i}"); // past one generation (742): "favourite" is in the previous one
        Assert.NotEmpty(seen.Previous);
        seen.Add("favourite");
        for (var i = 1_000; i < 1_600; i++) seen.Add($"v{i}"); // the generation that held it first is gone
        Assert.True(seen.Contains("favourite"));
    }

    /// <summary>
    /// A seen set as the layout before generations stored it (no field 7): written by that build's
    /// serializer, capacity 1,000, a ring of 16, with v0…v39 added.
    /// </summary>
    private const string SetWithOneFilter =
        "ICAAIYEMAIQAAlQkAoBIBAMtigAEgoCnEICBAAwEJIAyTBIAjGAABYCqOpEQAIBEJYACK6BYwAAAQIAAOAjDwIEFGYAAAAKOMEAEF4DDpBgYAiQwFYAIAGlGIIRJRoAgAYgAAuAVIoAiKE+AQMpiAICBCQGUBEEIUoBDCQEoEFQECICACGNYKQEqYYCBIPAEIYASMOAhACGB8b7u5DiJfh2ApausETwN3zyAYaApTNTcsE+AjbUZzbCkXnCAkyq6higwx+6Aleem0rRhdrWA4OONvpix+aeALmR2fdP3ZWqAjZXl/TiUI3+AbpvQUYvrLJCAuJfS+FGBjs+AAU1xpZg85O+Ai+FFTq/CLSGAIcK3ZzuMzieAmIRfCOF51bWAZhWyHYYRQVHgASEBoQGhAUIfAUHg";

    [Fact]
    public void A_set_stored_before_generations_loads_and_answers()
    {
        var seen = GrainsSerializer.Instance.Deserialize<SeenSet>(Convert.FromBase64String(SetWithOneFilter))!;

        Assert.Empty(seen.Previous);
        Assert.All(Enumerable.Range(0, 40), i => Assert.True(seen.Contains($"v{i}"), $"v{i} forgotten"));
        Assert.Equal(0, seen.Age("v39"));
        for (var i = 40; i < 3_000; i++) seen.Add($"v{i}");
        Assert.All(Enumerable.Range(3_000 - 500, 500), i => Assert.True(seen.Contains($"v{i}")));
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

        for (var i = 0; i < 200; i++) seen.Add($"v{i}"); // past two generations of 92 (50 × 11.03 bits, rounded up to 1,024)
        var both = seen.Filter();
        Assert.NotNull(both.Previous);
        Assert.All(Enumerable.Range(100, 100), i => Assert.True(SeenSet.Contains(both, IdHash.Of($"v{i}"))));
        Assert.All(Enumerable.Range(0, 2000), i => Assert.Equal(seen.Contains($"w{i}"), SeenSet.Contains(both, IdHash.Of($"w{i}"))));
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
