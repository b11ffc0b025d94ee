using OrleansTok.Grains;
using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

public class CoEngagementTests
{
    [Fact]
    public void Neighbours_are_ranked_by_estimated_cosine_and_the_list_is_bounded()
    {
        var co = new CoEngagement(new VideoHandles());
        for (var i = 0; i < 4; i++) co.CountPositive();
        co.Add("often", 4, capacity: 3);
        co.Add("often", 4, capacity: 3);
        co.Add("often", 4, capacity: 3);
        co.Add("popular", 400, capacity: 3);
        co.Add("popular", 400, capacity: 3);
        co.Add("rare", 1, capacity: 3);
        var top = co.Top(10);
        Assert.Equal(["often", "rare", "popular"], top.Select(n => n.VideoId));
        Assert.Equal(3 / Math.Sqrt(4), top[0].Similarity, 4); // co / √n_self: the partition divides by √n_other

        co.Add("newcomer", 1, capacity: 3); // evicts the rarest pair
        Assert.Equal(3, co.Count);
        Assert.Contains(co.Top(10), n => n.VideoId == "newcomer");
    }

    [Fact]
    public void Readers_get_the_same_list_until_a_pair_or_the_positives_change()
    {
        var co = new CoEngagement(new VideoHandles());
        co.CountPositive();
        co.Add("a", 1, capacity: 10);
        var first = co.Top(5);
        Assert.Same(first, co.Top(5)); // a user grain holding it skips comparing the lists

        co.Add("b", 1, capacity: 10);
        var second = co.Top(5);
        Assert.NotSame(first, second);
        Assert.Contains(second, n => n.VideoId == "b");

        co.CountPositive();
        Assert.NotSame(second, co.Top(5));
        Assert.Single(co.Top(1)); // another count is its own list
    }

    [Fact]
    public void A_full_list_forgets_its_rarest_quarter_at_once_and_keeps_the_strong_pairs()
    {
        var co = new CoEngagement(new VideoHandles());
        for (var i = 0; i < 20; i++)
        {
            for (var c = 0; c <= i; c++) co.Add($"v{i}", 1, capacity: 20); // v0 once, v19 twenty times
        }
        Assert.Equal(20, co.Count);

        co.Add("newcomer", 1, capacity: 20);
        Assert.Equal(16, co.Count); // 20 - 5 + 1
        Assert.All(Enumerable.Range(0, 5), i => Assert.Equal(0, co.CountWith($"v{i}")));
        Assert.Equal(6, co.CountWith("v5"));
        Assert.NotEqual(0, co.CountWith("newcomer"));

        for (var i = 0; i < 4; i++) co.Add($"more{i}", 1, capacity: 20); // room again: nothing else goes
        Assert.Equal(20, co.Count);
        Assert.NotEqual(0, co.CountWith("newcomer"));
    }

    [Fact]
    public void Related_scores_sum_over_the_users_recent_positives()
    {
        var scores = CoEngagement.Aggregate(
        [
            [new Neighbour("a", 0.5f), new Neighbour("b", 0.2f)],
            [new Neighbour("a", 0.25f), new Neighbour("c", float.NaN)],
        ], keep: 10);
        Assert.Equal(0.75f, scores["a"]);
        Assert.Equal(0.2f, scores["b"]);
        Assert.False(scores.ContainsKey("c"));
        Assert.Single(CoEngagement.Aggregate([[new Neighbour("a", 1f), new Neighbour("b", 0.5f)]], keep: 1));
    }

    [Fact]
    public void Quickselect_finds_the_value_at_each_rank_of_a_descending_sort()
    {
        var random = new Random(3);
        foreach (var length in new[] { 1, 2, 3, 10, 257, 4_000 })
        {
            // Few distinct values at some lengths: ties around the pivot are the hard case.
            var values = Enumerable.Range(0, length).Select(_ => (float)random.Next(length < 100 ? 3 : 500) / 7f).ToArray();
            var sorted = values.OrderByDescending(v => v).ToArray();
            foreach (var rank in new[] { 0, length / 3, length / 2, length - 1 })
            {
                Assert.Equal(sorted[rank], CoEngagement.LargestAt(values.ToArray(), rank));
            }
        }
    }

