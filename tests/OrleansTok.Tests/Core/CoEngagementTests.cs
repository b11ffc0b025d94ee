using OrleansTok.Grains;
using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

public class CoEngagementTests
{
    [Fact]
    public void Neighbours_are_ranked_by_estimated_cosine_and_the_list_is_bounded()
    {
        var co = new CoEngagement();
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
        Assert.Equal(3, co.Pairs.Count);
        Assert.Contains(co.Top(10), n => n.VideoId == "newcomer");
    }

    [Fact]
    public void A_full_list_forgets_its_rarest_tenth_at_once_and_keeps_the_strong_pairs()
    {
        var co = new CoEngagement();
        for (var i = 0; i < 20; i++)
        {
            for (var c = 0; c <= i; c++) co.Add($"v{i}", 1, capacity: 20); // v0 once, v19 twenty times
        }
        Assert.Equal(20, co.Pairs.Count);

        co.Add("newcomer", 1, capacity: 20);
        Assert.Equal(19, co.Pairs.Count); // 20 - 2 + 1
        Assert.DoesNotContain("v0", co.Pairs.Keys);
        Assert.DoesNotContain("v1", co.Pairs.Keys);
        Assert.Contains("v2", co.Pairs.Keys);
        Assert.Contains("newcomer", co.Pairs.Keys);

        co.Add("second", 1, capacity: 20); // room again: nothing else goes
        Assert.Equal(20, co.Pairs.Count);
        Assert.Contains("newcomer", co.Pairs.Keys);
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
}
