using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansTok.Recommendation;
using OrleansTok.State;

namespace OrleansTok.Tests.Core;

public class SeenSetTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(s => s.AddAssembly(typeof(UserState).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>();

    private static int FalsePositives(SeenSet seen) => Enumerable.Range(0, 10_000).Count(i => seen.Contains($"other{i}"));

    [Fact]
    public void Seen_set_never_forgets_a_video_within_capacity_and_false_positives_are_rare()
    {
        var seen = SeenSet.Create(5000);
        for (var i = 0; i < 5000; i++) seen.Add($"v{i}");
        for (var i = 0; i < 5000; i++) Assert.True(seen.Contains($"v{i}"));

        Assert.True(FalsePositives(seen) < 100, $"{FalsePositives(seen)} false positives in 10,000");
        Assert.Equal(5000, seen.Count);
    }

    [Fact]
    public void A_set_stores_slices_as_large_as_the_history_it_holds()
    {
        var seen = SeenSet.Create(5000);
        Assert.True(seen.Ring.Length * 8 <= 128, "a new user's seen set stores a few slots");
        Assert.Empty(seen.Sealed);
        for (var i = 0; i < 3000; i++)
        {
            seen.Add($"v{i}");
            if (i % 37 == 0) Assert.All(Enumerable.Range(0, i + 1), j => Assert.True(seen.Contains($"v{j}"), $"v{j} forgotten after {i + 1}"));
            // One 1 KiB slice per 512 videos; the open slice is not stored.
            Assert.Equal(seen.Count / 512 * 1024, seen.Sealed.Length);
        }
        Assert.Equal(512, seen.Ring.Length);
        Assert.Equal(0, seen.Age("v2999"));
        Assert.Equal(511, seen.Age("v2488"));
        Assert.Equal(int.MaxValue, seen.Age("v0"));
        Assert.True(FalsePositives(seen) < 50, $"{FalsePositives(seen)} false positives in 10,000");
    }

    [Fact]
    public void Growing_keeps_videos_a_small_filter_already_reported_by_mistake()
    {
        // While the open slice is small ~1 % of new ids look seen already (false positives); they
        // must still reach the ring the bigger slice is rebuilt from, or they would be shown again.
        for (var user = 0; user < 40; user++)
        {
            var seen = SeenSet.Create(5000);
            var ids = Enumerable.Range(0, 600).Select(i => $"u{user}-video-{i * 7919 % 100_003}").ToList();
            foreach (var id in ids) seen.Add(id);
            Assert.All(ids, id => Assert.True(seen.Contains(id), $"{id} forgotten by user {user}"));
        }
    }

    [Fact]
    public void The_oldest_slice_fades_once_the_capacity_is_reached_and_memory_stays_bounded()
    {
        var seen = SeenSet.Create(1000, recentCapacity: 256);
        for (var i = 0; i < 20_000; i++) seen.Add($"v{i}");

        Assert.Equal(4 * 64 * 8, seen.Sealed.Length); // ⌈1,000 / 256⌉ slices of 256 videos × 16 bits
        Assert.Equal(256, seen.Ring.Length);
        Assert.All(Enumerable.Range(20_000 - 1000, 1000), i => Assert.True(seen.Contains($"v{i}"), $"v{i} within capacity forgotten"));
        var remembered = Enumerable.Range(0, 10_000).Count(i => seen.Contains($"v{i}"));
        Assert.True(remembered < 100, $"{remembered} of 10,000 long-faded videos still look seen");
        Assert.Equal(0, seen.Age("v19999"));
        Assert.Equal(int.MaxValue, seen.Age("v0"));
    }

    [Fact]
    public void The_filter_sent_to_retrieval_agrees_with_the_set()
    {
        var seen = SeenSet.Create(5000);
        for (var i = 0; i < 1500; i++) seen.Add($"v{i}"); // two sealed slices and an open one
        var filter = seen.Filter();
        Assert.All(Enumerable.Range(0, 1500), i => Assert.True(SeenSet.Contains(filter, IdHash.Of($"v{i}"))));
        Assert.All(Enumerable.Range(0, 2000), i => Assert.Equal(seen.Contains($"w{i}"), SeenSet.Contains(filter, IdHash.Of($"w{i}"))));

        var copy = Serializer.Deserialize<OrleansTok.Grains.SeenFilter>(Serializer.SerializeToArray(filter))!; // another silo's partition
        Assert.All(Enumerable.Range(0, 1500), i => Assert.True(SeenSet.Contains(copy, IdHash.Of($"v{i}"))));
    }

    [Fact]
    public void A_stored_set_reloads_with_its_open_slice_rebuilt_from_the_ring()
    {
        var seen = SeenSet.Create(5000);
        for (var i = 0; i < 700; i++) seen.Add($"v{i}");

        var stored = Serializer.SerializeToArray(seen);
        var copy = Serializer.Deserialize<SeenSet>(stored)!;

        Assert.True(stored.Length < 1024 + 512 * 9 + 64, $"{stored.Length} B stored for 700 videos");
        Assert.All(Enumerable.Range(0, 700), i => Assert.True(copy.Contains($"v{i}"), $"v{i} forgotten by the reload"));
        Assert.Equal(FalsePositives(seen), FalsePositives(copy));
        for (var i = 700; i < 1100; i++) copy.Add($"v{i}"); // the next seal includes what was open before the reload
        Assert.Equal(2048, copy.Sealed.Length);
        Assert.All(Enumerable.Range(0, 1100), i => Assert.True(copy.Contains($"v{i}")));
    }

    /// <summary>
    /// A seen set as the layout before slices stored it (one filter of 7 probes, field 0): written by
    /// that build's serializer, capacity 1,000, a ring of 16, with v0…v39 added.
    /// </summary>
    private const string SetWithOneFilter = "ICAAIYEMAIQAAlQkAoBIBAMtigAEgoCnEICBAAwEJIAyTBIAjGAABYCqOpEQAIBEJYACK6BYwAAAQIAAOAjDwIEFGYAAAAKOMEAEF4DDpBgYAiQwFYAIAGlGIIRJRoAgAYgAAuAVIoAiKE+AQMpiAICBCQGUBEEIUoBDCQEoEFQECICACGNYKQEqYYCBIPAEIYASMOAhACGB8b7u5DiJfh2ApausETwN3zyAYaApTNTcsE+AjbUZzbCkXnCAkyq6higwx+6Aleem0rRhdrWA4OONvpix+aeALmR2fdP3ZWqAjZXl/TiUI3+AbpvQUYvrLJCAuJfS+FGBjs+AAU1xpZg85O+Ai+FFTq/CLSGAIcK3ZzuMzieAmIRfCOF51bWAZhWyHYYRQVHgASEBoQGhAUIfAUHg";

    [Fact]
    public void A_set_stored_with_one_filter_still_answers_and_the_filter_fades_like_a_slice()
    {
        var seen = Serializer.Deserialize<SeenSet>(Convert.FromBase64String(SetWithOneFilter))!;

        Assert.NotEmpty(seen.Legacy);
        Assert.All(Enumerable.Range(0, 40), i => Assert.True(seen.Contains($"v{i}"), $"v{i} forgotten"));
        Assert.Equal(0, seen.Age("v39"));
        Assert.True(FalsePositives(seen) < 300, $"{FalsePositives(seen)} false positives in 10,000");

        for (var i = 40; i < 1100; i++) seen.Add($"v{i}"); // ⌈1,000 / 16⌉ = 63 slices of 16 fill the capacity
        Assert.Empty(seen.Legacy);
        Assert.All(Enumerable.Range(1100 - 1000, 1000), i => Assert.True(seen.Contains($"v{i}")));
    }
}