    [Fact]
    public void Keeping_the_strongest_related_videos_keeps_the_top_of_the_sum()
    {
        var random = new Random(5);
        var lists = Enumerable.Range(0, 20).Select(_ => (IReadOnlyList<Neighbour>)Enumerable.Range(0, 200)
            .Select(_ => new Neighbour($"v{random.Next(3_000)}", random.Next(1, 50) / 10f)).ToList()).ToList();
        var all = CoEngagement.Aggregate(lists, keep: int.MaxValue, recencyDecay: 0.9f);

        var kept = CoEngagement.Aggregate(lists, keep: 300, recencyDecay: 0.9f);

        Assert.Equal(300, kept.Count);
        var cut = all.Values.OrderByDescending(v => v).ElementAt(299);
        Assert.All(kept, kv => Assert.Equal(all[kv.Key], kv.Value));
        Assert.All(kept.Values, v => Assert.True(v >= cut));
        Assert.Equal(all.Count(kv => kv.Value > cut), kept.Count(kv => kv.Value > cut)); // everything above the cut, ties at it fill the rest
    }

    [Fact]
    public void A_full_list_of_common_pairs_still_forgets_exactly_its_rarest_quarter()
    {
        var co = new CoEngagement(new VideoHandles());
        for (var i = 0; i < 20; i++)
        {
            for (var c = 0; c < 100 + i; c++) co.Add($"v{i}", 1, capacity: 20); // beyond the histogram's buckets
        }
        co.Add("newcomer", 1, capacity: 20);
        Assert.Equal(16, co.Count);
        Assert.All(Enumerable.Range(0, 5), i => Assert.Equal(0, co.CountWith($"v{i}")));
        Assert.Equal(105, co.CountWith("v5"));
        Assert.Equal(119, co.CountWith("v19"));
    }

    [Fact]
    public void Every_eviction_of_a_long_run_forgets_exactly_a_quarter_and_none_commoner_than_a_survivor()
    {
        // Kept from the first eviction on, the count of pairs by count must track every add and
        // eviction: a count gone stale picks the wrong cut, and the wrong pairs or the wrong number go.
        var co = new CoEngagement(new VideoHandles());
        var model = new Dictionary<string, int>();
        var random = new Random(5);
        var evictions = 0;
        for (var step = 0; step < 30_000; step++)
        {
            // Skewed: a few ids come back often (counts past the histogram's 63), most rarely.
            var id = random.Next(4) == 0 ? $"hot{random.Next(40)}" : $"v{random.Next(3_000)}";
            var before = model.Count;
            var isNew = !model.ContainsKey(id);
            co.Add(id, 1, capacity: 200);
            var gone = model.Keys.Where(k => k != id && co.CountWith(k) == 0).ToList();
            if (gone.Count > 0)
            {
                evictions++;
                Assert.True(isNew && before == 200);
                Assert.Equal(before / 4, gone.Count);
                var survivors = model.Where(kv => !gone.Contains(kv.Key)).Select(kv => kv.Value).ToList();
                Assert.True(gone.Max(k => model[k]) <= survivors.Min(), $"step {step}: a pair counted {gone.Max(k => model[k])} went, one counted {survivors.Min()} stayed");
                foreach (var k in gone) model.Remove(k);
            }
            model[id] = model.GetValueOrDefault(id) + 1;
            Assert.Equal(model.Count, co.Count);
        }
        Assert.True(evictions > 100, $"{evictions} evictions");
        Assert.All(model, kv => Assert.Equal(kv.Value, co.CountWith(kv.Key)));
    }

    [Fact]
    public void Handles_are_dense_stable_and_name_their_video_again_past_the_first_table()
    {
        var handles = new VideoHandles();
        var ids = Enumerable.Range(0, 3_000).Select(i => $"v{i}").ToArray();
        var first = ids.Select(handles.Of).ToArray();
        Assert.Equal(Enumerable.Range(0, 3_000), first); // dense, in order of first use
        Assert.Equal(first, ids.Select(id => handles.Of(new string(id.AsSpan())))); // by value, not by instance
        Assert.All(first, h => Assert.Equal(ids[h], handles.IdOf(h)));
        Assert.Equal(3_000, handles.Count);

        var co = new CoEngagement(handles);
        Assert.Equal(0, co.CountWith("never-paired"));
        Assert.False(handles.TryGet("never-paired", out _)); // asking about a pair numbers no id
        Assert.Equal(3_000, handles.Count);
    }

