using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

public class PairTableTests
{
    [Fact]
    public void Pairs_added_and_counted_read_back_like_a_dictionary_through_growth_and_removal()
    {
        var table = new PairTable();
        var model = new Dictionary<int, int>();
        var random = new Random(11);
        for (var step = 0; step < 20_000; step++)
        {
            // Handles 0.. (0 must not pass for an empty slot), clustered and spread, so probes wrap and chain.
            var handle = step % 3 == 0 ? random.Next(64) : random.Next(1_000_000);
            ref var slot = ref table.GetOrAdd(handle, out var added);
            Assert.Equal(!model.ContainsKey(handle), added);
            slot.Count++;
            model[handle] = model.GetValueOrDefault(handle) + 1;

            if (step % 5_000 == 4_999)
            {
                // Everything counted once, and three of those counted twice (which three is the table's choice).
                var removed = table.RemoveRarest(cut: 2, atCut: 3);
                var once = model.Where(kv => kv.Value < 2).Select(kv => kv.Key).ToList();
                var twice = model.Where(kv => kv.Value == 2).Select(kv => kv.Key).ToList();
                Assert.Equal(once.Count + Math.Min(3, twice.Count), removed);
                foreach (var key in once) model.Remove(key);
                var twiceGone = twice.Where(key => table.Get(key).IsEmpty).ToList();
                Assert.Equal(Math.Min(3, twice.Count), twiceGone.Count);
                foreach (var key in twiceGone) model.Remove(key);
            }
        }

        Assert.Equal(model.Count, table.Count);
        Assert.All(model, kv => Assert.Equal(kv.Value, table.Get(kv.Key).Count));
        Assert.True(table.Get(1_000_001).IsEmpty);
        var listed = table.Slots.ToArray().Where(s => !s.IsEmpty).ToDictionary(s => s.Handle, s => s.Count);
        Assert.Equal(model.OrderBy(kv => kv.Key), listed.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void An_empty_table_answers_without_slots_and_reserving_keeps_what_it_holds()
    {
        var table = new PairTable();
        Assert.True(table.Get(0).IsEmpty);
        Assert.Equal(0, table.Touch([1, 2, 3]));
        Assert.Equal(0, table.Slots.Length);

        table.GetOrAdd(0, out _).Count = 5;
        table.EnsureCapacity(1_000);
        Assert.True(table.Slots.Length * 3 / 4 >= 1_000);
        Assert.Equal(5, table.Get(0).Count);
        Assert.Equal(1, table.Count);
    }
}
