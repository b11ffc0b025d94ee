using OrleansTok.Journal;
using OrleansTok.State;

namespace OrleansTok.Grains;

/// <summary>How a video or creator activating with a durable journal takes its counters from the journal's committed totals.</summary>
internal static class CommittedCounters
{
    /// <summary>
    /// Replaces the state's journal-derived counters and marks with the committed ones: the state's
    /// own copy was written behind and may lag them (appliers commit before consumers apply, so it
    /// never leads them). A consumer with no committed totals but
    /// marks in its state (state from before the journal kept totals) seeds them from the state.
    /// Impressions never pass through the journal and stay the state's.
    /// </summary>
    public static async Task RestoreAsync(IInteractionJournal journal, CounterOwner owner, string id, CounterSet counters, JournalMarks marks)
    {
        var impressions = counters.Impressions;
        var committed = await journal.ReadCountersAsync(owner, id);
        if (committed is null && !marks.IsEmpty)
        {
            committed = await journal.SeedCountersAsync(owner, id, new AppliedCounters(counters.ToRecord() with { Impressions = 0 }, marks.Applied!));
        }
        counters.Restore(committed?.Totals, impressions);
        marks.Restore(committed?.Marks);
    }
}