    [Fact]
    public void A_handle_sent_with_its_id_is_used_only_by_the_table_that_gave_it()
    {
        var sender = new VideoHandles();
        sender.Of("a");
        var handle = sender.Of("b");
        Assert.Equal(handle, sender.Of("b", handle, sender.Table));

        var elsewhere = new VideoHandles(); // another silo, or this one restarted, which numbered other videos first
        elsewhere.Of("x");
        elsewhere.Of("y");
        Assert.NotEqual(sender.Table, elsewhere.Table);
        var there = elsewhere.Of("b", handle, sender.Table); // the sender's 1 is "y" here
        Assert.Equal(2, there);
        Assert.Equal("b", elsewhere.IdOf(there));
        Assert.Equal(elsewhere.Of("c"), elsewhere.Of("c", -1, 0)); // a half from a silo that sent no handle
        Assert.Equal(sender.Of("d"), sender.Of("d", 99, sender.Table)); // a number this table never gave is not trusted
    }

    [Fact]
    public void Handles_given_out_concurrently_are_one_per_id()
    {
        var handles = new VideoHandles();
        var seen = new System.Collections.Concurrent.ConcurrentBag<(string Id, int Handle)>();
        Parallel.For(0, 8, worker =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                var id = $"v{(i * 7 + worker) % 4_000}";
                var handle = handles.Of(id);
                Assert.Equal(id, handles.IdOf(handle)); // readable at once by whoever got it
                seen.Add((id, handle));
            }
        });
        Assert.Equal(4_000, handles.Count);
        Assert.All(seen.GroupBy(s => s.Id), g => Assert.Single(g.Select(s => s.Handle).Distinct()));
        Assert.Equal(4_000, seen.Select(s => s.Handle).Distinct().Count());
    }

    [Fact]
    public void The_pool_gives_one_copy_of_each_id_and_starts_over_past_its_capacity()
    {
        var pool = new IdPool(capacity: 2);
        var first = pool.Intern(new string("bv1".AsSpan()));
        Assert.Same(first, pool.Intern(new string("bv1".AsSpan())));
        Assert.Equal("bv1", first);
        pool.Intern("bv2");
        var third = new string("bv3".AsSpan());
        Assert.Same(third, pool.Intern(third)); // full: the pool started over with this one
        Assert.Same(third, pool.Intern(new string("bv3".AsSpan())));
        Assert.NotSame(first, pool.Intern(new string("bv1".AsSpan()))); // forgotten, so a new copy is kept
    }

    [Fact]
    public void A_list_stored_by_id_reads_back_on_another_silo_with_its_counts_and_order()
    {
        var co = new CoEngagement(new VideoHandles());
        for (var i = 0; i < 5; i++) co.CountPositive();
        co.Add("a", 7, capacity: 10);
        co.Add("a", 0, capacity: 10); // 0: the partner's count is not known here, the last one stays
        co.Add("b", 3, capacity: 10);
        co.Add("c", 3_000_000_000L, capacity: 10); // beyond an int: clamped in memory

        var stored = co.ToStored();
        Assert.Equal(5, stored.Positives);
        Assert.Equal((2, 7L), (stored.Pairs["a"].Count, stored.Pairs["a"].OtherPositives));
        Assert.Equal((1, 3L), (stored.Pairs["b"].Count, stored.Pairs["b"].OtherPositives));
        Assert.Equal(int.MaxValue, stored.Pairs["c"].OtherPositives);

        var otherSilo = new VideoHandles();
        otherSilo.Of("z"); // numbers differ between silos
        var read = CoEngagement.FromStored(stored, otherSilo);
        Assert.Equal(5, read.Positives);
        Assert.Equal(co.Top(10), read.Top(10));
        Assert.Equal(2, read.CountWith("a"));
    }
}
