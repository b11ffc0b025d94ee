using OrleansTok.Grains;
using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

public class PendingHalvesTests
{
    private static CoEngagedWith Half(string id) => new(id, 1);

    [Fact]
    public void Drain_groups_halves_by_receiver_in_arrival_order_into_exact_arrays()
    {
        var pending = new PendingHalves();
        var a = Half("a");
        var b = Half("b");
        var c = Half("c");
        pending.Add([7, 2], a);
        pending.Add([2], b);
        pending.Add([5, 7, 2], c);

        var groups = pending.Drain();

        Assert.Equal([7, 2, 5], groups.Select(g => g.Receiver));
        Assert.Equal([a, c], groups[0].Others);
        Assert.Equal([a, b, c], groups[1].Others);
        Assert.Equal([c], groups[2].Others);
        Assert.Equal(0, pending.Count);
    }

    [Fact]
    public void A_drain_forgets_what_it_returned_and_the_next_fill_starts_clean()
    {
        var pending = new PendingHalves();
        pending.Add([1, 3], Half("first"));
        Assert.Equal(2, pending.Drain().Count);
        Assert.Empty(pending.Drain());

        var second = Half("second");
        pending.Add([3], second);
        var groups = pending.Drain();
        var only = Assert.Single(groups);
        Assert.Equal(3, only.Receiver);
        Assert.Equal([second], only.Others);
    }

    [Fact]
    public void Many_halves_for_many_receivers_arrive_whole_past_the_buffers_first_sizes()
    {
        // Handles beyond the first scratch size and more halves than the first buffer hold.
        var pending = new PendingHalves();
        var expected = new Dictionary<int, List<CoEngagedWith>>();
        var random = new Random(3);
        var receivers = new int[20];
        for (var step = 0; step < 2_000; step++)
        {
            var other = Half($"v{step}");
            for (var k = 0; k < receivers.Length; k++) receivers[k] = random.Next(5_000);
            pending.Add(receivers, other);
            foreach (var r in receivers) (expected.TryGetValue(r, out var list) ? list : expected[r] = []).Add(other);
        }

        var groups = pending.Drain();

        Assert.Equal(expected.Count, groups.Count);
        Assert.Equal(groups.Count, groups.Select(g => g.Receiver).Distinct().Count());
        foreach (var (receiver, others) in groups) Assert.Equal(expected[receiver], others);
    }
}
